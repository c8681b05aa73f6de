"""Background work goes through one interface: in-process by default, a database queue, or Redis."""

import socket

import pytest
from django.core import mail
from django.core.management import call_command

from shinrai.core.tasks import send_email


def _use_backend(settings, name, path):
    # django-tasks drops its cached backends when the TASKS setting changes.
    settings.TASK_BACKEND = name
    settings.TASKS = {"default": {"BACKEND": path, "QUEUES": ["default"]}}


def test_immediate_backend_runs_in_process(db):
    result = send_email.enqueue(to=["a@example.jp"], subject="件名", body="本文")
    assert result.status == "SUCCESSFUL"
    assert mail.outbox[0].subject == "件名"


def test_database_queue_is_run_by_shinrai_worker(transactional_db, settings):
    # transactional_db: the worker closes "old" connections, which would end a test transaction.
    from django_tasks_db.models import DBTaskResult

    _use_backend(settings, "database", "django_tasks_db.DatabaseBackend")
    send_email.using(backend="default").enqueue(to=["b@example.jp"], subject="キュー", body="本文")
    assert mail.outbox == []
    assert DBTaskResult.objects.get().status == "READY"
    call_command("worker", "--batch")
    assert [m.subject for m in mail.outbox] == ["キュー"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_worker_refuses_the_in_process_backend(db):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("worker", "--batch")


def _redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_available(), reason="no Redis server on 127.0.0.1:6379")
def test_redis_queue_is_run_by_an_rq_worker(db, settings):
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/15"}}
    _use_backend(settings, "redis", "django_tasks_rq.RQBackend")
    queue = django_rq.get_queue("default", job_class=Job)
    queue.empty()
    send_email.using(backend="default").enqueue(to=["c@example.jp"], subject="Redis", body="本文")
    assert mail.outbox == []
    assert queue.count == 1
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    assert [m.subject for m in mail.outbox] == ["Redis"]
