"""The gaps page: work steps no requirement serves, requirements no step needs (expectations checked by hand
against shinrai/flows/demo/order_to_ship_v*.bpmn)."""

from __future__ import annotations

import re

from django.urls import reverse

from shinrai.core.models import Visibility
from shinrai.flows import services
from shinrai.flows.demo import FILES
from shinrai.requirements import services as requirement_services
from shinrai.requirements.models import Requirement

V1 = (FILES / "order_to_ship_v1.bpmn").read_bytes()
V2 = (FILES / "order_to_ship_v2.bpmn").read_bytes()
# The ten work steps (activities) of version 2, in document order; events and gateways need no requirement.
V2_ACTIVITIES = [
    "受注内容を登録する",
    "与信を確認する",
    "お断りを連絡する",
    "在庫を引き当てる",
    "ピッキングリストで集品する",
    "検品・梱包する",
    "出荷する",
    "出荷を連絡する",
    "入荷予定を連絡する",
    "請求書を発行する",
]


def gap_steps(html: str) -> list[str]:
    block = html.split('class="flow-gap-steps"')[1].split("</ul>")[0] if "flow-gap-steps" in html else ""
    return re.findall(r'/steps/[^/]+/">([^<]+)</a>', block)


def gap_requirements(html: str) -> list[str]:
    if "flow-gap-requirements" not in html:
        return []
    block = html.split('class="flow-gap-requirements"')[1].split("</ul>")[0]
    return re.findall(r'<span class="mono">(REQ-\d+)</span>', block)


def count(html: str, attribute: str) -> int:
    return int(re.search(rf"<strong {attribute}>(\d+)</strong>", html).group(1))


def requirement(cast, text, visibility=Visibility.CUSTOMER):
    return requirement_services.requirement_create(
        by=cast.users["vendor_pm"], project=cast.own, text=text, visibility=visibility
    )


def test_gaps_on_both_sides(client, cast):
    pm = cast.users["vendor_pm"]
    flow = services.flow_create(
        by=pm, project=cast.own, title="受注から出荷まで", data=V1, filename="v1.bpmn"
    )
    services.version_upload(by=pm, flow=flow, data=V2, filename="v2.bpmn")
    flow.refresh_from_db()
    served = requirement(cast, "受注を登録できること。")  # REQ-001
    requirement(cast, "返品を受け付けられること。")  # REQ-002: no step
    secret = requirement(
        cast, "旧データを移行すること。", Visibility.INTERNAL
    )  # REQ-003: no step, vendor only
    withdrawn = requirement(cast, "FAXで受注できること。")  # REQ-004: withdrawn, so no gap
    Requirement.objects.filter(pk=withdrawn.pk).update(status=Requirement.Status.WITHDRAWN)
    for element_id in (
        "Task_Enter",
        "Task_Credit",
        "Task_Allocate",
        "Task_Pick",
        "Task_Ship",
        "Task_Invoice",
    ):
        services.link_add(by=pm, flow=flow, element_id=element_id, requirement=served)
    # A gateway linked too: it never was a gap, and linking it changes nothing in the step gaps.
    services.link_add(by=pm, flow=flow, element_id="Gateway_Credit", requirement=served)

    client.force_login(pm)
    html = client.get(reverse("flows:gaps", args=[cast.own.pk])).content.decode()
    assert gap_steps(html) == ["お断りを連絡する", "検品・梱包する", "出荷を連絡する", "入荷予定を連絡する"]
    assert count(html, "data-gap-steps") == 4
    assert gap_requirements(html) == ["REQ-002", "REQ-003"]

    client.force_login(cast.users["customer_member"])
    html = client.get(reverse("flows:gaps", args=[cast.own.pk])).content.decode()
    assert gap_steps(html) == ["お断りを連絡する", "検品・梱包する", "出荷を連絡する", "入荷予定を連絡する"]
    assert gap_requirements(html) == ["REQ-002"]  # the vendor-only requirement is not shown to customers
    assert secret.text not in html

    # A new version without 請求書を発行する: its link no longer counts (the requirement still serves
    # others), and the step is simply gone from the gap list.
    services.version_upload(by=pm, flow=flow, data=V1, filename="v3.bpmn")
    client.force_login(pm)
    html = client.get(reverse("flows:gaps", args=[cast.own.pk])).content.decode()
    assert gap_steps(html) == ["お断りを連絡する", "検品・梱包する", "出荷を連絡する", "入荷予定を連絡する"]
    assert count(html, "data-gap-steps") == 4


def test_with_nothing_linked_every_work_step_is_a_gap(client, cast):
    pm = cast.users["vendor_pm"]
    services.flow_create(by=pm, project=cast.own, title="受注から出荷まで", data=V2, filename="v2.bpmn")
    client.force_login(cast.users["customer_sponsor"])
    html = client.get(reverse("flows:gaps", args=[cast.own.pk])).content.decode()
    assert gap_steps(html) == V2_ACTIVITIES
    assert gap_requirements(html) == []


def test_the_demo_leaves_two_steps_and_two_requirements_open(client, db):
    from shinrai.core.demo import load_demo
    from shinrai.core.models import Project, User

    load_demo()
    project = Project.objects.get(code="MDR-2026-01")
    client.force_login(User.objects.get(email="pm@sample-systems.example.jp"))
    html = client.get(reverse("flows:gaps", args=[project.pk])).content.decode()
    assert gap_steps(html) == ["検品・梱包する", "入荷予定を連絡する"]
    assert gap_requirements(html) == ["REQ-007", "REQ-008"]
    client.force_login(User.objects.get(email="sponsor@midori-mart.example.jp"))
    html = client.get(reverse("flows:gaps", args=[project.pk])).content.decode()
    assert gap_requirements(html) == ["REQ-007"]
