"""What a parsed BPMN file is: semantic elements by id, and the diagrams that place them.

The semantic part says what a thing is (a user task, a message start event, a default flow); the diagram
interchange (DI) part says where it is drawn. One element may appear in several diagrams.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Local names (namespace stripped) of the semantic elements, grouped by how they are drawn.
TASK_KINDS = frozenset(
    {
        "task",
        "userTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "manualTask",
        "businessRuleTask",
        "scriptTask",
    }
)
SUB_PROCESS_KINDS = frozenset({"subProcess", "adHocSubProcess", "transaction"})
ACTIVITY_KINDS = TASK_KINDS | SUB_PROCESS_KINDS | {"callActivity"}
EVENT_KINDS = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "implicitThrowEvent",
    }
)
GATEWAY_KINDS = frozenset(
    {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
)
DATA_KINDS = frozenset({"dataObjectReference", "dataStoreReference", "dataInput", "dataOutput", "dataObject"})
ARTIFACT_KINDS = frozenset({"textAnnotation", "group"})
CONTAINER_KINDS = frozenset({"participant", "lane"})
EDGE_KINDS = frozenset(
    {"sequenceFlow", "messageFlow", "association", "dataInputAssociation", "dataOutputAssociation"}
)
# A "flow step" is what requirements attach to and what version comparison reports.
STEP_KINDS = ACTIVITY_KINDS | EVENT_KINDS | GATEWAY_KINDS

# Event definition local names → short names used by the renderer ("messageEventDefinition" → "message").
EVENT_DEFINITIONS = (
    "message",
    "timer",
    "escalation",
    "conditional",
    "link",
    "error",
    "cancel",
    "compensate",
    "signal",
    "terminate",
)


@dataclass(frozen=True)
class Bounds:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.width / 2, self.y + self.height / 2)


@dataclass
class Element:
    """One semantic element. ``attrs`` keeps only the attributes that change how it is drawn."""

    id: str
    kind: str
    name: str = ""
    parent_id: str | None = None  # the process, sub-process or lane set it belongs to
    attrs: dict[str, str] = field(default_factory=dict)
    # Event definitions in document order, short names ("message", "timer" …); several mean "multiple".
    event_definitions: tuple[str, ...] = ()
    # "standard", "parallel" (multi-instance), "sequential" (multi-instance) or None.
    loop: str | None = None
    source_id: str | None = None  # flows, associations
    target_id: str | None = None
    attached_to: str | None = None  # boundary events
    is_default: bool = False  # a sequence flow that is its source's default
    is_conditional: bool = False  # a sequence flow with a condition leaving an activity
    process_id: str | None = None  # participants: the process inside the pool
    text: str = ""  # text annotations

    @property
    def label(self) -> str:
        return self.text if self.kind == "textAnnotation" else self.name


@dataclass
class Shape:
    """Where one element is drawn in one diagram (a BPMNShape)."""

    element_id: str
    bounds: Bounds
    label_bounds: Bounds | None = None
    is_expanded: bool | None = None
    is_horizontal: bool | None = None
    is_marker_visible: bool | None = None
    fill: str | None = None
    stroke: str | None = None
    label_colour: str | None = None


@dataclass
class Edge:
    """Where one connecting element is drawn in one diagram (a BPMNEdge)."""

    element_id: str
    waypoints: tuple[tuple[float, float], ...]
    label_bounds: Bounds | None = None
    message_visible: str | None = None  # "initiating" / "non_initiating": draw an envelope on the flow
    stroke: str | None = None
    label_colour: str | None = None


@dataclass
class Diagram:
    id: str
    name: str
    plane_element_id: str | None
    shapes: list[Shape] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    @property
    def bounds(self) -> Bounds:
        """The smallest box around every shape, edge point and label."""
        xs: list[float] = []
        ys: list[float] = []
        for shape in self.shapes:
            for box in (shape.bounds, shape.label_bounds):
                if box:
                    xs += [box.x, box.right]
                    ys += [box.y, box.bottom]
        for edge in self.edges:
            for x, y in edge.waypoints:
                xs.append(x)
                ys.append(y)
            if edge.label_bounds:
                xs += [edge.label_bounds.x, edge.label_bounds.right]
                ys += [edge.label_bounds.y, edge.label_bounds.bottom]
        if not xs:
            return Bounds(0, 0, 0, 0)
        return Bounds(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


@dataclass
class Model:
    """A parsed file: every semantic element by id, and its diagrams in document order."""

    name: str
    elements: dict[str, Element]
    diagrams: list[Diagram]

    def steps(self) -> list[Element]:
        """Flow steps (activities, events, gateways), in document order."""
        return [element for element in self.elements.values() if element.kind in STEP_KINDS]

    def diagram_of(self, element_id: str) -> int | None:
        """Index of the first diagram that draws ``element_id``."""
        for index, diagram in enumerate(self.diagrams):
            if any(shape.element_id == element_id for shape in diagram.shapes):
                return index
        return None

    def lane_of(self) -> dict[str, str]:
        """Step id → name of the lane (or else the pool) it sits in."""
        found: dict[str, str] = {}
        for element in self.elements.values():
            if element.kind == "lane":
                for ref in element.attrs.get("flowNodeRefs", "").split():
                    found.setdefault(ref, element.name)
        for element in self.elements.values():
            if element.kind == "participant" and element.process_id:
                for candidate in self.elements.values():
                    if candidate.parent_id == element.process_id and candidate.id not in found:
                        found[candidate.id] = element.name
        return found
