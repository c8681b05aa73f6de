"""Survey results computed ahead of the first view (shinrai/surveys/results_prepare.py,
`shinrai prepare-survey-results`, and the worker's preparation after a write)."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from shinrai.surveys import results_charts, results_prepare
from shinrai.surveys import results_selectors as selectors
from shinrai.surveys import services as survey_services
from tests.factories import ProjectFactory

from .results_helpers import answer, make_round, make_template, tokyo


@pytest.fixture
def answered(cast):
    """Two rounds on the own project, one on our other project of customer C1, one on our project of C2."""
    template = make_template()
    extra = ProjectFactory(vendor_org=cast.vendor, customer_org=cast.customer, code="EXTRA-1")
    for project, month in ((cast.own, 4), (cast.own, 8), (extra, 5), (cast.other, 6)):
        survey = make_round(project, template, title=f"{project.code}-{month}", sent_at=tokyo(2026, month, 1))
        for value in (2, 3, 4, 5):
            answer(survey, a=value, b=value, c=value, d=value, nps=2 * value, comment=f"note {value}")
    return template


def no_computing_allowed(monkeypatch):
    """From here on, any figures computed or chart drawn (instead of read from the cache) fail the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("computed during the page view")

    monkeypatch.setattr(selectors, "_compute", refuse)
    monkeypatch.setattr(results_charts, "trend", refuse)


PAGES = [
    ("vendor_pm", "survey_results:project", "own"),
    ("vendor_manager", "survey_results:project", "own"),
    ("vendor_manager", "survey_results:account", "customer"),
    ("vendor_manager", "survey_results:vendor", None),
]


def _get(client, cast, who, name, arg):
    client.force_login(cast.users[who])
    return client.get(reverse(name, args=[getattr(cast, arg).pk] if arg else []))


def test_preparing_fills_what_the_pages_read_so_no_view_computes(client, cast, answered, monkeypatch):
    # English only: every user of the cast reads English (tests/clock.py).
    assert results_prepare.prepare_project(cast.own) == 1
    assert results_prepare.prepare_vendor(cast.vendor.pk) == 1 + 2  # all projects, accounts C1 and C2
    assert results_prepare.prepare_project(cast.own) == 0  # already there: nothing computed twice
    assert results_prepare.prepare_vendor(cast.vendor.pk) == 0

    no_computing_allowed(monkeypatch)
    for who, name, arg in PAGES:
        response = _get(client, cast, who, name, arg)
        assert response.status_code == 200, (who, name)
        assert "surveys/_results_figures.html" not in [t.name for t in response.templates]


@pytest.mark.parametrize(("who", "name", "arg"), PAGES)
def test_a_view_without_preparing_first_does_compute(client, cast, answered, monkeypatch, who, name, arg):
    # The counterpart of the test above: the refusal really catches a computation.
    no_computing_allowed(monkeypatch)
    with pytest.raises(AssertionError, match="computed during"):
        _get(client, cast, who, name, arg)


def test_an_answer_needs_a_new_computation_of_its_project_account_and_vendor_only(cast, answered):
    results_prepare.prepare_project(cast.own)
    results_prepare.prepare_project(cast.other)
    results_prepare.prepare_vendor(cast.vendor.pk)
    survey = cast.own.surveys.order_by("sent_at").last()
    answer(survey, a=1, b=1, c=1, d=1, nps=0)
    assert results_prepare.prepare_project(cast.other) == 0  # another project's figures still hold
    assert results_prepare.prepare_vendor(cast.vendor.pk, customer_ids=[cast.other_customer.pk]) == 1  # all
    assert results_prepare.prepare_after_write(cast.own.pk) == 1 + 1  # the project and account C1
    assert results_prepare.prepare_vendor(cast.vendor.pk) == 0


def test_english_is_prepared_only_when_a_reader_reads_english(cast, answered):
    assert results_prepare.languages_of(cast.users.values()) == ["en"]
    for user in cast.users.values():
        user.language = "ja"
        user.save(update_fields=["language"])
    assert results_prepare.languages_of(cast.users.values()) == ["ja"]
    cast.users["vendor_pm"].language = "en"
    cast.users["vendor_pm"].save(update_fields=["language"])
    assert results_prepare.prepare_project(cast.own) == 2  # the PM reads English, the manager Japanese
    assert results_prepare.prepare_vendor(cast.vendor.pk) == 3  # managers read Japanese only


def test_a_vendor_without_managers_is_skipped(cast, answered):
    cast.users["vendor_manager"].is_vendor_manager = False
    cast.users["vendor_manager"].save(update_fields=["is_vendor_manager"])
    assert results_prepare.prepare_vendor(cast.vendor.pk) == 0


def _send(cast, template) -> None:
    survey_services.survey_send(
        by=cast.users["vendor_pm"],
        project=cast.own,
        template=template,
        kind="pulse",
        title="追加",
        answer_until=date(2030, 1, 1),
        extra_emails=["someone@example.jp"],
    )


def test_writes_queue_one_preparation_per_project_after_commit_with_a_worker(
    cast, answered, settings, django_capture_on_commit_callbacks
):
    settings.TASK_BACKEND = "database"  # a worker would run it; the tests' backend runs it at once
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _send(cast, answered)
        _send(cast, answered)
    queued = [c for c in callbacks if isinstance(c, results_prepare._QueueAfterCommit)]
    assert len(queued) == 1  # two writes, one preparation
    # It ran (the tests' immediate backend): the project, its account and its vendor are in the cache.
    assert results_prepare.prepare_after_write(cast.own.pk) == 0


def test_writes_queue_nothing_without_a_worker(cast, answered, settings, django_capture_on_commit_callbacks):
    settings.TASK_BACKEND = "immediate"  # preparing inside the writer's request would slow every answer
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _send(cast, answered)
    assert not [c for c in callbacks if isinstance(c, results_prepare._QueueAfterCommit)]
    assert results_prepare.prepare_after_write(cast.own.pk) > 0


def test_command_prepares_everything_and_names_unknown_codes(cast, answered):
    out = StringIO()
    call_command("prepare-survey-results", stdout=out)
    assert out.getvalue().strip() == "3 project(s) with surveys, 6 page(s) computed."  # 3 projects, 1 + 2
    out = StringIO()
    call_command("prepare-survey-results", "--project", cast.own.code, stdout=out)
    assert out.getvalue().strip() == f"{cast.own.code}: 0 page(s) computed."
    with pytest.raises(CommandError, match="No project has the code"):
        call_command("prepare-survey-results", "--project", "NOPE-0000")
