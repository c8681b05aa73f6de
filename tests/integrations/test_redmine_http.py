"""The Redmine import over real HTTP: urllib against a local server that answers like Redmine 5.

The other Redmine tests inject a fake transport; these exercise the real one (``urllib_fetch``): pagination
over the wire, HTTP errors, a server that does not answer in time and one that is not there, and an import of
a few hundred issues run twice.
"""

from __future__ import annotations

import copy
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shinrai.integrations.models import ExternalRef, ImportRun
from shinrai.integrations.redmine import importer
from shinrai.integrations.redmine.client import RedmineClient, RedmineError
from shinrai.progress.models import Task
from tests.clock import _english  # noqa: F401  (autouse: these tests read English messages)

from .test_redmine_import import KEY, FakeRedmine, _no_sleep  # noqa: F401  (autouse fixture)

ISSUES = 300


@pytest.fixture
def redmine():
    """(base URL, FakeRedmine) of a local HTTP server; ``/slow.json`` answers after 2 seconds."""
    fake = FakeRedmine()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path.startswith("/slow.json"):
                threading.Event().wait(2)  # not time.sleep: the autouse _no_sleep fixture patches it
            headers = {"X-Redmine-API-Key": self.headers.get("X-Redmine-API-Key", "")}
            answer = fake(f"http://redmine.test{self.path}", headers, 10)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", fake
    server.shutdown()
    server.server_close()


def _grow(fake: FakeRedmine, count: int) -> None:
    """Add ``count`` more issues to the project shop (id 1), each with its own detail answer."""
    template = fake.data["issues_1"]["issues"][0]
    for n in range(count):
        issue = copy.deepcopy(template) | {
            "id": 1000 + n,
            "subject": f"画面 {n + 1} の実装",
            "done_ratio": n % 101,
            "updated_on": "2025-01-20T00:00:00Z",
        }
        issue.pop("parent", None)
        fake.data["issues_1"]["issues"].append(issue)
        fake.data[f"issue_{1000 + n}"] = {"issue": issue | {"journals": []}}


def _run(cast, base_url: str) -> ImportRun:
    options = importer.Options(
        by=cast.users["vendor_admin"],
        base_url=base_url,
        api_key=KEY,
        projects=["shop"],
        trouble_trackers=["課題", "リスク"],
        customer=cast.customer,
    )
    return importer.redmine_import(options=options)  # the real urllib transport


def test_a_few_hundred_issues_import_over_http_twice_without_duplicates(cast, redmine):
    base_url, fake = redmine
    _grow(fake, ISSUES)
    expected_tasks = sum(
        1 for issue in fake.data["issues_1"]["issues"] if issue["tracker"]["name"] not in ("課題", "リスク")
    )

    first = _run(cast, base_url)
    assert first.status == ImportRun.Status.DONE, (first.summary, first.error)
    tasks = Task.objects.filter(project__code="SHOP").count()
    refs = ExternalRef.objects.count()
    assert tasks == expected_tasks >= ISSUES
    # Redmine pages by 100: the issue list was read in several requests over the wire.
    assert sum(1 for call in fake.calls if call.startswith("/issues.json")) >= ISSUES // 100 + 1

    second = _run(cast, base_url)
    assert second.status == ImportRun.Status.DONE, (second.summary, second.error)
    assert Task.objects.filter(project__code="SHOP").count() == tasks
    assert ExternalRef.objects.count() == refs
    assert second.summary["shop"]["counts"]["task"]["created"] == 0


def test_http_errors_come_back_as_clear_messages(redmine):
    base_url, _fake = redmine
    with pytest.raises(RedmineError) as refused:
        RedmineClient(base_url, "wrong-key").trackers()
    assert refused.value.status == 401
    assert "API key" in str(refused.value)
    with pytest.raises(RedmineError) as missing:
        RedmineClient(base_url, KEY).project("nothing-here")
    assert missing.value.status == 404


def test_a_server_that_does_not_answer_in_time(redmine):
    base_url, _fake = redmine
    with pytest.raises(RedmineError, match="did not answer within"):
        RedmineClient(base_url, KEY, timeout=0.5).get("/slow.json")


def test_a_server_that_is_not_there():
    with socket_closed_port() as port, pytest.raises(RedmineError, match="Cannot reach Redmine"):
        RedmineClient(f"http://127.0.0.1:{port}", KEY, timeout=2).trackers()


class socket_closed_port:  # noqa: N801 (used as a context manager)
    """A local port with nothing listening on it."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def __exit__(self, *exc) -> None:
        return None
