"""Read an untrusted .bpmn file into a :class:`~.model.Model`, or refuse it with one clear reason.

Defences, in order: a size limit before parsing; no DTD at all (so no entity expansion and no external
entities); element-count and nesting-depth limits checked while parsing, so a hostile file stops early;
coordinates must be finite numbers of sane size. Elements are matched by namespace URI, never by prefix:
exporters write ``bpmn:``, ``bpmn2:``, ``semantic:``, ``model:`` or the default namespace.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element as XmlElement  # the type only (parsing is defusedxml)  # nosec B405
from xml.etree.ElementTree import ParseError  # the exception only  # nosec B405

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .model import ACTIVITY_KINDS, EVENT_DEFINITIONS, Bounds, Diagram, Edge, Element, Model, Shape

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
# Colour extensions: bpmn.io's own, and the OMG's non-normative one that newer tools write.
BIOC_NS = "http://bpmn.io/schema/bpmn/biocolor/1.0"
COLOR_NS = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"

# Only colours in these forms are passed on to the SVG; anything else is dropped.
_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\(\s*[0-9.%,\s]{5,40}\))$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_COORDINATE = 1_000_000
# The id of a drawn element becomes a step's key (255 characters in the database) and a path segment of the
# step's URL, where a "/" (or a "." or ".." segment) cannot go: the flow's page could not link its steps.
# Anything else is escaped where it is shown.
_MAX_ID = 255
_MAX_TEXT = 2_000

# Attributes that change how an element is drawn; everything else is ignored.
_DRAWN_ATTRIBUTES = (
    "isInterrupting",
    "cancelActivity",
    "triggeredByEvent",
    "eventGatewayType",
    "instantiate",
    "isForCompensation",
    "parallelMultiple",
    "default",
    "associationDirection",
    "calledElement",
    "isCollection",
    "messageRef",  # bpmn.io draws an envelope on message flows that name their message
)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024
    max_elements: int = 100_000
    max_depth: int = 100


# Reasons, in English, with {placeholders}; the web layer shows translated versions keyed by the same codes.
REASONS = {
    "too_large": "the file is larger than {limit} MB",
    "too_many_elements": "the file has more than {limit} XML elements",
    "too_deep": "the XML is nested more than {limit} levels deep",
    "forbidden_xml": "the file uses a DTD, entities or external references, which are not allowed",
    "malformed": "the file is not well-formed XML (line {line}, column {column})",
    "not_bpmn": "the file is not a BPMN 2.0 model (its root element is not BPMN 2.0 definitions)",
    "no_diagram": "the file has no diagram (BPMN diagram interchange) to draw",
    "bad_number": "the diagram has an invalid coordinate or size ({value!r})",
    "bad_id": "an element id is longer than 255 characters, contains a slash or is a dot ({value!r})",
    "empty": "the file is empty",
}


class BpmnRejected(ValueError):
    """A file Shinrai will not store or draw; ``code`` keys :data:`REASONS`."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(REASONS[code].format(**params))


def parse(data: bytes | str, limits: Limits | None = None) -> Model:
    """Parse a .bpmn file's bytes; raise :class:`BpmnRejected` for anything unsafe, broken or not BPMN."""
    limits = limits or Limits()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data.strip():
        raise BpmnRejected("empty")
    if len(data) > limits.max_bytes:
        raise BpmnRejected("too_large", limit=limits.max_bytes // (1024 * 1024))
    root = _parse_xml(data, limits)
    if root.tag != f"{{{MODEL_NS}}}definitions":
        raise BpmnRejected("not_bpmn")
    elements = _semantic(root)
    diagrams = [_diagram(node, elements) for node in root.iter(f"{{{BPMNDI_NS}}}BPMNDiagram")]
    diagrams = [diagram for diagram in diagrams if diagram.shapes or diagram.edges]
    if not diagrams:
        raise BpmnRejected("no_diagram")
    return Model(name=_text(root.get("name")), elements=elements, diagrams=diagrams)


def _parse_xml(data: bytes, limits: Limits) -> XmlElement:
    depth = 0
    count = 0
    root = None
    try:
        events = iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        for event, node in events:
            if event == "end":
                depth -= 1
                continue
            if root is None:
                root = node
            depth += 1
            count += 1
            if depth > limits.max_depth:
                raise BpmnRejected("too_deep", limit=limits.max_depth)
            if count > limits.max_elements:
                raise BpmnRejected("too_many_elements", limit=limits.max_elements)
    except DefusedXmlException:
        raise BpmnRejected("forbidden_xml") from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise BpmnRejected("malformed", line=line, column=column) from None
    if root is None:
        raise BpmnRejected("empty")
    return root


def _local(tag) -> tuple[str, str]:
    """(namespace URI, local name) of an element's tag; comments and processing instructions have none."""
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _text(value: str | None) -> str:
    """A name or label as stored: control characters removed, line breaks kept, length capped."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()[:_MAX_TEXT]


def _model_children(node: XmlElement):
    for child in node:
        namespace, local = _local(child.tag)
        if namespace == MODEL_NS:
            yield local, child


# --- Semantic part ---------------------------------------------------------------------------------------


def _semantic(root: XmlElement) -> dict[str, Element]:
    elements: dict[str, Element] = {}
    global_definitions: dict[str, str] = {}  # id → short name, for eventDefinitionRef
    category_values: dict[str, str] = {}
    data_object_collections: set[str] = set()
    for node in root.iter():
        namespace, local = _local(node.tag)
        if namespace != MODEL_NS:
            continue
        if local.endswith("EventDefinition") and node.get("id"):
            global_definitions[node.get("id")] = local[: -len("EventDefinition")]
        elif local == "categoryValue" and node.get("id"):
            category_values[node.get("id")] = _text(node.get("value"))
        elif local == "dataObject" and node.get("isCollection") == "true" and node.get("id"):
            data_object_collections.add(node.get("id"))

    def visit(node: XmlElement, container_id: str | None) -> None:
        for local, child in _model_children(node):
            element_id = child.get("id")
            next_container = container_id
            if element_id and not local.endswith("EventDefinition") and local not in _NOT_DRAWN:
                if len(element_id) > _MAX_ID or "/" in element_id or element_id in (".", ".."):
                    raise BpmnRejected("bad_id", value=element_id[:40])
                element = _element(local, child, container_id, global_definitions)
                elements[element_id] = element
                if local in ("process", "subProcess", "adHocSubProcess", "transaction", "laneSet"):
                    next_container = element_id
                if local == "lane":
                    refs = [_text(ref.text) for name, ref in _model_children(child) if name == "flowNodeRef"]
                    element.attrs["flowNodeRefs"] = " ".join(ref for ref in refs if ref)
                if local == "group":
                    element.name = category_values.get(child.get("categoryValueRef", ""), element.name)
                if local == "dataObjectReference" and child.get("dataObjectRef") in data_object_collections:
                    element.attrs["isCollection"] = "true"
                if local in ("dataInputAssociation", "dataOutputAssociation"):
                    # The activity end is the association's parent element, not the enclosing process.
                    _data_association(element, child, node.get("id"))
            visit(child, next_container)

    visit(root, None)
    _mark_default_and_conditional_flows(elements, root)
    return elements


# Semantic elements with ids that are never drawn; skipping them keeps ``Model.elements`` to drawable things.
_NOT_DRAWN = frozenset(
    {
        "definitions",
        "message",
        "signal",
        "error",
        "escalation",
        "itemDefinition",
        "category",
        "categoryValue",
        "inputSet",
        "outputSet",
        "ioSpecification",
        "resource",
        "interface",
        "operation",
        "globalTask",
        "property",
        "conditionExpression",
        "timeDate",
        "timeCycle",
        "timeDuration",
        "multiInstanceLoopCharacteristics",
        "standardLoopCharacteristics",
        "extensionElements",
        "documentation",
    }
)


def _element(local: str, node: XmlElement, container_id: str | None, global_definitions) -> Element:
    element = Element(id=node.get("id"), kind=local, name=_text(node.get("name")), parent_id=container_id)
    for attribute in _DRAWN_ATTRIBUTES:
        if node.get(attribute) is not None:
            element.attrs[attribute] = node.get(attribute)
    definitions: list[str] = []
    for child_local, child in _model_children(node):
        if child_local.endswith("EventDefinition"):
            definitions.append(child_local[: -len("EventDefinition")])
        elif child_local == "eventDefinitionRef":
            ref = global_definitions.get(_text(child.text))
            if ref:
                definitions.append(ref)
        elif child_local == "standardLoopCharacteristics":
            element.loop = "standard"
        elif child_local == "multiInstanceLoopCharacteristics":
            element.loop = "sequential" if child.get("isSequential") == "true" else "parallel"
        elif child_local == "text" and local == "textAnnotation":
            element.text = _text(child.text)
        elif child_local == "conditionExpression":
            element.attrs["hasCondition"] = "true"
    element.event_definitions = tuple(name for name in definitions if name in EVENT_DEFINITIONS)
    if local in ("sequenceFlow", "messageFlow", "association"):
        element.source_id = node.get("sourceRef")
        element.target_id = node.get("targetRef")
    if local == "boundaryEvent":
        element.attached_to = node.get("attachedToRef")
    if local == "participant":
        element.process_id = node.get("processRef")
    return element


def _data_association(element: Element, node: XmlElement, activity_id: str | None) -> None:
    """Data associations name their data end in a child element; the activity end is their parent."""
    refs = {
        name: _text(child.text) for name, child in _model_children(node) if name in ("sourceRef", "targetRef")
    }
    # The activity's own end names one of its inputs or outputs (a dataInput or property, never drawn),
    # so the activity itself stands for it.
    if element.kind == "dataInputAssociation":
        element.source_id = refs.get("sourceRef")
        element.target_id = activity_id or refs.get("targetRef")
    else:
        element.source_id = activity_id or refs.get("sourceRef")
        element.target_id = refs.get("targetRef")


def _mark_default_and_conditional_flows(elements: dict[str, Element], root: XmlElement) -> None:
    for element in list(elements.values()):
        default = element.attrs.get("default")
        if default and default in elements:
            elements[default].is_default = True
    for element in elements.values():
        if element.kind != "sequenceFlow" or element.attrs.get("hasCondition") != "true":
            continue
        source = elements.get(element.source_id or "")
        # Conditions on flows out of gateways are ordinary; only activities get the diamond marker.
        element.is_conditional = bool(source and source.kind in ACTIVITY_KINDS)


# --- Diagram interchange ---------------------------------------------------------------------------------


def _number(value: str | None) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BpmnRejected("bad_number", value=str(value)[:40]) from None
    if not math.isfinite(number) or abs(number) > _MAX_COORDINATE:
        raise BpmnRejected("bad_number", value=str(value)[:40])
    return number


def _bounds(node: XmlElement | None) -> Bounds | None:
    if node is None:
        return None
    width, height = _number(node.get("width")), _number(node.get("height"))
    if width < 0 or height < 0:
        raise BpmnRejected("bad_number", value=f"{width} x {height}")
    return Bounds(_number(node.get("x")), _number(node.get("y")), width, height)


def _bool(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() == "true"


def _colour(node: XmlElement, *names: tuple[str, str]) -> str | None:
    for namespace, name in names:
        value = (node.get(f"{{{namespace}}}{name}") or "").strip()
        if value and _COLOUR.match(value):
            return value
    return None


def _label(node: XmlElement) -> tuple[Bounds | None, str | None]:
    label = node.find(f"{{{BPMNDI_NS}}}BPMNLabel")
    if label is None:
        return None, None
    box = _bounds(label.find(f"{{{DC_NS}}}Bounds"))
    return box, _colour(label, (COLOR_NS, "color"))


def _diagram(node: XmlElement, elements: dict[str, Element]) -> Diagram:
    plane = node.find(f"{{{BPMNDI_NS}}}BPMNPlane")
    diagram = Diagram(
        id=node.get("id") or "",
        name=_text(node.get("name")),
        plane_element_id=plane.get("bpmnElement") if plane is not None else None,
    )
    if plane is None:
        return diagram
    for child in plane.iter():
        namespace, local = _local(child.tag)
        if namespace != BPMNDI_NS or child.get("bpmnElement") not in elements:
            continue
        if local == "BPMNShape":
            bounds = _bounds(child.find(f"{{{DC_NS}}}Bounds"))
            if bounds is None:
                continue
            label_bounds, label_colour = _label(child)
            diagram.shapes.append(
                Shape(
                    element_id=child.get("bpmnElement"),
                    bounds=bounds,
                    label_bounds=label_bounds,
                    is_expanded=_bool(child.get("isExpanded")),
                    is_horizontal=_bool(child.get("isHorizontal")),
                    is_marker_visible=_bool(child.get("isMarkerVisible")),
                    fill=_colour(child, (COLOR_NS, "background-color"), (BIOC_NS, "fill")),
                    stroke=_colour(child, (COLOR_NS, "border-color"), (BIOC_NS, "stroke")),
                    label_colour=label_colour,
                )
            )
        elif local == "BPMNEdge":
            points = tuple(
                (_number(point.get("x")), _number(point.get("y")))
                for point in child.findall(f"{{{DI_NS}}}waypoint")
            )
            if len(points) < 2:
                continue
            label_bounds, label_colour = _label(child)
            diagram.edges.append(
                Edge(
                    element_id=child.get("bpmnElement"),
                    waypoints=points,
                    label_bounds=label_bounds,
                    message_visible=(child.get("messageVisibleKind") or None),
                    stroke=_colour(child, (COLOR_NS, "border-color"), (BIOC_NS, "stroke")),
                    label_colour=label_colour,
                )
            )
    return diagram
