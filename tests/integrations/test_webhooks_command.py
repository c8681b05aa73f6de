"""`shinrai deliver-webhooks --every N`: the loop `make run` keeps beside the server."""

import pytest
from django.core.management import CommandError, call_command

from shinrai.integrations import webhooks
from shinrai.integrations.management.commands import __name__ as commands_package


class _Stop(Exception):
    pass


def test_every_keeps_delivering_until_stopped(monkeypatch, db):
    command_module = __import__(f"{commands_package}.deliver-webhooks", fromlist=["time"])
    rounds, sleeps = [], []
    monkeypatch.setattr(webhooks, "deliver_due", lambda limit: rounds.append(limit) or _counts(len(rounds)))

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            raise _Stop

    monkeypatch.setattr(command_module.time, "sleep", sleep)
    with pytest.raises(_Stop):
        call_command("deliver-webhooks", "--every", "15", "--limit", "7")
    assert rounds == [7, 7, 7]
    assert sleeps == [15, 15, 15]


def test_without_every_it_runs_once(monkeypatch, db, capsys):
    rounds = []
    monkeypatch.setattr(webhooks, "deliver_due", lambda limit: rounds.append(limit) or _counts(0))
    call_command("deliver-webhooks")
    assert rounds == [500]
    assert "delivered 0, retrying later 0, failed 0" in capsys.readouterr().out


def test_a_negative_interval_is_refused(db):
    with pytest.raises(CommandError):
        call_command("deliver-webhooks", "--every", "-1")


def _counts(delivered):
    return {"delivered": delivered, "retrying": 0, "failed": 0}
