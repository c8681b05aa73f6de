"""The optimistic lock's pieces (shinrai/core/locking.py): what a token covers and when guard refuses."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shinrai.core import locking
from shinrai.core.models import AuditEvent
from shinrai.integrations.models import Webhook
from shinrai.progress.models import Task
from shinrai.requirements.models import SuccessMeasure
from tests.security.edit_cases import make_goal, make_task, make_webhook


def test_the_token_of_an_object_with_updated_at_follows_updated_at_only(cast):
    task = make_task(cast)
    token = locking.token(task)
    Task.objects.filter(pk=task.pk).update(name="別名")  # a write that did not move updated_at
    assert locking.token(Task.objects.get(pk=task.pk)) == token
    Task.objects.filter(pk=task.pk).update(updated_at=datetime(2030, 1, 1, tzinfo=ZoneInfo("UTC")))
    assert locking.token(Task.objects.get(pk=task.pk)) != token


def test_the_same_instant_in_another_time_zone_is_the_same_state(cast):
    task = make_task(cast)
    tokyo = Task.objects.get(pk=task.pk)
    tokyo.updated_at = tokyo.updated_at.astimezone(ZoneInfo("Asia/Tokyo"))
    assert locking.token(tokyo) == locking.token(task)


def test_a_goal_changes_state_when_only_its_measures_change(cast):
    goal = make_goal(cast)
    token = locking.token(goal)
    SuccessMeasure.objects.filter(goal=goal).update(target="20日")
    assert locking.token(goal) != token


def test_a_webhook_state_leaves_the_secret_out(cast):
    webhook = make_webhook(cast)
    token = locking.token(webhook)
    Webhook.objects.filter(pk=webhook.pk).update(secret="x" * 64)
    assert locking.token(Webhook.objects.get(pk=webhook.pk)) == token
    Webhook.objects.filter(pk=webhook.pk).update(name="Teams")
    assert locking.token(Webhook.objects.get(pk=webhook.pk)) != token


def test_a_fingerprint_reads_the_same_before_and_after_the_database(cast):
    """A value just saved and the same value read back (decimal places, time zone) give one state."""
    webhook = make_webhook(cast)
    assert locking.fingerprint(webhook) == locking.fingerprint(Webhook.objects.get(pk=webhook.pk))
    assert locking._plain(Decimal("48")) == locking._plain(Decimal("48.00")) == "48"


def test_guard_refuses_a_stale_token_and_runs_nothing(cast):
    task = make_task(cast)
    token = locking.token(task)
    Task.objects.filter(pk=task.pk).update(updated_at=datetime(2030, 1, 1, tzinfo=ZoneInfo("UTC")))
    ran = []
    with pytest.raises(locking.Stale) as refused, locking.guard(task, token):
        ran.append(True)
    assert ran == []
    assert refused.value.current.pk == task.pk and refused.value.code == "stale"


@pytest.mark.parametrize("token", [None, ""])
def test_guard_without_a_token_runs_the_save(cast, token):
    task = make_task(cast)
    Task.objects.filter(pk=task.pk).update(updated_at=datetime(2030, 1, 1, tzinfo=ZoneInfo("UTC")))
    with locking.guard(task, token):
        ran = True
    assert ran


def test_last_change_names_the_newest_audit_event_of_the_object(cast):
    task = make_task(cast)
    AuditEvent.objects.create(
        actor=cast.users["vendor_manager"],
        action="task.update",
        object_type="progress.task",
        object_id=str(task.pk),
    )
    assert locking.last_change(task).actor == cast.users["vendor_manager"]


def test_show_reads_values_as_people_do(cast):
    from django import forms

    field = forms.ChoiceField(choices=[("a", "エー"), ("b", "ビー")])
    assert locking.show("b", field) == "ビー"
    assert locking.show(None) == locking.show("") == locking.show([]) == "—"
    assert locking.show(["b", "a"], field) == "エー, ビー"
