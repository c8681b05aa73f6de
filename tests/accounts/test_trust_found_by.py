"""Trouble.found_by ("we found it" / "the customer found it first"), the input of the trust indicator
"disclosed before the customer found it": the trouble form, register, detail, API and exports."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from shinrai.troubles.models import Trouble

pytestmark = pytest.mark.django_db


def _post_new(client, project, **extra):
    data = {
        "kind": "incident",
        "title": "受注データの二重登録",
        "facts": "受注が二重に登録された",
        "detected_at": "2026-11-09T09:00",
        "severity": "high",
    }
    return client.post(reverse("troubles:new", args=[project.pk]), data | extra)


def test_the_form_records_who_found_it(client, cast, clock):
    client.force_login(cast.users["vendor_pm"])
    _post_new(client, cast.own, found_by="customer")
    trouble = Trouble.objects.get()
    assert trouble.found_by == "customer"
    html = client.get(reverse("troubles:register", args=[cast.own.pk])).content.decode()
    assert "The customer found it first" in html
    detail = client.get(reverse("troubles:detail", args=[cast.own.pk, trouble.pk])).content.decode()
    assert "found-by-customer" in detail
    # Editing without the field (an older page) keeps it; a bad value is refused with a message.
    edit = reverse("troubles:edit", args=[cast.own.pk, trouble.pk])
    base = {"kind": "incident", "facts": "事実", "detected_at": "2026-11-09T09:00", "severity": "high"}
    client.post(edit, base | {"title": "二重登録", "version": trouble.version})
    trouble.refresh_from_db()
    assert (trouble.title, trouble.found_by) == ("二重登録", "customer")
    bad = client.post(edit, base | {"title": "x", "found_by": "nobody", "version": trouble.version})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    trouble.refresh_from_db()
    assert (trouble.title, trouble.found_by) == ("二重登録", "customer")


def test_a_new_trouble_defaults_to_we_found_it(client, cast, clock):
    client.force_login(cast.users["vendor_pm"])
    _post_new(client, cast.own)
    assert Trouble.objects.get().found_by == "vendor"


def test_the_api_reads_and_writes_found_by(client, cast, clock):
    client.force_login(cast.users["vendor_pm"])
    created = client.post(
        f"/api/v1/projects/{cast.own.pk}/troubles",
        {
            "title": "遅延",
            "facts": "事実",
            "detected_at": "2026-11-09T09:00:00+09:00",
            "found_by": "customer",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["found_by"] == "customer"
    trouble_id, version = created.json()["id"], created.json()["version"]
    patched = client.patch(
        f"/api/v1/troubles/{trouble_id}",
        {"version": version, "found_by": "vendor"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["found_by"] == "vendor"
    bad = client.patch(
        f"/api/v1/troubles/{trouble_id}",
        {"version": version + 1, "found_by": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "found_by"


def test_the_exports_have_a_found_by_column(client, cast, clock):
    client.force_login(cast.users["vendor_pm"])
    _post_new(client, cast.own, found_by="customer")
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("troubles:export_xlsx", args=[cast.own.pk])).content)
    ).active
    assert sheet.cell(row=3, column=19).value == "Found by"
    assert sheet.cell(row=4, column=19).value == "The customer found it first"
    text = client.get(reverse("troubles:export_csv", args=[cast.own.pk])).content.decode("utf-8-sig")
    assert text.splitlines()[0].endswith(",Found by")
    assert text.splitlines()[1].endswith(",The customer found it first")
