"""The BPMN parser on the sample models and on small files that exercise one feature each.

Counts are checked against an independent walk of the XML with xml.etree, matching by namespace URI.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from shinrai.flows.bpmn import BpmnRejected, Limits, parse
from shinrai.flows.bpmn.model import STEP_KINDS

from .conftest import sample_bytes

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
# Kinds the parser keeps as elements, counted independently below.
COUNTED = STEP_KINDS | {
    "sequenceFlow",
    "messageFlow",
    "association",
    "participant",
    "lane",
    "textAnnotation",
    "group",
    "dataObjectReference",
    "dataStoreReference",
    "process",
}


def _independent_counts(data: bytes) -> Counter:
    counts: Counter = Counter()
    for node in ET.fromstring(data).iter():
        if isinstance(node.tag, str) and node.tag.startswith(f"{{{MODEL}}}") and node.get("id"):
            local = node.tag.split("}", 1)[1]
            if local in COUNTED:
                counts[local] += 1
    return counts


def _independent_di(data: bytes) -> list[tuple[int, int]]:
    root = ET.fromstring(data)
    return [
        (len(d.findall(f".//{{{BPMNDI}}}BPMNShape")), len(d.findall(f".//{{{BPMNDI}}}BPMNEdge")))
        for d in root.iter(f"{{{BPMNDI}}}BPMNDiagram")
    ]


def test_each_sample_parses_with_the_right_element_counts(sample):
    sample_id, data = sample
    model = parse(data)
    parsed = Counter(e.kind for e in model.elements.values() if e.kind in COUNTED)
    assert parsed == _independent_counts(data), sample_id
    assert model.diagrams
    assert [(len(d.shapes), len(d.edges)) for d in model.diagrams] == _independent_di(data)


def test_each_sample_has_steps_in_document_order(sample):
    sample_id, data = sample
    root = ET.fromstring(data)
    expected = [
        node.get("id")
        for node in root.iter()
        if isinstance(node.tag, str)
        and node.tag.startswith(f"{{{MODEL}}}")
        and node.tag.split("}")[1] in STEP_KINDS
    ]
    assert [e.id for e in parse(data).steps()] == expected, sample_id


def _rewrite_prefix(data: bytes, prefix: str | None) -> bytes:
    """The same model with the BPMN model namespace bound to another prefix, or the default namespace."""
    text = data.decode("iso-8859-1")
    if prefix is None:
        text = re.sub(r"<(/?)semantic:", r"<\1", text).replace("xmlns:semantic=", "xmlns=")
    else:
        text = re.sub(r"<(/?)semantic:", rf"<\1{prefix}:", text).replace(
            "xmlns:semantic=", f"xmlns:{prefix}="
        )
    return text.encode("iso-8859-1")


def _signature(model):
    return (
        sorted(
            (e.id, e.kind, e.name, e.source_id, e.target_id, e.parent_id) for e in model.elements.values()
        ),
        [[(s.element_id, s.bounds) for s in d.shapes] for d in model.diagrams],
        [[(e.element_id, e.waypoints) for e in d.edges] for d in model.diagrams],
    )


@pytest.mark.parametrize("sample_id", ["A.1.0", "B.1.0"])
@pytest.mark.parametrize("prefix", ["bpmn", "bpmn2", "semantic", "model", None])
def test_prefixes_do_not_matter(sample_id, prefix):
    original = sample_bytes(sample_id)
    rewritten = _rewrite_prefix(original, prefix)
    if prefix != "semantic":
        assert rewritten != original
    assert _signature(parse(rewritten)) == _signature(parse(original))


def test_a_prefix_bound_to_another_namespace_is_not_bpmn():
    text = sample_bytes("A.1.0").replace(
        b'xmlns:semantic="http://www.omg.org/spec/BPMN/20100524/MODEL"',
        b'xmlns:semantic="http://example.com/not-bpmn"',
    )
    with pytest.raises(BpmnRejected) as raised:
        parse(text)
    assert raised.value.code == "not_bpmn"


HEAD = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
    'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
    'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:bioc="http://bpmn.io/schema/bpmn/biocolor/1.0" '
    'xmlns:color="http://www.omg.org/spec/BPMN/non-normative/color/1.0" id="defs">'
)


def _box(element_id, x=10, y=10, w=100, h=80, extra=""):
    return (
        f'<bpmndi:BPMNShape id="{element_id}_di" bpmnElement="{element_id}" {extra}>'
        f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/></bpmndi:BPMNShape>'
    )


def _line(element_id):
    return (
        f'<bpmndi:BPMNEdge id="{element_id}_di" bpmnElement="{element_id}">'
        '<di:waypoint x="0" y="0"/><di:waypoint x="50" y="0"/></bpmndi:BPMNEdge>'
    )


FEATURES = HEAD + (
    '<message id="msg1"/><signal id="sig1"/>'
    '<timerEventDefinition id="globalTimer"/>'
    '<category id="cat"><categoryValue id="cv1" value="営業の範囲"/></category>'
    '<collaboration id="collab">'
    '<participant id="pool" name="受注センター" processRef="proc"/></collaboration>'
    '<process id="proc">'
    '<laneSet id="ls"><lane id="laneA" name="営業">'
    "<flowNodeRef>start</flowNodeRef><flowNodeRef>task</flowNodeRef></lane>"
    '<lane id="laneB" name="出荷"><flowNodeRef>gw</flowNodeRef></lane></laneSet>'
    '<startEvent id="start"><messageEventDefinition messageRef="msg1"/></startEvent>'
    '<userTask id="task" name="見積&#10;作成" default="toEnd">'
    '<multiInstanceLoopCharacteristics isSequential="true"/>'
    '<dataOutputAssociation id="out"><targetRef>store</targetRef></dataOutputAssociation>'
    '<dataInputAssociation id="in"><sourceRef>doc</sourceRef><targetRef>task_input</targetRef>'
    "</dataInputAssociation>"
    "</userTask>"
    '<task id="loop"><standardLoopCharacteristics/></task>'
    '<task id="multi"><multiInstanceLoopCharacteristics/></task>'
    '<subProcess id="sub" triggeredByEvent="true"><startEvent id="inner"/></subProcess>'
    '<boundaryEvent id="timer" attachedToRef="task" cancelActivity="false">'
    "<eventDefinitionRef>globalTimer</eventDefinitionRef></boundaryEvent>"
    '<intermediateThrowEvent id="multiple"><signalEventDefinition signalRef="sig1"/>'
    "<escalationEventDefinition/></intermediateThrowEvent>"
    '<exclusiveGateway id="gw" default="gwDefault"/>'
    '<endEvent id="end"><terminateEventDefinition/></endEvent>'
    '<sequenceFlow id="toGw" sourceRef="task" targetRef="gw">'
    "<conditionExpression>x</conditionExpression></sequenceFlow>"
    '<sequenceFlow id="toEnd" sourceRef="task" targetRef="end"/>'
    '<sequenceFlow id="gwDefault" sourceRef="gw" targetRef="end"/>'
    '<sequenceFlow id="gwCond" sourceRef="gw" targetRef="end">'
    "<conditionExpression>y</conditionExpression></sequenceFlow>"
    '<dataObjectReference id="doc" name="見積書" dataObjectRef="do1"/>'
    '<dataObject id="do1" isCollection="true"/>'
    '<dataStoreReference id="store" name="顧客DB"/>'
    '<textAnnotation id="note"><text>要確認</text></textAnnotation>'
    '<association id="assoc" sourceRef="note" targetRef="task"/>'
    '<group id="grp" categoryValueRef="cv1"/>'
    "</process>"
    '<bpmndi:BPMNDiagram id="D1" name="全体"><bpmndi:BPMNPlane id="PL1" bpmnElement="collab">'
    + _box("pool", 0, 0, 800, 400, 'isHorizontal="true"')
    + _box("laneA", 30, 0, 770, 200, 'isHorizontal="true"')
    + _box("laneB", 30, 200, 770, 200)
    + _box("start", extra='bioc:fill="#ffcccc" bioc:stroke="red"')
    + _box("task", extra='color:background-color="rgb(255, 0, 0)" color:border-color="url(javascript:x)"')
    + _box("loop", extra='bioc:fill="red;stroke:blue" bioc:stroke="#12345"')
    + _box("multi")
    + _box("sub", extra='isExpanded="true"')
    + _box("timer")
    + _box("multiple")
    + _box("gw", extra='isMarkerVisible="true"')
    + _box("end")
    + _box("doc")
    + _box("store")
    + _box("note")
    + _box("grp")
    + "".join(_line(i) for i in ("toGw", "toEnd", "gwDefault", "gwCond", "out", "in", "assoc"))
    + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    '<bpmndi:BPMNDiagram id="D2" name="詳細"><bpmndi:BPMNPlane id="PL2" bpmnElement="sub">'
    + _box("inner")
    + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    "</definitions>"
)


@pytest.fixture(scope="module")
def model():
    return parse(FEATURES)


def test_several_diagrams(model):
    assert [(d.id, d.name, d.plane_element_id) for d in model.diagrams] == [
        ("D1", "全体", "collab"),
        ("D2", "詳細", "sub"),
    ]
    assert [s.element_id for s in model.diagrams[1].shapes] == ["inner"]
    assert model.diagram_of("inner") == 1
    assert model.diagram_of("task") == 0
    assert model.diagram_of("nowhere") is None


def test_colours_are_read_and_bad_values_dropped(model):
    shapes = {s.element_id: s for s in model.diagrams[0].shapes}
    assert (shapes["start"].fill, shapes["start"].stroke) == ("#ffcccc", "red")
    assert (shapes["task"].fill, shapes["task"].stroke) == ("rgb(255, 0, 0)", None)
    assert (shapes["loop"].fill, shapes["loop"].stroke) == (None, "#12345")
    assert (shapes["multi"].fill, shapes["multi"].stroke) == (None, None)


def test_di_flags(model):
    shapes = {s.element_id: s for s in model.diagrams[0].shapes}
    assert shapes["pool"].is_horizontal is True
    assert shapes["laneB"].is_horizontal is None
    assert shapes["sub"].is_expanded is True
    assert shapes["gw"].is_marker_visible is True
    assert shapes["task"].is_expanded is None


def test_boundary_events_and_event_definitions(model):
    e = model.elements
    assert e["timer"].attached_to == "task"
    assert e["timer"].attrs["cancelActivity"] == "false"
    assert e["timer"].event_definitions == ("timer",)  # via eventDefinitionRef
    assert e["start"].event_definitions == ("message",)
    assert e["multiple"].event_definitions == ("signal", "escalation")
    assert e["end"].event_definitions == ("terminate",)
    assert e["sub"].attrs["triggeredByEvent"] == "true"
    assert "msg1" not in e and "globalTimer" not in e and "cv1" not in e


def test_default_and_conditional_flows(model):
    e = model.elements
    assert e["toEnd"].is_default and e["gwDefault"].is_default
    assert not e["toGw"].is_default and not e["gwCond"].is_default
    assert e["toGw"].is_conditional  # a condition on a flow out of an activity gets the marker
    assert not e["gwCond"].is_conditional  # out of a gateway it is ordinary
    assert (e["toGw"].source_id, e["toGw"].target_id) == ("task", "gw")


def test_loops(model):
    e = model.elements
    assert (e["loop"].loop, e["multi"].loop, e["task"].loop, e["gw"].loop) == (
        "standard",
        "parallel",
        "sequential",
        None,
    )


def test_data_associations_and_artifacts(model):
    e = model.elements
    assert (e["out"].source_id, e["out"].target_id) == ("task", "store")
    assert (e["in"].source_id, e["in"].target_id) == ("doc", "task")
    assert e["doc"].attrs["isCollection"] == "true"
    assert e["note"].text == "要確認" and e["note"].label == "要確認"
    assert e["grp"].name == "営業の範囲"
    assert (e["assoc"].source_id, e["assoc"].target_id) == ("note", "task")
    assert e["task"].name == "見積\n作成"


def test_lanes_and_pools(model):
    e = model.elements
    assert e["laneA"].attrs["flowNodeRefs"] == "start task"
    assert e["pool"].process_id == "proc"
    lanes = model.lane_of()
    assert lanes["start"] == "営業" and lanes["task"] == "営業" and lanes["gw"] == "出荷"
    assert lanes["end"] == "受注センター"  # in no lane: the pool's name
    assert e["inner"].parent_id == "sub"
    assert e["task"].parent_id == "proc"


def test_steps_are_activities_events_and_gateways(model):
    assert [s.id for s in model.steps()] == [
        "start",
        "task",
        "loop",
        "multi",
        "sub",
        "inner",
        "timer",
        "multiple",
        "gw",
        "end",
    ]


def test_limits_are_adjustable():
    with pytest.raises(BpmnRejected) as raised:
        parse(FEATURES, Limits(max_elements=20))
    assert raised.value.code == "too_many_elements"
    with pytest.raises(BpmnRejected) as raised:
        parse(FEATURES, Limits(max_depth=4))
    assert raised.value.code == "too_deep"
    with pytest.raises(BpmnRejected) as raised:
        parse(FEATURES, Limits(max_bytes=1000))
    assert raised.value.code == "too_large"
