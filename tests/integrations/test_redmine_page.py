"""The Redmine import page, its background task, the API and the command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from shinrai.integrations.models import ImportRun
from shinrai.integrations.redmine import client as client_module
from shinrai.integrations.redmine import secret, services
from shinrai.progress.models import Task
from tests.clock import _english  # noqa: F401  (autouse: these tests read English messages)

from .test_redmine_import import BASE, KEY, FakeRedmine


@pytest.fixture
def fake(monkeypatch):
    fake = FakeRedmine()
    monkeypatch.setattr(client_module, "urllib_fetch", fake)
    return fake


def test_page_starts_an_import_and_shows_its_result(cast, client, fake, django_capture_on_commit_callbacks):
    client.force_login(cast.users["vendor_admin"])
    data = {
        "url": BASE + "/",
        "api_key": KEY,
        "projects": "shop",
        "trouble_trackers": "課題, リスク",
        "customer": cast.customer.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrations:redmine_import"), data)

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:redmine_import_run", args=[run.pk])
    assert (run.status, run.base_url, run.projects, run.dry_run) == ("done", BASE, ["shop"], False)
    assert KEY not in str(ImportRun.objects.values().get())
    assert Task.objects.filter(project__code="SHOP").count() == 5
    page = client.get(response["Location"]).content.decode()
    assert "SHOP" in page and "5 / 0 / 0" in page


def test_page_form_errors_are_shown(cast, client):
    client.force_login(cast.users["vendor_admin"])

    response = client.post(reverse("integrations:redmine_import"), {"url": "ftp://x", "api_key": ""})

    assert response.status_code == 200
    assert ImportRun.objects.count() == 0
    assert "Give the Redmine address as http(s)://host[/path]." in response.content.decode()


def test_page_is_hidden_from_non_administrators(cast, client):
    client.force_login(cast.users["vendor_manager"])

    assert (
        client.post(reverse("integrations:redmine_import"), {"url": BASE, "api_key": KEY}).status_code == 404
    )
    assert ImportRun.objects.count() == 0


def test_a_run_whose_worker_died_shows_failed_on_the_page_and_in_the_api(cast, client):
    run = ImportRun.objects.create(started_by=cast.users["vendor_admin"], base_url=BASE)
    client.force_login(cast.users["vendor_admin"])
    page = client.get(reverse("integrations:redmine_import_run", args=[run.pk])).content.decode()
    assert "The import is running." in page  # just started: the worker may be busy with it
    ImportRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - services.STALE_AFTER - timedelta(seconds=1)
    )

    page = client.get(reverse("integrations:redmine_import_run", args=[run.pk])).content.decode()
    body = client.get(f"/api/v1/redmine/imports/{run.pk}").json()

    assert "The import is running." not in page and "stopped without finishing" in page
    assert (body["status"], body["finished_at"] is not None) == ("failed", True)


def test_sealed_key_round_trips_and_is_not_the_key(settings):
    sealed = secret.seal(KEY)

    assert KEY not in sealed
    assert secret.unseal(sealed) == KEY


def test_sealed_key_is_refused_when_tampered_with_or_too_old(settings, monkeypatch):
    sealed = secret.seal(KEY)
    with pytest.raises(signing.BadSignature):
        secret.unseal(sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"))
    monkeypatch.setattr(secret, "MAX_AGE", -1)
    with pytest.raises(signing.BadSignature):
        secret.unseal(sealed)


def test_api_starts_and_reports_a_run(cast, client, fake, django_capture_on_commit_callbacks):
    client.force_login(cast.users["vendor_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/redmine/imports",
            {
                "url": BASE,
                "api_key": KEY,
                "projects": ["shop"],
                "customer_id": cast.customer.pk,
                "dry_run": True,
            },
            content_type="application/json",
        )
    assert response.status_code == 202
    run_id = response.json()["id"]

    body = client.get(f"/api/v1/redmine/imports/{run_id}").json()

    assert body["status"] == "done" and body["dry_run"] is True
    assert body["summary"]["shop"]["counts"]["task"]["created"] == 7  # no trouble trackers: all are tasks
    assert Task.objects.count() == 0


def test_api_refuses_a_customer_of_another_vendor(cast, client):
    client.force_login(cast.users["vendor_admin"])
    foreign_customer = cast.other_vendor  # not a customer of V's projects at all

    response = client.post(
        "/api/v1/redmine/imports",
        {"url": BASE, "api_key": KEY, "customer_id": foreign_customer.pk},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "customer_id", "message": "Choose a customer of your vendor."}
    ]
    assert ImportRun.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"into_code": "NO-SUCH"}, "into_code"),
        ({"into_code": "OWN-1"}, "into_code"),  # an existing project, but no single Redmine project named
        ({"customer_id": 2**64}, "customer_id"),
    ],
)
def test_api_names_the_bad_field_and_starts_nothing(cast, client, body, field):
    client.force_login(cast.users["vendor_admin"])
    response = client.post(
        "/api/v1/redmine/imports",
        {"url": BASE, "api_key": KEY} | body,
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["detail"]] == [field]
    assert ImportRun.objects.count() == 0


def test_command_imports_and_prints_a_summary(cast, fake, capsys):
    call_command(
        "import-redmine",
        "--url", BASE, "--api-key", KEY, "--project", "shop", "--trouble-tracker", "課題",
        "--trouble-tracker", "リスク", "--customer", "顧客C1",
    )  # fmt: skip

    out = capsys.readouterr().out
    assert "shop" in out and "ok" in out and "5/0/0" in out and "2/0/0" in out
    assert ImportRun.objects.get().status == "done"


def test_command_dry_run_writes_nothing(cast, fake, capsys):
    call_command("import-redmine", "--url", BASE, "--api-key", KEY, "--project", "shop", "--dry-run",
                 "--customer", "顧客C1")  # fmt: skip

    assert "Plan (dry run, nothing written)" in capsys.readouterr().out
    assert Task.objects.count() == 0


def test_command_exit_1_when_a_project_fails(cast, fake):
    with pytest.raises(CommandError) as failure:
        call_command("import-redmine", "--url", BASE, "--api-key", KEY, "--project", "nosuch")

    assert failure.value.returncode == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["--url", "ftp://x", "--api-key", KEY],
        ["--url", BASE, "--api-key", KEY, "--customer", "存在しない"],
        ["--url", BASE, "--api-key", KEY, "--into", "NOPE", "--project", "shop"],
        ["--url", BASE, "--api-key", KEY, "--as", "vendor_pm@example.jp"],
    ],
)
def test_command_exit_2_on_bad_arguments(cast, fake, argv):
    with pytest.raises(CommandError) as failure:
        call_command("import-redmine", *argv)

    assert failure.value.returncode == 2
    assert ImportRun.objects.count() == 0
