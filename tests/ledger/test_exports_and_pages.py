"""The chain's state on the project pages, the JSON export verified offline, the PDF."""

import hashlib
import io
import json

import pypdf
from django.db import connection
from django.urls import reverse

from shinrai.ledger.models import Entry

from .records import record_agreements


def _tamper(entry):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_entry SET subject = %s WHERE id = %s", ["改ざん", entry.pk])


def _verify_offline(data: dict) -> int | None:
    """The recipe written in the file; returns the first failing seq, or None."""
    prev = "0" * 64
    for e in data["entries"]:
        fields = {
            k: e[k]
            for k in (
                "seq",
                "project",
                "kind",
                "subject",
                "payload",
                "actor",
                "created_at",
                "refers_to",
                "prev_hash",
            )
        }
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        if e["prev_hash"] != prev or hashlib.sha256(text.encode("utf-8")).hexdigest() != e["hash"]:
            return e["seq"]
        prev = e["hash"]
    return None


def test_project_pages_show_the_chain_state(client, cast):
    entries = record_agreements(cast)
    client.force_login(cast.users["vendor_member"])
    home = reverse("core:project_home", args=[cast.own.pk])
    assert 'data-chain="verified"' in client.get(home).content.decode()
    client.force_login(cast.users["customer_member"])
    portal = reverse("core:portal_project", args=[cast.own.pk])
    assert 'data-chain="verified"' in client.get(portal).content.decode()
    client.force_login(cast.users["partner_viewer"])
    assert "data-chain" not in client.get(portal).content.decode()  # partners: no ledger at all

    _tamper(entries[1])
    client.force_login(cast.users["customer_member"])
    html = client.get(portal).content.decode()
    assert 'data-chain="broken"' in html and "#2" in html
    html = client.get(reverse("ledger:portal", args=[cast.own.pk])).content.decode()
    assert 'data-chain="broken"' in html
    client.force_login(cast.users["vendor_pm"])
    html = client.get(reverse("ledger:index", args=[cast.own.pk])).content.decode()
    assert 'data-chain="broken"' in html and 'id="entry-2" class="report-late"' in html


def test_json_export_verifies_offline_for_vendor_and_customer(client, cast):
    entries = record_agreements(cast)
    for role, name in (
        ("vendor_member", "ledger:export_json"),
        ("customer_member", "ledger:portal_export_json"),
    ):
        client.force_login(cast.users[role])
        response = client.get(reverse(name, args=[cast.own.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="ledger_OWN-1.json"'
        data = json.loads(response.content)
        assert data["chain"] == {
            "verified": True,
            "entries": 3,
            "broken_at_seq": None,
            "last_hash": entries[2].hash,
        }
        assert [e["seq"] for e in data["entries"]] == [1, 2, 3]
        assert data["entries"][0]["payload"] == {"内容": "帳票は月次", "金額": 1000}
        assert _verify_offline(data) is None
        assert data["verification"]  # the recipe travels with the data
    # edited after download: the recipe catches it
    data["entries"][1]["payload"]["金額"] = 1
    assert _verify_offline(data) == 2
    _tamper(entries[2])
    data = json.loads(client.get(reverse("ledger:portal_export_json", args=[cast.own.pk])).content)
    assert data["chain"]["verified"] is False and data["chain"]["broken_at_seq"] == 3
    assert _verify_offline(data) == 3


def test_pdf_export(client, cast):
    entries = record_agreements(cast, 2)
    for role, name in (("vendor_pm", "ledger:export_pdf"), ("customer_sponsor", "ledger:portal_export_pdf")):
        client.force_login(cast.users[role])
        response = client.get(reverse(name, args=[cast.own.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)
        assert "仕様合意 その2" in text
        assert entries[1].hash in text.replace("\n", "")
        fonts = pypdf.PdfReader(io.BytesIO(response.content)).pages[0]["/Resources"]["/Font"]
        assert any("IPAexGothic" in str(font.get_object()["/BaseFont"]) for font in fonts.values())


def test_nobody_else_downloads(client, cast):
    record_agreements(cast, 1)
    for role, name in (
        ("partner_viewer", "ledger:portal_export_json"),
        ("partner_viewer", "ledger:portal_export_pdf"),
        ("outsider_customer", "ledger:portal_export_json"),
        ("customer_sponsor", "ledger:export_json"),
        ("other_vendor_manager", "ledger:export_json"),
    ):
        client.force_login(cast.users[role])
        assert client.get(reverse(name, args=[cast.own.pk])).status_code == 404, (role, name)


def test_recording_an_agreement_and_correcting_it(client, cast):
    url = reverse("ledger:record", args=[cast.own.pk])
    client.force_login(cast.users["vendor_pm"])
    response = client.post(
        url,
        {
            "kind": "agreement",
            "subject": "納期を12月20日とする",
            "details": "定例会で合意",
            "agreed_with": "顧客 部長",
        },
    )
    assert response.status_code == 302
    # a correction must name an existing entry of this project
    for data in (
        {"kind": "correction", "subject": "訂正"},
        {"kind": "correction", "subject": "訂正", "corrects": 9},
    ):
        client.post(url, data)
    assert Entry.objects.filter(project=cast.own).count() == 1
    client.post(url, {"kind": "correction", "subject": "納期は12月21日の誤り", "corrects": 1})
    first, correction = Entry.objects.filter(project=cast.own)
    assert first.subject == "納期を12月20日とする"  # unchanged
    assert first.payload == {"details": "定例会で合意", "agreed_with": "顧客 部長"}
    assert (correction.seq, correction.kind, correction.refers_to) == (2, "correction", first)
    client.force_login(cast.users["customer_member"])
    html = client.get(reverse("ledger:portal", args=[cast.own.pk])).content.decode()
    assert "納期は12月21日の誤り" in html and "corrects #1" in html
    # vendor members and customers cannot record
    for role in ("vendor_member", "customer_sponsor", "partner_viewer"):
        client.force_login(cast.users[role])
        assert client.post(url, {"kind": "agreement", "subject": "x"}).status_code == 404
    assert Entry.objects.filter(project=cast.own).count() == 2
