"""Properties of the BPMN reader and drawer (shinrai.flows.bpmn) on any input: ``parse`` returns a model or
raises ``BpmnRejected`` (the one documented refusal, which the upload turns into a form error), never
anything else; every model it accepts can be drawn and compared; and both answer in bounded time.

Inputs: arbitrary bytes; well-formed BPMN documents generated from a grammar (every element kind, random
ids, names in any script with control characters, coordinates that are numbers, NaN, infinities, huge or
not numbers at all, edges with any number of waypoints, labels, colours, several diagrams); and byte-level
mutations of the demo's real flow. Hostile XML (entities, DTDs, depth, size) is in
tests/flows/test_hostile_xml.py.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, tostring  # building test input only  # nosec B405

from hypothesis import given
from hypothesis import strategies as st

from shinrai.flows.bpmn import BpmnRejected, parse
from shinrai.flows.bpmn.compare import StepRef, compare_steps
from shinrai.flows.bpmn.parser import BIOC_NS, BPMNDI_NS, COLOR_NS, DC_NS, DI_NS, MODEL_NS, REASONS
from shinrai.flows.bpmn.render import render_svg

from .bounds import SECONDS_PER_100_KB, examples, within

DEMO = (Path(__file__).parents[2] / "shinrai/flows/demo/order_to_ship_v1.bpmn").read_bytes()

KINDS = [
    "task", "userTask", "serviceTask", "manualTask", "scriptTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "adHocSubProcess", "startEvent",
    "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway", "dataObjectReference",
    "dataStoreReference", "textAnnotation", "group", "laneSet",
]  # fmt: skip
EVENT_DEFINITIONS = [
    "messageEventDefinition", "timerEventDefinition", "errorEventDefinition", "signalEventDefinition",
    "terminateEventDefinition", "escalationEventDefinition",
]  # fmt: skip
BOUNDS = ("x", "y", "width", "height")
# Text an XML file can hold, in any script; one document in ten also gets characters it cannot hold.
XML_TEXT = st.text(
    st.one_of(
        st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"),
        st.sampled_from("\t\n\r"),
    ),
    max_size=30,
)
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
NAMES = [f"e{i}" for i in range(8)]
GOOD_IDS = st.one_of(st.sampled_from(NAMES), st.from_regex(r"[A-Za-z_][\w.-]{0,20}", fullmatch=True))
COORDINATE = st.integers(0, 2000).map(str)
ANY_NUMBER = st.one_of(
    COORDINATE,
    st.integers(-2_000_000, 2_000_000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["NaN", "inf", "-Infinity", "1e309", "", " 10 ", "0x10", "1_000", "１０", "10px"]),
    XML_TEXT,
)
COLOURS = st.one_of(st.sampled_from(["#fff", "#12345678", "red", "rgb(1, 2, 3)", "url(#x)"]), XML_TEXT)


@st.composite
def documents(draw) -> bytes:
    # Most documents are valid XML with valid ids and coordinates; the others are wrong in one of these.
    text = ANY_TEXT if draw(st.integers(0, 9)) == 0 else XML_TEXT
    ids_ = GOOD_IDS if draw(st.integers(0, 3)) else st.one_of(GOOD_IDS, XML_TEXT)
    numbers = COORDINATE if draw(st.integers(0, 3)) else ANY_NUMBER
    root = Element(f"{{{MODEL_NS}}}definitions", {"id": "defs", "name": draw(text)})
    process = SubElement(root, f"{{{MODEL_NS}}}process", {"id": draw(ids_)})
    ids = []
    containers = [process]
    for _ in range(draw(st.integers(0, 12))):
        parent = draw(st.sampled_from(containers))
        element_id = draw(ids_)
        ids.append(element_id)
        node = SubElement(parent, f"{{{MODEL_NS}}}{draw(st.sampled_from(KINDS))}", {"id": element_id})
        if draw(st.booleans()):
            node.set("name", draw(text))
        for attribute in ("attachedToRef", "default", "isInterrupting", "calledElement", "triggeredByEvent"):
            if draw(st.integers(0, 5)) == 0:
                node.set(attribute, draw(ids_))
        if draw(st.integers(0, 3)) == 0:
            SubElement(node, f"{{{MODEL_NS}}}{draw(st.sampled_from(EVENT_DEFINITIONS))}")
        if draw(st.integers(0, 3)) == 0:
            SubElement(node, f"{{{MODEL_NS}}}text").text = draw(text)
        if node.tag.endswith(("subProcess", "transaction", "adHocSubProcess")):
            containers.append(node)
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["sequenceFlow", "association", "dataInputAssociation"]))
        flow_id = draw(ids_)
        ids.append(flow_id)
        flow = SubElement(draw(st.sampled_from(containers)), f"{{{MODEL_NS}}}{kind}", {"id": flow_id})
        flow.set("sourceRef", draw(st.one_of(st.sampled_from(ids), ids_)))
        flow.set("targetRef", draw(st.one_of(st.sampled_from(ids), ids_)))
        if draw(st.booleans()):
            SubElement(flow, f"{{{MODEL_NS}}}conditionExpression").text = draw(text)
    for _ in range(draw(st.integers(1, 2))):
        diagram = SubElement(root, f"{{{BPMNDI_NS}}}BPMNDiagram", {"id": draw(ids_), "name": draw(text)})
        plane = SubElement(diagram, f"{{{BPMNDI_NS}}}BPMNPlane", {"bpmnElement": process.get("id")})
        for _ in range(draw(st.integers(0, 10))):
            target = draw(st.one_of(st.sampled_from(ids), st.sampled_from(ids), ids_)) if ids else draw(ids_)
            if draw(st.booleans()):
                shape = SubElement(plane, f"{{{BPMNDI_NS}}}BPMNShape", {"bpmnElement": target})
                for flag in ("isExpanded", "isHorizontal", "isMarkerVisible"):
                    if draw(st.booleans()):
                        shape.set(flag, draw(st.sampled_from(["true", "false", "TRUE", "yes", ""])))
                shape.set(f"{{{BIOC_NS}}}fill", draw(COLOURS))
                shape.set(f"{{{COLOR_NS}}}border-color", draw(COLOURS))
                SubElement(shape, f"{{{DC_NS}}}Bounds", {name: draw(numbers) for name in BOUNDS})
            else:
                shape = SubElement(plane, f"{{{BPMNDI_NS}}}BPMNEdge", {"bpmnElement": target})
                for _ in range(draw(st.integers(0, 5))):
                    SubElement(shape, f"{{{DI_NS}}}waypoint", {"x": draw(numbers), "y": draw(numbers)})
            if draw(st.booleans()):
                label = SubElement(shape, f"{{{BPMNDI_NS}}}BPMNLabel")
                SubElement(label, f"{{{DC_NS}}}Bounds", {name: draw(numbers) for name in BOUNDS})
    return tostring(root, encoding="utf-8", xml_declaration=draw(st.booleans()))


def parse_and_draw(data: bytes) -> None:
    """What an upload does with a file: parse it, draw every diagram, compare its steps with the demo's."""
    try:
        model = parse(data)
    except BpmnRejected as rejected:
        assert rejected.code in REASONS
        return
    assert model.diagrams
    for index in range(len(model.diagrams)):
        svg = render_svg(model, index)
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
        assert "<script" not in svg.lower()
    steps = [StepRef(e.id, e.kind, e.name or "") for e in model.elements.values()]
    demo_steps = [StepRef(e.id, e.kind, e.name or "") for e in parse(DEMO).elements.values()]
    compare_steps(demo_steps, steps)


@given(data=st.binary(max_size=2000))
def test_any_bytes_are_parsed_or_refused_with_a_reason(data):
    parse_and_draw(data)


@given(data=documents())
def test_generated_documents_are_parsed_and_drawn_or_refused_with_a_reason(data):
    parse_and_draw(data)


@given(
    cuts=st.lists(
        st.tuples(st.integers(0, len(DEMO)), st.integers(0, 40), st.binary(max_size=12)),
        min_size=1,
        max_size=4,
    )
)
def test_mutations_of_a_real_flow_are_parsed_and_drawn_or_refused_with_a_reason(cuts):
    data = DEMO
    for position, removed, inserted in cuts:
        data = data[:position] + inserted + data[position + removed :]
    parse_and_draw(data)


@examples(fast=5)
@given(
    name=st.sampled_from(["あ", "a", "a ", "&amp;", "\u202e", "😀", "(", "\t"]),
    points=st.integers(2, 5_000),
    shapes=st.integers(1, 1_000),
)
def test_large_documents_are_drawn_in_bounded_time(name, points, shapes):
    """Names of 100 KB, an edge of thousands of waypoints, a thousand shapes: parse and draw stay quick."""
    waypoints = "".join(f'<di:waypoint x="{i % 997}" y="{i % 13}"/>' for i in range(points))
    shape_xml = "".join(
        f'<bpmndi:BPMNShape id="s{i}" bpmnElement="t1"><dc:Bounds x="{i}" y="{i}" width="100" height="80"/>'
        "</bpmndi:BPMNShape>"
        for i in range(shapes)
    )
    big = (name * (100_000 // len(name))).replace("&", "&amp;")
    data = (
        f'<definitions xmlns="{MODEL_NS}" xmlns:bpmndi="{BPMNDI_NS}" xmlns:dc="{DC_NS}" xmlns:di="{DI_NS}" '
        f'id="d"><process id="p"><task id="t1" name="{big}"/><task id="t2"/>'
        f'<sequenceFlow id="f" sourceRef="t1" targetRef="t2" name="{big}"/></process>'
        f'<bpmndi:BPMNDiagram id="di"><bpmndi:BPMNPlane id="pl" bpmnElement="p">{shape_xml}'
        f'<bpmndi:BPMNEdge id="e" bpmnElement="f">{waypoints}</bpmndi:BPMNEdge>'
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></definitions>"
    ).encode()
    model = within(SECONDS_PER_100_KB, parse, data)
    within(SECONDS_PER_100_KB, render_svg, model, 0)
