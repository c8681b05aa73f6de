"""Small BPMN files written inline for the renderer tests (shapes as (id, x, y, w, h) tuples)."""

from __future__ import annotations

from html import escape

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
    ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
    ' xmlns:bioc="http://bpmn.io/schema/bpmn/biocolor/1.0"'
    ' xmlns:color="http://www.omg.org/spec/BPMN/non-normative/color/1.0" id="defs" name="inline">'
)


def shape_xml(
    element_id: str, x: float, y: float, w: float, h: float, extra: str = "", label: str = ""
) -> str:
    return (
        f'<bpmndi:BPMNShape id="{escape(element_id)}_di" bpmnElement="{escape(element_id)}" {extra}>'
        f'<dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}"/>{label}</bpmndi:BPMNShape>'
    )


def edge_xml(element_id: str, *points: tuple[float, float], extra: str = "") -> str:
    waypoints = "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in points)
    return (
        f'<bpmndi:BPMNEdge id="{escape(element_id)}_di" bpmnElement="{escape(element_id)}" {extra}>'
        f"{waypoints}</bpmndi:BPMNEdge>"
    )


def document(semantic: str, di: str, plane: str = "P1", diagram_name: str = "Inline") -> bytes:
    return (
        f'{HEADER}{semantic}<bpmndi:BPMNDiagram id="D1" name="{escape(diagram_name)}">'
        f'<bpmndi:BPMNPlane id="PL1" bpmnElement="{plane}">{di}</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>'
        "</definitions>"
    ).encode()


# Nearly every kind the renderer knows, in one process: used to check nothing crashes and groups match the DI.
KITCHEN_SINK = document(
    '<process id="P1">'
    '<startEvent id="start_plain" name="Start"/>'
    '<startEvent id="start_msg" isInterrupting="false"><messageEventDefinition/></startEvent>'
    '<userTask id="t_user" name="User"/><serviceTask id="t_service" name="Service"/>'
    '<sendTask id="t_send" name="Send"/><receiveTask id="t_receive" name="Receive"/>'
    '<manualTask id="t_manual" name="Manual"/><businessRuleTask id="t_rule" name="Rule"/>'
    '<scriptTask id="t_script" name="Script"/>'
    '<task id="t_loop" name="Loop"><standardLoopCharacteristics/></task>'
    '<task id="t_par" name="Par" isForCompensation="true"><multiInstanceLoopCharacteristics/></task>'
    '<task id="t_seq" name="Seq"><multiInstanceLoopCharacteristics isSequential="true"/></task>'
    '<callActivity id="call" name="Call"/>'
    '<subProcess id="sub_collapsed" name="Collapsed"/>'
    '<subProcess id="sub_event" name="Event sub" triggeredByEvent="true"/>'
    '<transaction id="tx" name="Transaction"/>'
    '<adHocSubProcess id="adhoc" name="Ad hoc"/>'
    '<intermediateThrowEvent id="throw_msg"><messageEventDefinition/></intermediateThrowEvent>'
    '<intermediateCatchEvent id="catch_timer"><timerEventDefinition/></intermediateCatchEvent>'
    '<intermediateCatchEvent id="catch_cond"><conditionalEventDefinition/></intermediateCatchEvent>'
    '<intermediateThrowEvent id="throw_link"><linkEventDefinition/></intermediateThrowEvent>'
    '<intermediateThrowEvent id="throw_esc"><escalationEventDefinition/></intermediateThrowEvent>'
    '<intermediateThrowEvent id="throw_comp"><compensateEventDefinition/></intermediateThrowEvent>'
    '<intermediateCatchEvent id="catch_signal"><signalEventDefinition/></intermediateCatchEvent>'
    '<intermediateCatchEvent id="catch_multi"><messageEventDefinition/><timerEventDefinition/>'
    "</intermediateCatchEvent>"
    '<intermediateCatchEvent id="catch_pmulti" parallelMultiple="true"><messageEventDefinition/>'
    "<timerEventDefinition/></intermediateCatchEvent>"
    '<endEvent id="end_msg"><messageEventDefinition/></endEvent>'
    '<endEvent id="end_error"><errorEventDefinition/></endEvent>'
    '<endEvent id="end_cancel"><cancelEventDefinition/></endEvent>'
    '<endEvent id="end_terminate"><terminateEventDefinition/></endEvent>'
    '<boundaryEvent id="boundary" attachedToRef="t_user" cancelActivity="false"><timerEventDefinition/>'
    "</boundaryEvent>"
    '<exclusiveGateway id="gw_x" default="flow_default"/><parallelGateway id="gw_plus"/>'
    '<inclusiveGateway id="gw_o"/><complexGateway id="gw_star"/>'
    '<eventBasedGateway id="gw_event"/><eventBasedGateway id="gw_event_par" instantiate="true"'
    ' eventGatewayType="Parallel"/>'
    '<dataObject id="do1" isCollection="true"/>'
    '<dataObjectReference id="data_ref" dataObjectRef="do1" name="Docs"/>'
    '<dataStoreReference id="store" name="DB"/>'
    '<textAnnotation id="note"><text>A note</text></textAnnotation>'
    '<sequenceFlow id="flow_default" sourceRef="gw_x" targetRef="t_user"/>'
    '<sequenceFlow id="flow_cond" sourceRef="t_user" targetRef="t_service">'
    "<conditionExpression>x</conditionExpression></sequenceFlow>"
    '<association id="assoc" sourceRef="note" targetRef="t_user" associationDirection="Both"/>'
    '<mysteryElement id="mystery" name="Mystery"/>'
    "</process>",
    "".join(
        shape_xml(element_id, x, y, w, h, extra)
        for element_id, x, y, w, h, extra in [
            ("start_plain", 0, 0, 36, 36, ""),
            ("start_msg", 60, 0, 36, 36, ""),
            ("t_user", 120, 0, 100, 80, ""),
            ("t_service", 240, 0, 100, 80, ""),
            ("t_send", 360, 0, 100, 80, ""),
            ("t_receive", 480, 0, 100, 80, ""),
            ("t_manual", 600, 0, 100, 80, ""),
            ("t_rule", 720, 0, 100, 80, ""),
            ("t_script", 840, 0, 100, 80, ""),
            ("t_loop", 0, 120, 100, 80, ""),
            ("t_par", 120, 120, 100, 80, ""),
            ("t_seq", 240, 120, 100, 80, ""),
            ("call", 360, 120, 100, 80, 'isExpanded="true"'),
            ("sub_collapsed", 480, 120, 100, 80, ""),
            ("sub_event", 600, 120, 200, 120, 'isExpanded="true"'),
            ("tx", 820, 120, 200, 120, 'isExpanded="true"'),
            ("adhoc", 0, 260, 100, 80, ""),
            ("throw_msg", 120, 260, 36, 36, ""),
            ("catch_timer", 180, 260, 36, 36, ""),
            ("catch_cond", 240, 260, 36, 36, ""),
            ("throw_link", 300, 260, 36, 36, ""),
            ("throw_esc", 360, 260, 36, 36, ""),
            ("throw_comp", 420, 260, 36, 36, ""),
            ("catch_signal", 480, 260, 36, 36, ""),
            ("catch_multi", 540, 260, 36, 36, ""),
            ("catch_pmulti", 600, 260, 36, 36, ""),
            ("end_msg", 660, 260, 36, 36, ""),
            ("end_error", 720, 260, 36, 36, ""),
            ("end_cancel", 780, 260, 36, 36, ""),
            ("end_terminate", 840, 260, 36, 36, ""),
            ("boundary", 180, 62, 36, 36, ""),
            ("gw_x", 0, 380, 50, 50, 'isMarkerVisible="true"'),
            ("gw_plus", 80, 380, 50, 50, ""),
            ("gw_o", 160, 380, 50, 50, ""),
            ("gw_star", 240, 380, 50, 50, ""),
            ("gw_event", 320, 380, 50, 50, ""),
            ("gw_event_par", 400, 380, 50, 50, ""),
            ("data_ref", 480, 380, 36, 50, ""),
            ("store", 560, 380, 50, 50, ""),
            ("note", 640, 380, 100, 30, ""),
            ("mystery", 780, 380, 100, 50, ""),
        ]
    )
    + edge_xml("flow_default", (25, 380), (25, 340), (170, 340), (170, 80))
    + edge_xml("flow_cond", (220, 40), (240, 40))
    + edge_xml("assoc", (640, 395), (170, 80)),
)


def task_grid(count: int, name: str = "Task number {i} with a longer name") -> bytes:
    """``count`` tasks in rows of 25 chained by sequence flows (``name`` may use ``{i}``): a large diagram."""
    semantic = "".join(f'<task id="t{i}" name="{name.format(i=i)}"/>' for i in range(count))
    flows = "".join(
        f'<sequenceFlow id="f{i}" sourceRef="t{i}" targetRef="t{i + 1}"/>' for i in range(count - 1)
    )
    di = "".join(shape_xml(f"t{i}", (i % 25) * 130, (i // 25) * 100, 100, 80) for i in range(count))
    di += "".join(
        edge_xml(
            f"f{i}",
            ((i % 25) * 130 + 100, (i // 25) * 100 + 40),
            ((i % 25) * 130 + 130, (i // 25) * 100 + 40),
        )
        for i in range(count - 1)
    )
    return document(f'<process id="P1">{semantic}{flows}</process>', di)
