"""Threat: stored cross-site scripting through names, texts, BPMN labels and file names (ASVS 5.0 V1.2.1
output encoding, V1.2.2 safe URL schemes, V1.3.4 SVG, V1.3.5 Markdown, V1.3.7 template injection, V4.1.1
content types, V5.4.2 file names in Content-Disposition).

- Every free-text column of every model is filled with hostile markup (``hostile_world.py``) and every page
  the access matrix knows is opened by a vendor, a customer and a partner user. Each HTML page is parsed
  and must contain no executable markup (``markup.py``) and must show the stored text as text; each SVG
  gets the same check as an XML document; each API answer must be JSON.
- There is no Markdown renderer in Shinrai (no nh3 either): every text field is plain text, escaped, with
  ``linebreaksbr`` at most. The corpus holds Markdown link and image shapes so that a renderer added later
  is held to the same check.
- BPMN: labels of every kind are drawn by our renderer as escaped text; element ids that are not XML names
  (a "/" broke every link to the flow's steps: HTTP 500 on the flow page) are refused at upload.
- Upload file names come back escaped in pages and as a one-line ``attachment`` in downloads.
"""

from __future__ import annotations

import html
from xml.sax.saxutils import escape, quoteattr

import pytest
from defusedxml import ElementTree as SafeET
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from shinrai.core.models import User
from shinrai.flows.bpmn import BpmnRejected
from shinrai.flows.models import BusinessFlow, FlowStep, FlowVersion
from shinrai.flows.rejections import message_for
from tests.caches import clear_caches

from . import hostile_world
from .markup import html_problems, html_text, svg_problems
from .payloads import CORPUS, XSS
from .test_access_matrix import EXPECTATIONS

# Pages that show no stored text at all (checked for markup all the same).
NO_STORED_TEXT = {"api:openapi-view"}
# Payloads that no HTML context runs: a template expression (it must come back literally) and CDATA (only
# markup inside inline SVG or XML; in HTML it is a bogus comment).
NOT_MARKUP_IN_HTML = {"{{ 7*7 }}{% debug %}${7*7}", "<![CDATA[<script>alert(1)</script>]]>"}


@pytest.mark.parametrize("payload", [p for p in XSS if p not in NOT_MARKUP_IN_HTML])
def test_the_checker_sees_each_payload_when_it_is_not_escaped(payload):
    """The check must be able to fail: every payload, put into a page raw (as text, as an attribute
    value, or after a double unescape), is reported."""
    raw = [f"<p>{payload}</p>", f'<a href="{payload}">x</a>', f"<p>{html.unescape(payload)}</p>"]
    assert any(html_problems(page) for page in raw)
    assert html_problems(f"<p>{html.escape(payload)}</p>") == []


# The start of every payload, as a page shows it (bidi controls are shown as U+FFFD).
SHOWN_STARTS = {payload.replace("\u202e", "\ufffd")[:10] for payload in CORPUS}


def shows_a_payload(text: str) -> bool:
    return any(start in text for start in SHOWN_STARTS)


@pytest.fixture
def poisoned(cast):
    planned = hostile_world.visits(cast, EXPECTATIONS)
    assert hostile_world.poison_every_text_column() > 100
    clear_caches()  # charts and dashboards are cached by a fingerprint a raw UPDATE does not move
    return planned


def test_no_page_shows_stored_text_as_markup(client, cast, poisoned):
    failures = []
    for visit in poisoned:
        client.force_login(cast.users[visit.role])
        response = client.get(visit.url)
        where = f"{visit.route} as {visit.role} ({visit.url})"
        if response.status_code != 200:
            failures.append(f"{where}: HTTP {response.status_code}")
            continue
        content_type = response.get("Content-Type", "")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if content_type.startswith("text/html"):
            page = body.decode()
            failures += [f"{where}: {problem}" for problem in html_problems(page)]
            if visit.route not in NO_STORED_TEXT and not shows_a_payload(html_text(page)):
                failures.append(f"{where}: no stored text shown (was the page set up?)")
        elif content_type.startswith("image/svg+xml"):
            failures += [f"{where}: {problem}" for problem in svg_problems(body)]
        elif not content_type.startswith(("application/json", "text/calendar")) and not response.get(
            "Content-Disposition", ""
        ).startswith("attachment"):
            # Anything else must be a download, never shown by the browser as a page of ours.
            failures.append(f"{where}: {content_type} served inline")
    assert not failures, "\n".join(failures)


# --- BPMN -----------------------------------------------------------------------------------------


# Odd ids that a step can still have: they are escaped in attributes and percent-encoded in URLs.
ODD_IDS = ['Task "quoted" <b>', "javascript:alert(1)", "two words", "1digit", "%2F", "?q=1#x"]


def hostile_bpmn(ids: list[str] | None = None) -> tuple[bytes, list[str]]:
    """A process with a lane, tasks, flows, an annotation and a pool, every label a payload.
    Returns the file and the labels that are drawn."""
    ids = ids or [*ODD_IDS, *(f"Task_{n}" for n in range(len(XSS) - len(ODD_IDS)))]
    labels = [XSS[n % len(XSS)] for n in range(len(ids))]
    nodes = [
        ("Start", "startEvent", XSS[1]),
        *[(i, "task", label) for i, label in zip(ids, labels, strict=True)],
    ]
    semantic = "".join(f"<bpmn:{kind} id={quoteattr(i)} name={quoteattr(name)}/>" for i, kind, name in nodes)
    flows = "".join(
        f"<bpmn:sequenceFlow id='Flow_{n}' sourceRef={quoteattr(a[0])} targetRef={quoteattr(b[0])} "
        f"name={quoteattr(XSS[(n + 3) % len(XSS)])}/>"
        for n, (a, b) in enumerate(zip(nodes, nodes[1:], strict=False))
    )
    refs = "".join(f"<bpmn:flowNodeRef>{escape(i)}</bpmn:flowNodeRef>" for i, _k, _n in nodes)
    shapes = "".join(
        f"<bpmndi:BPMNShape id='Shape_{n}' bpmnElement={quoteattr(i)}>"
        f"<dc:Bounds x='{100 + 150 * n}' y='80' width='100' height='80'/></bpmndi:BPMNShape>"
        for n, (i, _kind, _name) in enumerate(nodes)
    )
    edges = "".join(
        f"<bpmndi:BPMNEdge id='Edge_{n}' bpmnElement='Flow_{n}'><di:waypoint x='{200 + 150 * n}' y='120'/>"
        f"<di:waypoint x='{250 + 150 * n}' y='120'/></bpmndi:BPMNEdge>"
        for n in range(len(nodes) - 1)
    )
    annotation = XSS[2]
    data = (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<bpmn:definitions xmlns:bpmn='http://www.omg.org/spec/BPMN/20100524/MODEL' "
        "xmlns:bpmndi='http://www.omg.org/spec/BPMN/20100524/DI' "
        "xmlns:dc='http://www.omg.org/spec/DD/20100524/DC' "
        f"xmlns:di='http://www.omg.org/spec/DD/20100524/DI' id='Defs' name={quoteattr(XSS[4])}>"
        f"<bpmn:collaboration id='Collab'><bpmn:participant id='Pool' name={quoteattr(XSS[5])} "
        "processRef='Proc'/></bpmn:collaboration>"
        f"<bpmn:process id='Proc' name={quoteattr(XSS[6])}>"
        f"<bpmn:laneSet id='Lanes'><bpmn:lane id='Lane' name={quoteattr(XSS[7])}>{refs}</bpmn:lane>"
        f"</bpmn:laneSet>{semantic}{flows}"
        f"<bpmn:textAnnotation id='Note'><bpmn:text>{escape(annotation)}</bpmn:text></bpmn:textAnnotation>"
        "</bpmn:process>"
        f"<bpmndi:BPMNDiagram id='Diagram' name={quoteattr(XSS[8])}><bpmndi:BPMNPlane id='Plane' "
        "bpmnElement='Collab'>"
        f"<bpmndi:BPMNShape id='Pool_di' bpmnElement='Pool' isHorizontal='true'><dc:Bounds x='40' y='40' "
        f"width='{200 + 150 * len(nodes)}' height='200'/></bpmndi:BPMNShape>"
        f"<bpmndi:BPMNShape id='Lane_di' bpmnElement='Lane' isHorizontal='true'><dc:Bounds x='70' y='40' "
        f"width='{170 + 150 * len(nodes)}' height='200'/></bpmndi:BPMNShape>"
        f"{shapes}{edges}"
        "<bpmndi:BPMNShape id='Note_di' bpmnElement='Note'><dc:Bounds x='100' y='260' width='200' "
        "height='60'/></bpmndi:BPMNShape>"
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>"
    ).encode()
    return data, [*labels, XSS[1], XSS[5], XSS[7], annotation]


def _svg_texts(svg: bytes | str) -> str:
    root = SafeET.fromstring(svg, forbid_dtd=True)
    return "\n".join("".join(element.itertext()) for element in root.iter() if element.tag.endswith("title"))


def test_bpmn_labels_are_drawn_as_text(client, cast):
    data, labels = hostile_bpmn()
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        reverse("flows:list", args=[cast.own.pk]),
        {
            "title": XSS[0],
            "description": XSS[3],
            "visibility": "partners",
            "note": XSS[9],
            "file": _upload(data),
        },
    )
    assert response.status_code == 302, html_text(response.content.decode())[-400:]
    flow = BusinessFlow.objects.get(project=cast.own)
    svg = client.get(reverse("api:flow_svg", args=[flow.pk, 1]))
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert svg_problems(svg.content) == []
    shown = _svg_texts(svg.content)
    missing = [label for label in labels if " ".join(label.split()) not in " ".join(shown.split())]
    assert missing == []
    pages = [
        reverse("flows:list", args=[cast.own.pk]),
        reverse("flows:detail", args=[cast.own.pk, flow.pk]),
        reverse("flows:gaps", args=[cast.own.pk]),
        reverse("api:flow_diagram_svg", args=[flow.pk, 1, 0]),
        *[
            reverse("flows:step", args=[cast.own.pk, flow.pk, element_id])
            for element_id in FlowStep.objects.filter(version__flow=flow).values_list("element_id", flat=True)
        ],
    ]
    for role in ("vendor_pm", "customer_sponsor", "partner_viewer"):
        client.force_login(cast.users[role])
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            if response["Content-Type"].startswith("text/html"):
                assert html_problems(response.content.decode()) == [], (role, url)
            else:
                assert svg_problems(response.content) == [], (role, url)


@pytest.mark.parametrize(
    "bad_id",
    [
        'Task"><script>alert(1)</script>',  # the "/" made the flow page answer 500 (NoReverseMatch)
        "a/b",
        "x" * 256,  # longer than the step's column: PostgreSQL refused the row (500)
        "..",
    ],
)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_bpmn_element_ids_that_cannot_be_a_step_are_refused(client, cast, bad_id, language):
    data, _labels = hostile_bpmn(ids=["Task_ok", bad_id])
    user = cast.users["vendor_pm"]
    User.objects.filter(pk=user.pk).update(language=language)
    client.force_login(user)
    response = client.post(
        reverse("flows:list", args=[cast.own.pk]),
        {"title": "受注", "visibility": "customer", "file": _upload(data)},
    )
    assert response.status_code == 200
    with translation.override(language):
        reason = message_for(BpmnRejected("bad_id", value=bad_id[:40]))
    assert reason in html_text(response.content.decode())
    assert html_problems(response.content.decode()) == []
    assert not BusinessFlow.objects.exists()


# --- File names -----------------------------------------------------------------------------------

HOSTILE_FILE_NAME = '"><img src=x onerror=alert(1)>\r\nSet-Cookie: a=b.bpmn'


def _upload(data: bytes, name: str = "flow.bpmn") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/xml")


def test_upload_file_names_come_back_inert(client, cast):
    data, _labels = hostile_bpmn()
    client.force_login(cast.users["vendor_pm"])
    page = client.post(
        reverse("flows:list", args=[cast.own.pk]),
        {"title": "page", "visibility": "customer", "file": _upload(data, HOSTILE_FILE_NAME)},
    )
    api = client.post(
        reverse("api:flow_create", args=[cast.own.pk]),
        {"title": "api", "visibility": "customer", "file": _upload(data, HOSTILE_FILE_NAME)},
    )
    assert (page.status_code, api.status_code) == (302, 201)
    stored = list(FlowVersion.objects.values_list("filename", flat=True))
    assert all("onerror" in name for name in stored)  # kept as given (the multipart parser drops the path)
    for flow in BusinessFlow.objects.all():
        detail = client.get(reverse("flows:detail", args=[cast.own.pk, flow.pk]))
        assert html_problems(detail.content.decode()) == []
        assert stored[0] in html_text(detail.content.decode())
        for url in (
            reverse("flows:version_download", args=[cast.own.pk, flow.pk, 1]),
            reverse("api:flow_source", args=[flow.pk, 1]),
        ):
            response = client.get(url)
            disposition = response["Content-Disposition"]
            assert disposition.startswith("attachment;")
            assert "\r" not in disposition and "\n" not in disposition
            assert "Set-Cookie" not in response.cookies
