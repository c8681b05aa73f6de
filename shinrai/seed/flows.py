"""Business flows: for about three projects in ten, one or two BPMN flows with one to three versions, their
steps linked to the project's requirements, and a few comments on the steps.

The files are the flows app's demo flow (受注から出荷まで, shinrai/flows/demo) and four more business
processes drawn here (:func:`bpmn_file`: lanes, tasks, a gateway, with the diagram interchange the renderer
needs), each in up to three versions (a step added, a step renamed). Element ids stay the same across
versions, as modelling tools keep them, so links and comments carry over. Every distinct file is parsed and
rendered once by the flows app's own parser and renderer, and the result is stored for every version that
uploads it, the way ``flows.services`` stores an upload (source, SHA-256, one SVG per diagram, one row per
step).

Audit events written, shaped as the services write them: ``flow.create``, ``flow.version_upload``,
``flow.link_add`` and ``flow.comment_add``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from shinrai.flows.bpmn import parse
from shinrai.flows.bpmn.model import ACTIVITY_KINDS
from shinrai.flows.bpmn.render import render_svg
from shinrai.flows.models import (
    BusinessFlow,
    FlowDiagram,
    FlowStep,
    FlowVersion,
    StepComment,
    StepRequirementLink,
)

from .base import ProjectPlan, Seeder, at_tokyo

FLOWS_EVERY = (0, 3, 6)  # projects whose index ends in these digits have flows (three in ten, from the first)
DEMO = Path(__file__).resolve().parent.parent / "flows" / "demo"


@dataclass(frozen=True)
class Node:
    """A step of a drawn process: in the versions from ``since`` on, renamed from version ``renamed[0]``."""

    id: str
    kind: str
    name: str
    lane: int
    since: int = 1
    renamed: tuple[int, str] | None = None
    otherwise: str = ""  # a gateway's "no" branch ends here (an end event below it)


@dataclass(frozen=True)
class Process:
    key: str
    title: str
    description: str
    pool: str
    lanes: tuple[str, ...]
    nodes: tuple[Node, ...]
    notes: tuple[str, ...]  # what changed in version 1, 2, 3


PROCESSES = (
    Process(
        "purchase",
        "購買申請から支払まで",
        "備品やサービスを購入するときの申請・承認・発注・支払の流れ。承認の段階を確認するための図です。",
        "当社",
        ("申請部門", "上長", "購買部", "経理部"),
        (
            Node("Start_Need", "startEvent", "購入が必要になった", 0),
            Node("Task_Request", "userTask", "購買申請を入力する", 0),
            Node("Task_Approve", "userTask", "申請を承認する", 1),
            Node("Gateway_Approved", "exclusiveGateway", "承認されたか", 1, otherwise="差戻し"),
            Node("Task_Quote", "userTask", "相見積を取得する", 2, since=2),
            Node("Task_Order", "userTask", "発注する", 2, renamed=(3, "発注書を発行する")),
            Node("Task_Receive", "manualTask", "検収する", 2),
            Node("Task_Pay", "serviceTask", "支払を処理する", 3),
            Node("End_Paid", "endEvent", "支払完了", 3),
        ),
        ("初版（業務ヒアリング後）", "相見積の手順を追加", "発注の手順名を修正"),
    ),
    Process(
        "inquiry",
        "問い合わせ対応",
        "お客様からの問い合わせを受けてから回答するまでの流れ。窓口と担当部署の分担を示します。",
        "サポートセンター",
        ("窓口", "担当部署"),
        (
            Node("Start_Inquiry", "startEvent", "問い合わせを受けた", 0),
            Node("Task_Record", "userTask", "内容を記録する", 0),
            Node(
                "Gateway_Escalate", "exclusiveGateway", "担当部署の確認が必要か", 0, otherwise="その場で回答"
            ),
            Node("Task_Escalate", "sendTask", "担当部署へ連携する", 0),
            Node("Task_Investigate", "userTask", "調査する", 1, renamed=(3, "原因を調査する")),
            Node("Task_Answer", "sendTask", "回答する", 0),
            Node("Task_FAQ", "userTask", "FAQに登録する", 0, since=2),
            Node("End_Done", "endEvent", "対応完了", 0),
        ),
        ("初版", "FAQへの登録を追加", "調査の手順名を修正"),
    ),
    Process(
        "closing",
        "月次締め",
        "月末の経費精算から月次決算の報告までの流れ。締め日程の短縮を検討するための図です。",
        "当社",
        ("各部門", "経理部"),
        (
            Node("Start_MonthEnd", "startEvent", "月末になった", 0),
            Node("Task_Expense", "userTask", "経費を精算する", 0),
            Node("Task_Slips", "serviceTask", "伝票を集計する", 1),
            Node("Task_Accrual", "userTask", "未払費用を計上する", 1, since=2),
            Node("Task_Check", "userTask", "残高を確認する", 1),
            Node("Gateway_Diff", "exclusiveGateway", "差異はないか", 1, otherwise="差異の調査へ"),
            Node("Task_Report", "sendTask", "月次決算を報告する", 1, renamed=(3, "経営会議に報告する")),
            Node("End_Closed", "endEvent", "締め完了", 1),
        ),
        ("初版", "未払費用の計上を追加", "報告先を明記"),
    ),
    Process(
        "onboarding",
        "入社手続き",
        "内定承諾から配属先での受け入れまでの流れ。アカウント発行のタイミングを確認するための図です。",
        "当社",
        ("人事部", "情報システム部", "配属部署"),
        (
            Node("Start_Accepted", "startEvent", "内定を承諾した", 0),
            Node("Task_Contract", "userTask", "雇用契約を結ぶ", 0),
            Node("Task_Account", "serviceTask", "アカウントを発行する", 1),
            Node("Task_PC", "manualTask", "PCを準備する", 1),
            Node("Task_Security", "userTask", "セキュリティ研修を受講する", 0, since=2),
            Node(
                "Task_Orientation", "userTask", "オリエンテーションを行う", 0, renamed=(3, "入社説明会を行う")
            ),
            Node("Task_OJT", "userTask", "OJTを始める", 2),
            Node("End_Joined", "endEvent", "受入完了", 2),
        ),
        ("初版", "セキュリティ研修を追加", "説明会の名称を修正"),
    ),
)
COMMENTS = (
    "この手順の担当者は誰になりますか。現場では兼務が多いので確認させてください。",
    "ここは現在は紙で回しています。システム化の範囲に入るか確認したいです。",
    "処理件数は1日あたり約200件です。",
    "例外時の手順がまだ書かれていません。次回の定例で確認しましょう。",
    "この手順は月末に集中します。ピーク時の体制を検討してください。",
    "承知しました。要件に反映します。",
    "前回の打合せの内容どおりで問題ありません。",
)

# --- Drawing the processes --------------------------------------------------------------------------------

LANE_HEIGHT, COLUMN, LEFT, TOP = 200, 150, 240, 60
SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}


def _shape(kind: str) -> str:
    return "event" if kind.endswith("Event") else "gateway" if kind.endswith("Gateway") else "task"


def bpmn_file(process: Process, version: int) -> bytes:
    """One version of a drawn process as a BPMN 2.0 file with its diagram (pool, lanes, steps, flows)."""
    nodes = [node for node in process.nodes if node.since <= version]

    def name(node: Node) -> str:
        return node.renamed[1] if node.renamed and version >= node.renamed[0] else node.name

    bounds, centre = {}, {}
    for column, node in enumerate(nodes):
        width, height = SIZES[_shape(node.kind)]
        cx, cy = LEFT + column * COLUMN + 50, TOP + node.lane * LANE_HEIGHT + 80
        bounds[node.id] = (cx - width / 2, cy - height / 2, width, height)
        centre[node.id] = (cx, cy)
    flows = []  # (id, source, target, name)
    ends = []  # the gateways' "no" ends: (node, gateway)
    for source, target in zip(nodes, nodes[1:], strict=False):
        flows.append((f"Flow_{source.id}", source.id, target.id, "はい" if source.otherwise else ""))
        if source.otherwise:
            end = Node(f"{source.id}_No", "endEvent", source.otherwise, source.lane)
            cx, cy = centre[source.id][0], centre[source.id][1] + 80  # right below the gateway
            bounds[end.id], centre[end.id] = (cx - 18, cy - 18, 36, 36), (cx, cy)
            ends.append((end, source))
            flows.append((f"Flow_{source.id}_No", source.id, end.id, "いいえ"))
    width = LEFT - 160 + len(nodes) * COLUMN + 40
    lanes = {i: [node.id for node in nodes if node.lane == i] for i in range(len(process.lanes))}
    for end, gateway in ends:
        lanes[gateway.lane].append(end.id)
    incoming = {target: fid for fid, _s, target, _n in flows}
    outgoing: dict[str, list[str]] = {}
    for fid, source, _t, _n in flows:
        outgoing.setdefault(source, []).append(fid)

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        f'id="Definitions_{process.key}" targetNamespace="http://shinrai.example.jp/seed/{process.key}" '
        f'exporter="shinrai seed" exporterVersion="{version}">',
        '  <bpmn:collaboration id="Collaboration_1">',
        f'    <bpmn:participant id="Participant_1" name={quoteattr(process.pool)} processRef="Process_1"/>',
        "  </bpmn:collaboration>",
        f'  <bpmn:process id="Process_1" name={quoteattr(process.title)} isExecutable="false">',
        '    <bpmn:laneSet id="LaneSet_1">',
    ]
    for i, lane in enumerate(process.lanes):
        refs = "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in lanes[i])
        out.append(f'      <bpmn:lane id="Lane_{i + 1}" name={quoteattr(lane)}>{refs}</bpmn:lane>')
    out.append("    </bpmn:laneSet>")
    for node, label in [(n, name(n)) for n in nodes] + [(end, end.name) for end, _g in ends]:
        links = "".join(
            [f"<bpmn:incoming>{incoming[node.id]}</bpmn:incoming>"] if node.id in incoming else []
        ) + "".join(f"<bpmn:outgoing>{fid}</bpmn:outgoing>" for fid in outgoing.get(node.id, []))
        out.append(f'    <bpmn:{node.kind} id="{node.id}" name={quoteattr(label)}>{links}</bpmn:{node.kind}>')
    for fid, source, target, label in flows:
        named = f" name={quoteattr(label)}" if label else ""
        out.append(f'    <bpmn:sequenceFlow id="{fid}"{named} sourceRef="{source}" targetRef="{target}"/>')
    out += [
        "  </bpmn:process>",
        f'  <bpmndi:BPMNDiagram id="BPMNDiagram_1" name={quoteattr(process.title)}>',
        '    <bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Collaboration_1">',
        _di_shape("Participant_1", (160, TOP, width, LANE_HEIGHT * len(process.lanes)), horizontal=True),
    ]
    for i in range(len(process.lanes)):
        box = (190, TOP + i * LANE_HEIGHT, width - 30, LANE_HEIGHT)
        out.append(_di_shape(f"Lane_{i + 1}", box, horizontal=True))
    for node in [*nodes, *(end for end, _g in ends)]:
        x, y, w, h = bounds[node.id]
        label = None
        if _shape(node.kind) == "event":
            label = (x - 22, y + h + 5, 80, 14)
        elif _shape(node.kind) == "gateway":
            label = (x - 35, y - 34, 120, 28)
        out.append(_di_shape(node.id, (x, y, w, h), label=label))
    for fid, source, target, label in flows:
        sx, sy, sw, sh = bounds[source]
        tx, ty, tw, th = bounds[target]
        if fid.endswith("_No"):  # straight down out of the gateway into its end event
            points = [(sx + sw / 2, sy + sh), (tx + tw / 2, ty)]
        else:
            start, finish = (sx + sw, sy + sh / 2), (tx, ty + th / 2)
            middle = (start[0] + finish[0]) / 2
            points = (
                [start, finish]
                if start[1] == finish[1]
                else [start, (middle, start[1]), (middle, finish[1]), finish]
            )
        waypoints = "".join(f'<di:waypoint x="{x:g}" y="{y:g}"/>' for x, y in points)
        text = ""
        if label:
            x, y = points[0][0] + 6, points[0][1] + (4 if fid.endswith("_No") else -18)
            text = _di_label((x, y, 30, 14))
        out.append(
            f'      <bpmndi:BPMNEdge id="{fid}_di" bpmnElement="{fid}">{waypoints}{text}</bpmndi:BPMNEdge>'
        )
    out += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>", "</bpmn:definitions>", ""]
    return "\n".join(out).encode("utf-8")


def _di_shape(element: str, box, *, label=None, horizontal: bool = False) -> str:
    x, y, w, h = box
    extra = ' isHorizontal="true"' if horizontal else ""
    inner = f'<dc:Bounds x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}"/>'
    if label:
        inner += _di_label(label)
    ref = escape(element)
    return f'      <bpmndi:BPMNShape id="{ref}_di" bpmnElement="{ref}"{extra}>{inner}</bpmndi:BPMNShape>'


def _di_label(box) -> str:
    x, y, w, h = box
    return (
        f'<bpmndi:BPMNLabel><dc:Bounds x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}"/></bpmndi:BPMNLabel>'
    )


# --- The catalogue: every flow's versions, each file parsed and drawn once ---------------------------------


@dataclass(frozen=True)
class Upload:
    """One file as the flows app stores it: bytes, digest, drawings and steps."""

    filename: str
    note: str
    data: bytes
    sha256: str
    diagrams: tuple[tuple[int, str, str], ...]  # (index, name, SVG)
    steps: tuple[tuple[str, str, str, str, int | None], ...]  # (element id, kind, name, lane, diagram)
    activities: tuple[str, ...]  # element ids of the steps that do work (and so should serve a requirement)


@dataclass(frozen=True)
class Template:
    title: str
    description: str
    versions: tuple[Upload, ...]


_CATALOGUE: list[Template] = []


def _upload(data: bytes, filename: str, note: str) -> Upload:
    model = parse(data)  # the flows app's own parser and renderer, as an upload runs them
    lanes = model.lane_of()
    steps = tuple(
        (e.id[:255], e.kind, e.name, lanes.get(e.id, ""), model.diagram_of(e.id)) for e in model.steps()
    )
    return Upload(
        filename=filename,
        note=note,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        diagrams=tuple((i, d.name[:500], render_svg(model, i)) for i, d in enumerate(model.diagrams)),
        steps=steps,
        activities=tuple(element_id for element_id, kind, *_rest in steps if kind in ACTIVITY_KINDS),
    )


def catalogue() -> list[Template]:
    """The flows the seed uploads, with every version drawn (once per process run; about 20 ms)."""
    if not _CATALOGUE:
        v1, v2 = (DEMO / "order_to_ship_v1.bpmn").read_bytes(), (DEMO / "order_to_ship_v2.bpmn").read_bytes()
        v3 = v2.replace('name="出荷する"'.encode(), 'name="出荷を確定する"'.encode())
        title = "受注から出荷まで"
        versions = (
            _upload(v1, f"{title}_v1.bpmn", "初版（業務ヒアリング後）"),
            _upload(v2, f"{title}_v2.bpmn", "ピッキングの手順名を修正、請求書の発行を追加"),
            _upload(v3, f"{title}_v3.bpmn", "出荷の手順名を修正"),
        )
        _CATALOGUE.append(
            Template(
                title,
                "注文を受けてから出荷・請求までの業務。営業と倉庫の分担を確認するための図です。",
                versions,
            )
        )
        for process in PROCESSES:
            versions = tuple(
                _upload(bpmn_file(process, n), f"{process.title}_v{n}.bpmn", process.notes[n - 1])
                for n in range(1, len(process.notes) + 1)
            )
            _CATALOGUE.append(Template(process.title, process.description, versions))
    return _CATALOGUE


# --- Per project ------------------------------------------------------------------------------------------


def seed_flows(s: Seeder, plan: ProjectPlan) -> None:
    first = at_tokyo(plan.start + timedelta(days=7), 10)
    if plan.index % 10 not in FLOWS_EVERY or first > s.now - timedelta(days=1):
        return  # by index, not by chance: even a handful of projects has flows
    rng = s.rng("flows", plan.index)
    refs: dict[int, str] = plan.shared.get("requirement_refs", {})
    editors = [plan.pm, *plan.vendor_members]
    customers = plan.sponsors + plan.customer_members
    for template in rng.sample(catalogue(), rng.choice((1, 1, 2))):
        span = max(1.0, (s.now - first).total_seconds() / 3600)
        at = first + timedelta(hours=rng.uniform(0, span / 2))
        author = rng.choice(editors)
        visibility = rng.choices(("customer", "partners", "internal"), (80, 10, 10))[0]
        flow = s.add(
            BusinessFlow(
                project_id=plan.id,
                title=template.title,
                description=template.description,
                visibility=visibility,
                created_by_id=author,
                created_at=at,
                updated_at=at,
            )
        )
        s.audit(
            at=at,
            actor=author,
            action="flow.create",
            object_type="flows.businessflow",
            object_id=flow.pk,
            project=plan.id,
            after={"title": template.title},
        )
        count = rng.choices((1, 2, 3), (40, 40, 20))[0]
        upload = None
        for number, upload in enumerate(template.versions[:count], start=1):
            if number > 1:
                at = min(
                    s.now - timedelta(minutes=5),
                    at + timedelta(days=rng.randint(3, 40), hours=rng.randint(0, 6)),
                )
            version = s.add(
                FlowVersion(
                    flow_id=flow.pk,
                    number=number,
                    filename=upload.filename,
                    source=upload.data,
                    sha256=upload.sha256,
                    note=upload.note,
                    uploaded_by_id=author,
                    uploaded_at=at,
                )
            )
            for index, name, svg in upload.diagrams:
                s.add(FlowDiagram(version_id=version.pk, index=index, name=name, svg=svg))
            for position, (element_id, kind, name, lane, diagram) in enumerate(upload.steps):
                s.add(
                    FlowStep(
                        version_id=version.pk,
                        element_id=element_id,
                        kind=kind,
                        name=name,
                        lane=lane,
                        diagram_index=diagram,
                        position=position,
                    )
                )
            s.audit(
                at=at,
                actor=author,
                action="flow.version_upload",
                object_type="flows.flowversion",
                object_id=version.pk,
                project=plan.id,
                after={"number": number, "filename": upload.filename, "sha256": upload.sha256},
            )
            flow.current_version_id, flow.updated_at = version.pk, at
        _links_and_comments(s, plan, rng, flow, upload, at, refs, editors, customers)


def _links_and_comments(s, plan, rng, flow, upload: Upload, at, refs, editors, customers) -> None:
    """Links from most work steps of the newest version to requirements, and a few comments."""
    requirements = sorted(refs)
    linked_at = at
    for element_id in upload.activities:
        if not requirements or rng.random() >= 0.7:
            continue  # a gap the team still has to discuss
        for requirement in rng.sample(requirements, min(len(requirements), rng.choice((1, 1, 2)))):
            linked_at = min(s.now, linked_at + timedelta(minutes=rng.randint(1, 30)))
            who = rng.choice(editors)
            link = s.add(
                StepRequirementLink(
                    flow_id=flow.pk,
                    element_id=element_id,
                    requirement_id=requirement,
                    linked_by_id=who,
                    linked_at=linked_at,
                )
            )
            s.audit(
                at=linked_at,
                actor=who,
                action="flow.link_add",
                object_type="flows.steprequirementlink",
                object_id=link.pk,
                project=plan.id,
                after={"step": element_id, "requirement": refs[requirement]},
            )
    for _ in range(rng.randint(0, 4)):
        who = rng.choice(editors + customers if flow.visibility != "internal" else editors)
        written = min(s.now, linked_at + timedelta(hours=rng.randint(1, 24 * 10)))
        comment = s.add(
            StepComment(
                flow_id=flow.pk,
                element_id=rng.choice(upload.activities),
                author_id=who,
                body=rng.choice(COMMENTS),
                created_at=written,
            )
        )
        s.audit(
            at=written,
            actor=who,
            action="flow.comment_add",
            object_type="flows.stepcomment",
            object_id=comment.pk,
            project=plan.id,
        )
