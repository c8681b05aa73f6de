"""Shinrai against a real Redmine 5 with the same data on the same machine (DESIGN.md's performance targets).

Target: like-for-like pages serve at least 4× Redmine's requests per second, the Gantt at least 10×.

What it does:
1. Starts Debian's Redmine 5.0.4 with ``scripts/redmine-test-server start`` (it installs the package as root
   the first time) and serves it as that script does: one thin process on 127.0.0.1:3100, SQLite.
2. Writes one Redmine project of 1,700 issues over six months (the two months before this one to the three
   after it) with Redmine's own models, through ``rails runner`` in one transaction (2–3 minutes; the REST
   API takes ~0.2 s an issue and cannot create closed ones): a three-level task tree (Feature) with
   start/due dates, % done, estimates, statuses, assignees and three versions, and troubles on the Bug and
   Support trackers. The project is kept and used again while the data it should hold (this month's
   window) has not changed (var/bench/redmine-bench.json).
3. Imports it with Shinrai's own Redmine importer (the service ``shinrai import-redmine`` calls, over HTTP)
   into a fresh SQLite database (bench/_common.py), into project BENCH-1 managed by pm@example.jp.
4. Measures like-for-like pages with one client (bench/pages_bench.py's: a new connection per request):
   sequential warm requests (p50/p95) and requests/s with 4 concurrent clients, Redmine's page then
   Shinrai's, pair by pair. Redmine is signed in as an administrator through its login form (its HTML pages
   ignore the API key header) and read with the admin API key for issues.json; Shinrai as the project's PM
   through its login form, and with a personal read token for the API.
   * Process model: Redmine runs in one thin process (one request at a time) and Shinrai in gunicorn sync
     workers. The targets are judged twice: one process each (thin vs one gunicorn worker), and two
     processes each (a second thin on another port, the client alternating between them; gunicorn with the
     2 workers of pages_bench), requests/s only.
   * Redmine's Gantt draws at most ``gantt_items_limit`` (500) issues out of the box: for the 1,700-issue
     Gantt of DESIGN.md the bench raises it with ``rails runner`` for the run and sets it back afterwards;
     the 500-issue Gantt is measured as well, not judged.
5. Writes bench/results/<date>-redmine-comparison.md and prints it.

Run (as root, or www-data once Redmine is installed): .venv/bin/python bench/redmine_bench.py
     [--requests 100] [--seconds 15] [--concurrency 4] [--recreate] [--force]
``make bench-redmine`` does the same (with BENCH_ARGS). Needs gunicorn (the production extra).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import itertools
import json
import os
import platform
import pwd
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from _common import fresh_database, vendor_project
from pages_bench import BIN, ROOT, Server, cpu_model, free_port, login, percentile, request

SCRIPT = ROOT / "scripts" / "redmine-test-server"
REDMINE_DIR = Path("/usr/share/redmine")
REDMINE_RUN_DIR = Path("/var/cache/redmine/default/tmp")  # www-data's, where the script keeps its pid
VAR = ROOT / "var" / "bench"
MARKER = VAR / "redmine-bench.json"
RESULTS = ROOT / "bench" / "results"
IDENTIFIER = "shinrai-bench"
BENCH_LOGIN, BENCH_PASSWORD = "shinrai-bench", "shinrai-bench-2026"  # a Redmine administrator for HTML
SHINRAI_PASSWORD = "shinrai-bench-2026"
TROUBLE_TRACKERS = ["Bug", "Support"]
PHASES = ["要件定義", "基本設計", "詳細設計", "製造", "単体テスト", "結合テスト", "総合テスト", "移行"]
PACKAGES, LEAVES, TROUBLES, DEVELOPERS = 20, 9, 92, 6  # 8 + 8×20 + 8×20×9 = 1,608 tasks, + 92 = 1,700
MONTHS = 6
MIN_SAMPLES = 10  # sequential requests of a slow page (Redmine's Gantt takes seconds each) …
MIN_ROUNDS = 3  # … and rounds of concurrent requests
REQUEST_TIMEOUT = 600
WORKDIRS: list[str] = []  # the fresh databases' directories, removed at the end unless --keep
OTHER_BENCHMARKS = r"_bench\.py|bench/run\.py|bench_copy|locust"  # and copies of pages_bench


# --- The data --------------------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def dataset(today: date) -> dict:
    """The Redmine project to write: deterministic for a given month (its six months start two months ago)."""
    start = _add_months(today.replace(day=1), -2)
    end = _add_months(start, MONTHS) - timedelta(days=1)
    span = (end - start).days - 12
    versions = [
        {"name": f"リリース {n + 1}", "due": (_add_months(start, 2 * n + 2) - timedelta(days=1)).isoformat()}
        for n in range(3)
    ]
    developers = [
        {
            "login": f"bench-dev{n + 1}",
            "first": "開発者",
            "last": f"{n + 1}",
            "mail": f"dev{n + 1}@example.jp",
        }
        for n in range(DEVELOPERS)
    ]
    issues: list[dict] = []
    leaves_total = len(PHASES) * PACKAGES * LEAVES

    def add(**fields) -> int:
        issues.append(fields)
        return len(issues) - 1

    leaf = 0
    for p, phase in enumerate(PHASES):
        top = add(tracker="Feature", subject=f"{p + 1}. {phase}", priority="Normal")
        for w in range(PACKAGES):
            package = add(
                tracker="Feature",
                subject=f"{p + 1}.{w + 1} {phase} 作業パッケージ {w + 1:02d}",
                parent=top,
                priority="High" if w % 7 == 0 else "Normal",
            )
            for k in range(LEAVES):
                begin = start + timedelta(days=round(leaf * span / leaves_total))
                finish = min(end, begin + timedelta(days=3 + (w + k) % 10))
                add(
                    tracker="Feature",
                    subject=f"{p + 1}.{w + 1}.{k + 1} {phase} {w + 1:02d}-{k + 1}: 成果物の作成とレビュー",
                    parent=package,
                    start=begin.isoformat(),
                    due=finish.isoformat(),
                    hours=4 + 4 * ((p + w + k) % 8),
                    priority="High" if (w + k) % 11 == 0 else "Normal",
                    assignee=leaf % DEVELOPERS,
                    version=next(n for n, v in enumerate(versions) if finish.isoformat() <= v["due"]),
                    **_progress(begin, finish, today, late=leaf % 10 == 0),
                )
                leaf += 1
    for n in range(TROUBLES):
        detected = start + timedelta(days=round(n * ((today - start).days - 1) / TROUBLES))
        closed = n % 5 < 3 and detected < today - timedelta(days=14)
        add(
            tracker="Support" if n % 3 == 2 else "Bug",
            subject=f"課題 {n + 1}: 顧客確認待ちの仕様（画面 {n % 17 + 1}）",
            description=f"顧客の回答待ちで作業が止まっている。影響範囲は画面 {n % 17 + 1} と帳票。",
            start=detected.isoformat(),
            due=(detected + timedelta(days=14)).isoformat(),
            priority=["Low", "Normal", "High", "Urgent", "Immediate"][n % 5],
            assignee=n % DEVELOPERS,
            status="Closed" if closed else ("In Progress" if n % 2 else "New"),
            done=100 if closed else 0,
        )
    return {
        "identifier": IDENTIFIER,
        "name": "性能比較 (Shinrai bench)",
        "description": f"Benchmark data: {start.isoformat()} – {end.isoformat()} (bench/redmine_bench.py)",
        "window": [start.isoformat(), end.isoformat()],
        "bench_user": {"login": BENCH_LOGIN, "password": BENCH_PASSWORD, "mail": "bench-admin@example.jp"},
        "developers": developers,
        "versions": versions,
        "issues": issues,
    }


def _progress(begin: date, finish: date, today: date, *, late: bool) -> dict:
    if finish < today and not late:
        return {"status": "Closed", "done": 100}
    if begin > today:
        return {"status": "New", "done": 0}
    share = min(1.0, (today - begin).days / max(1, (finish - begin).days))
    return {"status": "In Progress", "done": min(90, 10 * round(share * 9))}


# Writes the dataset with Redmine's models: one transaction, notifications off (this process only).
WRITE_RB = r"""
require 'json'
spec = JSON.parse(File.read(ARGV[0]))
ActionMailer::Base.perform_deliveries = false
ActiveRecord::Base.transaction do
  Project.find_by(identifier: spec['identifier'])&.destroy
  bench = User.find_by_login(spec['bench_user']['login']) || User.new
  bench.login = spec['bench_user']['login']
  bench.firstname, bench.lastname, bench.mail = 'Bench', 'Admin', spec['bench_user']['mail']
  bench.password = bench.password_confirmation = spec['bench_user']['password']
  bench.admin, bench.must_change_passwd, bench.status = true, false, User::STATUS_ACTIVE
  bench.save!
  project = Project.new(name: spec['name'], identifier: spec['identifier'], description: spec['description'])
  project.trackers = Tracker.where(name: %w[Feature Bug Support]).to_a
  project.save!
  developer = Role.find_by!(name: 'Developer')
  users = spec['developers'].map do |d|
    u = User.find_by_login(d['login']) || User.new
    u.login = d['login']
    u.firstname, u.lastname, u.mail = d['first'], d['last'], d['mail']
    u.password = u.password_confirmation = spec['bench_user']['password']
    u.status = User::STATUS_ACTIVE
    u.save!
    Member.create!(project: project, user: u, roles: [developer])
    u
  end
  versions = spec['versions'].map do |v|
    Version.create!(project: project, name: v['name'], effective_date: v['due'])
  end
  trackers = Tracker.all.index_by(&:name)
  statuses = IssueStatus.all.index_by(&:name)
  priorities = IssuePriority.all.index_by(&:name)
  admin = User.where(admin: true).order(:id).first
  ids = []
  spec['issues'].each do |s|
    i = Issue.new
    i.project, i.tracker, i.author = project, trackers.fetch(s['tracker']), admin
    i.subject, i.description = s['subject'], s['description']
    i.status = statuses.fetch(s['status'] || 'New')
    i.priority = priorities.fetch(s['priority'])
    i.start_date, i.due_date, i.estimated_hours = s['start'], s['due'], s['hours']
    i.done_ratio = s['done'] || 0
    i.fixed_version = versions[s['version']] if s['version']
    i.assigned_to = users[s['assignee']] if s['assignee']
    i.parent_issue_id = ids[s['parent']] if s['parent']
    i.save!
    ids << i.id
  end
  puts JSON.generate({project_id: project.id, issues: Issue.where(project: project).count})
end
"""

# Prints the Gantt's row limit and sets it (Redmine reloads changed settings on its next request).
GANTT_LIMIT_RB = r"""
puts "gantt_items_limit=#{Setting.gantt_items_limit}"
Setting.gantt_items_limit = ARGV[0]
"""


# --- Redmine ---------------------------------------------------------------------------------------------


def _as_www_data(command: str) -> list[str]:
    if os.geteuid() == 0:
        return ["su", "www-data", "-s", "/bin/sh", "-c", command]
    if pwd.getpwuid(os.geteuid()).pw_name == "www-data":
        return ["sh", "-c", command]
    sys.exit("Writing Redmine's data needs root or www-data (Redmine's files belong to www-data).")


def _redmine_command(words: str) -> str:
    return f"cd {REDMINE_DIR} && REDMINE_INSTANCE=default RAILS_ENV=production {words}"


def _redmine_env() -> dict:
    # Not this process's environment: Rails would take DATABASE_URL (Shinrai's database) for its own.
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}


def rails_runner(script: str, *args: str, data: str = "") -> str:
    """Run Ruby in Redmine's production environment as www-data; its standard output. ``data`` is passed
    as a file whose path is the script's first argument."""
    files = []
    try:
        for text, suffix in ((script, ".rb"), *(((data, ".json"),) if data else ())):
            with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False, encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(handle.name, 0o644)  # readable by www-data
            files.append(handle.name)
        command = _redmine_command("bundle exec rails runner " + " ".join([*files, *args]))
        result = subprocess.run(
            _as_www_data(command), env=_redmine_env(), capture_output=True, text=True, check=False
        )
        if result.returncode:
            sys.exit(f"rails runner failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        return result.stdout
    finally:
        for name in files:
            Path(name).unlink(missing_ok=True)


@dataclass
class Redmine:
    url: str
    key: str
    started_here: bool
    extra: list[tuple[int, Path]] = field(default_factory=list)  # more thin processes: (port, pid file)

    @property
    def port(self) -> int:
        return urllib.parse.urlparse(self.url).port

    def get_json(self, path: str) -> tuple[int, dict]:
        status, content, _ = request(self.port, path, headers={"X-Redmine-API-Key": self.key})
        return status, (json.loads(content) if status == 200 else {})

    def start_another(self) -> int:
        """A second thin process serving the same instance on a free port (stopped by stop_others)."""
        port = free_port()
        pid_file = REDMINE_RUN_DIR / f"shinrai-bench-{port}.pid"
        log = REDMINE_RUN_DIR / f"shinrai-bench-{port}.log"
        words = (
            f"bundle exec thin start -R config.ru -a 127.0.0.1 -p {port} -e production -d "
            f"-P {pid_file} -l {log}"
        )
        subprocess.run(
            _as_www_data(_redmine_command(words)), env=_redmine_env(), check=True, capture_output=True
        )
        self.extra.append((port, pid_file))
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if request(port, "/login")[0] == 200:
                    return port
            except OSError:
                pass
            time.sleep(0.5)
        sys.exit(f"The second Redmine process does not answer on port {port} (see {log})")

    def stop_others(self) -> None:
        for _port, pid_file in self.extra:
            pid = _pid(pid_file)
            if pid:
                os.kill(pid, signal.SIGTERM)
                for _ in range(40):
                    if not Path(f"/proc/{pid}").exists():
                        break
                    time.sleep(0.25)
            pid_file.with_suffix(".log").unlink(missing_ok=True)
        self.extra.clear()

    def pids(self) -> list[int]:
        files = [REDMINE_RUN_DIR / "shinrai-test-server.pid", *(pid_file for _port, pid_file in self.extra)]
        return [pid for pid in map(_pid, files) if pid]


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def start_redmine() -> Redmine:
    was_up = subprocess.run([str(SCRIPT), "status"], capture_output=True, text=True, check=False)
    answer = was_up if was_up.returncode == 0 else None
    if answer is None:
        print("Starting Redmine (scripts/redmine-test-server start; installs it the first time)…", flush=True)
        answer = subprocess.run([str(SCRIPT), "start"], capture_output=True, text=True, check=False)
        if answer.returncode:
            sys.exit(f"scripts/redmine-test-server start failed:\n{answer.stderr[-3000:]}")
    url, key = answer.stdout.split()[-2:]
    return Redmine(url.rstrip("/"), key, started_here=was_up.returncode != 0)


def ensure_data(redmine: Redmine, spec: dict, recreate: bool) -> dict:
    """Write the project unless Redmine holds it already as this spec describes; what the marker says."""
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]
    if MARKER.exists() and not recreate:
        info = json.loads(MARKER.read_text())
        status, found = redmine.get_json(f"/issues.json?project_id={IDENTIFIER}&status_id=*&limit=1")
        if info.get("digest") == digest and status == 200 and found["total_count"] == len(spec["issues"]):
            return info
    print(
        f"Writing {len(spec['issues'])} issues into Redmine project {IDENTIFIER} (rails runner)…", flush=True
    )
    started = time.perf_counter()
    output = rails_runner(WRITE_RB, data=json.dumps(spec, ensure_ascii=False))
    written = json.loads(output.strip().splitlines()[-1])
    if written["issues"] != len(spec["issues"]):
        sys.exit(f"Redmine holds {written['issues']} issues, not {len(spec['issues'])}")
    info = {
        "digest": digest,
        "project_id": written["project_id"],
        "issues": written["issues"],
        "window": spec["window"],
        "written_on": date.today().isoformat(),
        "seconds": round(time.perf_counter() - started, 1),
    }
    VAR.mkdir(parents=True, exist_ok=True)
    MARKER.write_text(json.dumps(info, indent=2))
    return info


def gantt_limit(value: str) -> str:
    """Set Redmine's gantt_items_limit; the value it had."""
    output = rails_runner(GANTT_LIMIT_RB, value)
    return re.search(r"gantt_items_limit=(.*)", output).group(1).strip()


def redmine_login(port: int) -> dict:
    """Sign in through Redmine's login form (authenticity token, session cookie); the cookies."""
    cookies: dict = {}
    status, content, _ = request(port, "/login", cookies)
    token = re.search(rb'name="authenticity_token" value="([^"]+)"', content)
    if status != 200 or not token:
        sys.exit(f"Redmine's login page answered {status}")
    body = urllib.parse.urlencode(
        {"username": BENCH_LOGIN, "password": BENCH_PASSWORD, "authenticity_token": token.group(1).decode()}
    )
    origin = f"https://127.0.0.1:{port}"  # pages_bench's client says X-Forwarded-Proto: https
    status, _, location = request(port, "/login", cookies, "POST", body, {"Origin": origin})
    if status != 302 or "/login" in (location or ""):
        sys.exit(f"Signing in to Redmine as {BENCH_LOGIN} failed ({status}, {location})")
    if request(port, "/my/account", dict(cookies))[0] != 200:
        sys.exit("Redmine does not keep the session after signing in")
    return cookies


# --- Shinrai ---------------------------------------------------------------------------------------------


@dataclass
class Shinrai:
    project: int
    pm: str
    token: str
    import_seconds: float
    counts: dict
    workdir: str


def import_into_shinrai(redmine: Redmine, spec: dict) -> Shinrai:
    """A fresh database, BENCH-1 with its PM and the developers (same e-mails), then the Redmine import."""
    os.environ["SHINRAI_DEBUG"] = "0"  # as in production, also for the in-process profile at the end
    workdir = fresh_database("shinrai-redmine-bench-")
    WORKDIRS.append(workdir)
    from shinrai.core import services as core_services
    from shinrai.core.models import ProjectMember, Role, TokenScope, User
    from shinrai.integrations.models import ImportRun
    from shinrai.integrations.redmine import importer

    project, pm = vendor_project()
    pm.set_password(SHINRAI_PASSWORD)
    pm.save(update_fields=["password"])
    for developer in spec["developers"]:
        user = User.objects.create(
            email=developer["mail"],
            display_name=f"{developer['first']} {developer['last']}",
            organization=pm.organization,
        )
        ProjectMember.objects.create(project=project, user=user, role=Role.VENDOR_MEMBER)
    _token, clear = core_services.api_token_create(user=pm, name="bench", scope=TokenScope.READ)
    print(f"Importing Redmine project {IDENTIFIER} into Shinrai (fresh SQLite in {workdir})…", flush=True)
    started = time.perf_counter()
    run = importer.redmine_import(
        options=importer.Options(
            by=pm,
            base_url=redmine.url,
            api_key=redmine.key,
            projects=[IDENTIFIER],
            trouble_trackers=TROUBLE_TRACKERS,
            into=project,
        )
    )
    seconds = time.perf_counter() - started
    if run.status != ImportRun.Status.DONE:
        sys.exit(f"The import failed: {run.error} {run.summary}")
    counts = run.summary[IDENTIFIER]["counts"]
    from django.db import connections

    connections.close_all()
    return Shinrai(project.pk, pm.email, clear, round(seconds, 1), counts, workdir)


def shinrai_env(workdir: str) -> dict:
    """pages_bench's production-like server settings, on the fresh database."""
    return {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "SHINRAI_ENV": "production",
        "SHINRAI_DEBUG": "0",
        "SHINRAI_SECRET_KEY": "bench-only-" + "x" * 40,
        "SHINRAI_VAR_DIR": str(Path(workdir) / "var"),
        "SHINRAI_ALLOWED_HOSTS": "127.0.0.1",
        "SHINRAI_CACHE_URL": "",
        "SHINRAI_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


# --- What to compare -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    name: str
    path: str  # formatted with project (Shinrai's id), identifier, redmine_id, month, year
    api: bool = False  # read with the API key / token instead of the session

    def url(self, **values) -> str:
        return self.path.format(**values)


@dataclass(frozen=True)
class Pair:
    name: str
    redmine: Side
    shinrai: Side
    target: float


REDMINE_ISSUES = Side("Issues (default: open issues, 25 per page)", "/projects/{identifier}/issues")
REDMINE_GANTT = Side(
    "Gantt, 6 months, all 1,700 issues",
    "/projects/{identifier}/issues/gantt?set_filter=1&status_id=*&month={month}&year={year}&months=6",
)
PAIRS = [
    Pair(
        "Task list",
        REDMINE_ISSUES,
        Side("WBS (100 tasks a page, figures of the whole tree)", "/projects/{project}/wbs/"),
        4,
    ),
    Pair("Trouble list", REDMINE_ISSUES, Side("Trouble register", "/projects/{project}/troubles/"), 4),
    Pair(
        "Gantt",
        REDMINE_GANTT,
        Side("Gantt by month (the whole plan)", "/projects/{project}/gantt/?zoom=month"),
        10,
    ),
    Pair(
        "Project overview",
        Side("Project overview", "/projects/{identifier}"),
        Side("Project home", "/projects/{project}/"),
        4,
    ),
    Pair(
        "API list (100)",
        Side("/issues.json?limit=100 (API key)", "/issues.json?project_id={redmine_id}&limit=100", api=True),
        Side("/api/v1 tasks?limit=100 (token)", "/api/v1/projects/{project}/tasks?limit=100", api=True),
        4,
    ),
]
# Measured beside the pairs, not judged: other page sizes and zooms, and Redmine's Gantt as it ships.
EXTRAS = [
    (
        "Redmine",
        Side(
            "Issues, all statuses, 100 per page",
            "/projects/{identifier}/issues?set_filter=1&status_id=*&per_page=100",
        ),
    ),
    ("Shinrai", Side("Gantt by week (16-week window)", "/projects/{project}/gantt/?zoom=week")),
    ("Shinrai", Side("WBS, the last page", "/projects/{project}/wbs/?page=999")),
    (
        "Shinrai",
        Side(
            "API tasks, limit=1000 (the whole WBS)", "/api/v1/projects/{project}/tasks?limit=1000", api=True
        ),
    ),
]
REDMINE_GANTT_AS_SHIPPED = Side("Gantt, 6 months, as shipped (gantt_items_limit 500)", REDMINE_GANTT.path)


# --- Measuring -------------------------------------------------------------------------------------------


def fetch(port: int, path: str, cookies: dict, headers: dict) -> tuple[int, bytes]:
    """pages_bench's request (a new connection each time, X-Forwarded-Proto: https) with a longer timeout:
    four clients queue behind one another for Redmine's Gantt, seconds each, in one thin process."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    sent = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", **headers}
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    try:
        connection.request("GET", path, headers=sent)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class Client:
    """Where and how one application is asked: its ports (round robin), cookies and API header."""

    ports: list[int]
    cookies: dict
    api_headers: dict
    _cycle: itertools.cycle = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self):
        self._cycle = itertools.cycle(self.ports)

    def get(self, side: Side, url: str) -> tuple[float, bytes]:
        with self._lock:
            port = next(self._cycle)
        started = time.perf_counter()
        status, content = fetch(
            port, url, {} if side.api else self.cookies, self.api_headers if side.api else {}
        )
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            raise RuntimeError(f"{url} on port {port} answered {status}")
        return elapsed, content


@dataclass
class Measured:
    side: Side
    url: str
    first_ms: float = 0
    size_kb: float = 0
    rows: str = ""
    warm_ms: list[float] = field(default_factory=list)
    rps: Rate = field(default_factory=lambda: Rate(0.0))

    @property
    def p50(self) -> float:
        return statistics.median(self.warm_ms)

    @property
    def p95(self) -> float:
        return percentile(self.warm_ms, 0.95)


def measure(client: Client, side: Side, url: str, args, warmup: int) -> Measured:
    """The first request, warm sequential requests (at least MIN_SAMPLES), then requests/s concurrently."""
    result = Measured(side, url)
    result.first_ms, content = client.get(side, url)
    result.size_kb = len(content) / 1024
    result.rows = rows_shown(url, content)
    for _ in range(warmup):
        client.get(side, url)
    deadline = time.monotonic() + args.seconds
    while len(result.warm_ms) < args.requests and (
        len(result.warm_ms) < min(MIN_SAMPLES, args.requests) or time.monotonic() < deadline
    ):
        result.warm_ms.append(client.get(side, url)[0])
    result.rps = throughput(client, side, url, args, result.p50)
    return result


@dataclass
class Rate:
    """Requests/s with concurrent clients: answers 200 per second, and the other answers (counted, not
    hidden: Redmine on SQLite answers 500 "database is locked" with two processes)."""

    per_second: float
    failed: int = 0
    total: int = 0

    def __str__(self) -> str:
        return f"{self.per_second:.1f}" + (f" ({self.failed} of {self.total} failed)" if self.failed else "")


def throughput(client: Client, side: Side, url: str, args, p50: float) -> Rate:
    total = args.concurrency * max(MIN_ROUNDS, min(args.requests // 2, round(args.seconds * 1000 / p50)))

    def one(_i: int) -> bool:
        try:
            client.get(side, url)
        except RuntimeError:  # an answer other than 200
            return False
        return True

    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        succeeded = sum(pool.map(one, range(total)))
    return Rate(succeeded / (time.perf_counter() - started), total - succeeded, total)


GANTT_ISSUE, LIST_ISSUE = 'class="issue-subject', '<tr id="issue-'  # Redmine's markup of an issue


def rows_shown(url: str, content: bytes) -> str:
    """What the answer lists, counted from its markup or JSON (so that the report says what pages show)."""
    text = content.decode("utf-8", "replace")
    if url.startswith(("/issues.json", "/api/v1/")):
        data = json.loads(text)
        items = data["issues"] if "issues" in data else data["items"]
        return f"{len(items)} of {data.get('total_count', data.get('count'))} items"
    if "/issues/gantt" in url:
        return f"{text.count(GANTT_ISSUE)} issues"
    if "/issues" in url:
        total = re.search(r'class="items">\(\d+-\d+/(\d+)\)', text)
        return f"{text.count(LIST_ISSUE)} of {total.group(1) if total else '?'} issues"
    if "/gantt/" in url:
        lines = text.count('class="gantt-line')
        omitted = re.search(r'<p class="notice">\D*(\d[\d,]*)', text)
        drawn = lines - int(omitted.group(1).replace(",", "")) if omitted else lines
        return f"{lines} lines in the table, {drawn} drawn"
    for marker, what in (('<tr id="task-', "tasks"), ('<tr id="trouble-', "troubles")):
        if marker in text:
            return f"{text.count(marker)} {what}{_wbs_range(text) if what == 'tasks' else ''}"
    return "—"


def _wbs_range(text: str) -> str:
    """ " (1–100 of 1608)" from the WBS pager, in either language (Japanese puts the total first)."""
    pager = re.search(r'class="toolbar wbs-pages">(.*?)</nav>', text, re.S)
    if not pager:
        return ""
    words = re.sub(r"<[^>]+>", "", pager.group(1)).replace(",", "")
    span = re.search(r"(\d+)–(\d+)", words)
    if not span:
        return ""
    total = next(iter(re.findall(r"\d+", words[: span.start()] + " " + words[span.end() :])), "?")
    return f" ({span.group(1)}–{span.group(2)} of {total})"


def rss_mb(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def gunicorn_pids(server: Server) -> list[int]:
    pid = server.process.pid
    return [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]


# --- Where Shinrai's time goes ------------------------------------------------------------------------------

FRAMEWORK = {  # cumulative time of these framework functions, beside Shinrai's own
    "Django building model objects": ("django/db/models/base.py", "from_db"),
    "Django templates": ("django/template/backends/django.py", "render"),
    "API output (pydantic/ninja)": ("ninja/operation.py", "_result_to_response"),
}


def where_time_goes(shinrai: Shinrai, side: Side, url: str) -> str:
    """One warm request in-process (production's DEBUG=0), profiled: SQL and the biggest cumulative parts."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client as DjangoClient

    from shinrai.core.models import User

    client = DjangoClient(HTTP_X_FORWARDED_PROTO="https")
    headers = {}
    if side.api:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {shinrai.token}"
    else:
        client.force_login(User.objects.get(email=shinrai.pm))
    for _ in range(2):
        client.get(url, **headers)
    executions: list[float] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            executions.append(time.perf_counter() - started)

    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        client.get(url, **headers)
    plain_ms = (time.perf_counter() - started) * 1000
    profile = cProfile.Profile()
    profile.enable()
    client.get(url, **headers)
    profile.disable()
    stats = pstats.Stats(profile).stats  # (file, line, function) → (calls, calls, own, cumulative, callers)
    total = max(cumulative for _c, _n, _own, cumulative, _callers in stats.values())
    parts = []
    for (file, line, function), (_c, _n, _own, cumulative, _callers) in stats.items():
        # Middleware and the view wrap everything: the parts below them say where the time goes.
        own_code = "/shinrai/" in file and not file.endswith(("middleware.py", "views.py", "api.py"))
        if own_code and 0.05 * total <= cumulative < 0.95 * total:
            name = f"{file.split('/shinrai/', 1)[1]}:{line} {function}"
            parts.append((cumulative, f"`shinrai/{name}`"))
    parts = sorted(parts, reverse=True)[:6]
    for label, (suffix, function) in FRAMEWORK.items():
        found = [
            value[3]
            for (file, _l, name), value in stats.items()
            if file.endswith(suffix) and name == function
        ]
        if found and max(found) >= 0.05 * total:
            parts.append((max(found), label))
    shares = ", ".join(f"{name} {100 * seconds / total:.0f} %" for seconds, name in parts)
    return (
        f"{side.name}: {plain_ms:.0f} ms in-process, {len(executions)} SQL queries executing in "
        f"{sum(executions) * 1000:.0f} ms (rows fetched later are not counted there); "
        f"share of the profiled request: {shares}."
    )


# --- The report ------------------------------------------------------------------------------------------


def _ratio(shinrai: Rate, redmine: Rate) -> float:
    return shinrai.per_second / redmine.per_second if redmine.per_second else float("inf")


def _verdict(ratio: float, target: float) -> str:
    return "pass" if ratio >= target else "**FAIL**"


def other_work() -> str:
    """Test runs and servers on the machine besides this benchmark, counted."""
    found = subprocess.run(["pgrep", "-fa", "pytest|gunicorn|ci/run"], capture_output=True, text=True).stdout
    mine = {str(os.getpid())}
    lines = [line for line in found.splitlines() if line.split()[0] not in mine and "timeout " not in line]
    pytest = sum("pytest" in line for line in lines)
    return f"{pytest} pytest runs" if pytest else "none seen"


def load_now() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def report(context: dict) -> str:
    one, two, extras = context["one"], context["two"], context["extras"]
    passes = sum(_ratio(s.rps, r.rps) >= pair.target for pair, r, s in one)
    passes_two = sum(_ratio(s, r) >= pair.target for pair, r, s in two)
    lines = [
        f"# Shinrai vs Redmine 5 — same data, same machine ({date.today().isoformat()})",
        "",
        "Target (DESIGN.md): like-for-like pages serve at least 4× Redmine 5's requests per second, the "
        "Gantt at least 10×. Judged on requests/s with "
        f"{context['concurrency']} concurrent clients; sequential latencies beside them.",
        *busy_warning(context),
        "",
        f"**One process each: {passes} of {len(one)} pairs meet the target"
        + (f"; two processes each: {passes_two} of {len(two)}.**" if two else ".**"),
        "",
        "## One process each: Redmine (thin, 1 process) vs Shinrai (gunicorn, 1 sync worker)",
        "",
        "| Pair | Redmine page | p50 ms | p95 ms | req/s | Shinrai page | p50 ms | p95 ms | req/s "
        "| Ratio (req/s) | p50 ratio | Target | Result |",
        "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for pair, r, s in one:
        ratio = _ratio(s.rps, r.rps)
        lines.append(
            f"| {pair.name} | {r.side.name} | {r.p50:.0f} | {r.p95:.0f} | {r.rps} | {s.side.name} "
            f"| {s.p50:.1f} | {s.p95:.1f} | {s.rps} | {ratio:.1f}× | {r.p50 / s.p50:.1f}× "
            f"| {pair.target:.0f}× | {_verdict(ratio, pair.target)} |"
        )
    if two:
        lines += [
            "",
            "## Two processes each: Redmine (2 thin processes, the client alternating) vs Shinrai (gunicorn, "
            "2 workers)",
            "",
            f"Requests/s with {context['concurrency']} concurrent clients only (a single client's latency is "
            f"the table above). **{passes_two} of {len(two)} pairs meet the target.**",
            "",
            "| Pair | Redmine req/s | Shinrai req/s | Ratio | Target | Result |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for pair, r, s in two:
            ratio = _ratio(s, r)
            lines.append(
                f"| {pair.name} | {r} | {s} | {ratio:.1f}× | {pair.target:.0f}× "
                f"| {_verdict(ratio, pair.target)} |"
            )
    lines += [
        "",
        "## What each page shows, first request and size (one process each)",
        "",
        "| App | Page | URL | Shows | First request ms | KB |",
        "|---|---|---|---|---:|---:|",
    ]
    seen = set()
    for app, m in context["shown"]:
        if (app, m.url) in seen:
            continue
        seen.add((app, m.url))
        lines.append(f"| {app} | {m.side.name} | `{m.url}` | {m.rows} | {m.first_ms:.0f} | {m.size_kb:.0f} |")
    lines += [
        "",
        "## Not judged: other page sizes and zooms, Redmine's Gantt as it ships (one process each)",
        "",
        "| App | Page | p50 ms | p95 ms | req/s | Shows | KB |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for app, m in extras:
        lines.append(
            f"| {app} | {m.side.name} | {m.p50:.1f} | {m.p95:.1f} | {m.rps} | {m.rows} | {m.size_kb:.0f} |"
        )
    info, shinrai = context["info"], context["shinrai"]
    counts = shinrai.counts
    lines += [
        "",
        "## Setup",
        "",
        f"- Machine: {os.cpu_count()} CPUs ({cpu_model()}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; the client runs on the same machine. Load average "
        f"(1/5/15 min) before the run {context['load_before']}, after it {context['load_after']}; "
        + (
            "another benchmark was running (--force)"
            if context["forced"]
            else "no other benchmark was running at the start (checked with pgrep)"
        )
        + ("; **another benchmark was running at the end**" if context["others_after"] else "")
        + f"; other work at the start: {context['other_work']}.",
        f"- Redmine: Debian's redmine {context['redmine_version']} (Rails {context['rails']}, "
        f"{context['ruby']}), SQLite, production environment, started by "
        "`scripts/redmine-test-server start`: "
        f"**thin {context['thin']}, one process** serving one request at a time (the script's server). The "
        "two-process figures add a second thin process of the same instance on another port; the client "
        "alternates between them (no proxy in front). Gantt row limit (`gantt_items_limit`) raised from "
        f"{context['gantt_limit_before']} to {context['gantt_limit_used']} for the judged Gantt, set back "
        f"afterwards. Memory after the run: {context['redmine_rss']:.0f} MB (one thin process).",
        "- Shinrai: gunicorn sync workers (1, then 2, as bench/pages_bench.py starts them), "
        "SHINRAI_ENV=production, in-process cache (LocMem, per worker), collected static files, requests "
        "with X-Forwarded-Proto: https. Memory after the one-worker run: "
        f"{context['shinrai_rss']:.0f} MB (master and worker).",
        f"- Data: Redmine project `{IDENTIFIER}`, {info['issues']:,} issues from {info['window'][0]} to "
        f"{info['window'][1]}: a task tree (Feature) of {len(PHASES)} phases × {PACKAGES} work packages × "
        f"{LEAVES} tasks (start/due dates, % done, estimates, assignees, statuses New / In Progress / Closed "
        f"as of today), {TROUBLES} troubles on Bug and Support, 3 versions, {DEVELOPERS} developers; written "
        f"with Redmine's models by `rails runner` on {info['written_on']} in {info['seconds']} s.",
        f"- Import into Shinrai (the Redmine importer over HTTP, into a fresh SQLite database, project "
        f"BENCH-1): {shinrai.import_seconds} s; "
        + ", ".join(f"{kind} {c['created']} created" for kind, c in counts.items() if c["created"])
        + ".",
        "- Signed in: Redmine as an administrator through /login (its HTML pages ignore "
        "X-Redmine-API-Key: they redirect to /login), issues.json with the admin API key; Shinrai as the "
        "project's PM through /accounts/login/, the API with a personal read token.",
        f"- Warm: {args_text(context)}; every request on a new connection (pages_bench's client).",
        "",
        "Reproduce (root, or www-data once Redmine is installed; no other benchmark running): "
        "`make bench-redmine` or `.venv/bin/python bench/redmine_bench.py`"
        + (f" {context['argv']}" if context["argv"] else "")
        + ".",
        "",
        "## Notes",
        "",
        *context["notes"],
    ]
    redmine_rates = [r.rps for _p, r, _s in one] + [r for _p, r, _s in two]
    if any(rate.failed for rate in redmine_rates):
        lines.append(
            "- Redmine's failed requests answered 500 `SQLite3::BusyException: database is locked`: Redmine "
            "writes the user's last_login_on at most once a minute on a request, and Debian's database.yml "
            "gives SQLite no busy timeout, so with two processes a read at that moment fails (one process "
            "serves one request at a time and never meets it). They are counted beside the rate, which "
            "counts answers 200 only."
        )
    if context["profiles"]:
        lines += [
            "",
            "## Where Shinrai's time goes on the pages that miss the target",
            "",
            "One warm request in the bench's own process (DEBUG off, no server, the same database), its SQL "
            "timed, then the same request under cProfile: the biggest cumulative parts, as shares of it "
            "(nested parts are inside the ones above them).",
            "",
            *(f"- {profile}" for profile in context["profiles"]),
        ]
    return "\n".join(lines) + "\n"


def busy_warning(context: dict) -> list[str]:
    load = float(context["load_before"].split(" / ")[0])
    if load <= os.cpu_count():
        return []
    return [
        "",
        f"**Measured on a busy machine** (load average {load:.1f} on {os.cpu_count()} CPUs, other work): "
        "absolute times are several times an idle machine's; each pair's two pages were measured one after "
        "the other under the same load, so the ratios compare like with like, but read them as approximate.",
    ]


def args_text(context: dict) -> str:
    return (
        f"the first request, {context['warmup']} warm-up requests, then up to {context['requests']} "
        f"sequential requests (at least {min(MIN_SAMPLES, context['requests'])}, stopping after "
        f"{context['seconds']:g} s); requests/s with "
        f"{context['concurrency']} concurrent clients sending {context['concurrency']} × n requests, n = "
        f"{context['seconds']:g} s ÷ the sequential p50, from {MIN_ROUNDS} to {context['requests'] // 2}"
    )


NOTES = [
    "- **Task list**: Redmine's issue list shows 25 open issues a page by default (per-page choices 25, 50, "
    "100); Shinrai's WBS shows 100 tasks a page in tree order (each with its code, rolled-up dates, "
    "progress, status and a progress form), with the schedule card (earned value) of the whole tree and "
    "links to the pages of the top-level tasks. Redmine's 100-a-page list of every status and Shinrai's "
    "last WBS page are in the table not judged.",
    "- **Trouble list**: the same Redmine issue list (Redmine has no separate register); Shinrai's register "
    "lists the project's 92 troubles.",
    "- **Gantt**: Redmine draws all 1,700 issues (tasks and troubles) and the versions as HTML rows. "
    "Shinrai's Gantt by month covers the whole plan, draws the first 300 lines as SVG (a notice gives the "
    "rest) and lists every milestone and task (troubles are not on it) in the table under the chart. "
    "Shinrai caches the drawn chart per worker until the data changes: the first request is the one that "
    "draws it. Out of the box Redmine stops at 500 issues (gantt_items_limit), measured in the table not "
    "judged.",
    "- **Project overview**: Redmine's overview shows issue counts per tracker, estimated and spent time and "
    "the members; Shinrai's project home the project's facts, internal notes, members and the last 10 "
    "changes (this imported project has no weekly reports, requirements or ledger entries).",
    "- **API**: Redmine's issues.json lists open issues (its default filter), 100 a page; Shinrai's task "
    "list is the WBS in tree order with codes and rolled-up figures, 100 a page: both send 100 items.",
    '- "First request" is the first of this run: Shinrai\'s server has just started (templates not loaded, '
    "charts not drawn), Redmine's process may have served the page before (it caches no pages, only "
    "compiled views). Redmine signs in as an administrator, who skips its permission checks; Shinrai's PM "
    "goes through Shinrai's access rules. Shinrai's pages are in Japanese (the PM's language), Redmine's "
    "in English.",
]


# --- Main ------------------------------------------------------------------------------------------------


def _versions() -> dict:
    def out(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()
        except OSError:
            return "?"

    lock = Path("/var/lib/redmine/Gemfile.lock")
    text = lock.read_text() if lock.exists() else ""

    def gem(name: str) -> str:
        found = re.search(rf"^    {name} \(([^)]+)\)", text, re.MULTILINE)
        return found.group(1) if found else "?"

    return {
        "redmine_version": out(["dpkg-query", "-W", "-f=${Version}", "redmine"]) or "?",
        "ruby": out(["ruby", "-v"]).split(" (")[0] or "Ruby ?",
        "thin": gem("thin"),
        "rails": gem("rails"),
    }


def _ancestors() -> set[int]:
    """This process and those that started it (``timeout …``, ``make``): not "another benchmark"."""
    found, pid = set(), os.getpid()
    while pid > 1 and pid not in found:
        found.add(pid)
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return found


def check_idle(force: bool) -> None:
    others = other_benchmarks()
    if others and not force:
        sys.exit(f"Another benchmark is running; measure on an idle machine (or --force):\n{others}")


def other_benchmarks() -> str:
    """Command lines of the benchmarks running besides this one."""
    others = subprocess.run(
        ["pgrep", "-fa", OTHER_BENCHMARKS], capture_output=True, text=True, check=False
    ).stdout.strip()
    mine = _ancestors()
    return "\n".join(line for line in others.splitlines() if int(line.split()[0]) not in mine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="at most this many sequential requests")
    parser.add_argument("--seconds", type=float, default=15, help="time for a page's sequential requests")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--recreate", action="store_true", help="write the Redmine project again")
    parser.add_argument("--force", action="store_true", help="run even while another benchmark runs")
    parser.add_argument("--single-only", action="store_true", help="skip the two-process comparison")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the Shinrai database (its path is printed) and a Redmine this run started",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if shutil.which("gunicorn", path=str(BIN)) is None:
        sys.exit("gunicorn is missing: pip install -e '.[production]' (make bench-redmine does it)")
    check_idle(args.force)

    redmine = start_redmine()
    try:
        context = run(redmine, args)
    finally:
        if not args.keep:
            if redmine.started_here:
                subprocess.run([str(SCRIPT), "stop"], capture_output=True, check=False)
            for workdir in WORKDIRS:
                shutil.rmtree(workdir, ignore_errors=True)
    text = report(context)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{date.today().isoformat()}-redmine-comparison.md"
    path.write_text(text)
    print(text)
    print(f"Written to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if args.keep:
        print(f"Shinrai's database (kept): {os.environ['DATABASE_URL']}")


def run(redmine: Redmine, args) -> dict:
    """Data, import, then the measurements: one process each (pairs, then the pages not judged), then two
    processes each. The report's context."""
    spec = dataset(date.today())
    info = ensure_data(redmine, spec, args.recreate)
    shinrai = import_into_shinrai(redmine, spec)
    env = shinrai_env(shinrai.workdir)
    Path(env["SHINRAI_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    subprocess.run([str(BIN / "shinrai"), "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    window = date.fromisoformat(info["window"][0])
    values = {
        "project": shinrai.project,
        "identifier": IDENTIFIER,
        "redmine_id": info["project_id"],
        "month": window.month,
        "year": window.year,
    }
    warmup = 4
    context = {
        "info": info,
        "shinrai": shinrai,
        "concurrency": args.concurrency,
        "requests": args.requests,
        "seconds": args.seconds,
        "warmup": warmup,
        "argv": " ".join(sys.argv[1:]),
        "forced": args.force,
        "notes": list(NOTES),
        **_versions(),
    }
    one, extras, shown, two = [], [], [], []
    redmine_client = Client([redmine.port], redmine_login(redmine.port), {"X-Redmine-API-Key": redmine.key})
    time.sleep(5)  # the import's requests and writes settle
    context["load_before"] = load_now()
    context["other_work"] = other_work()
    # Redmine's Gantt as it ships first; then its row limit is raised to show every issue, until the end.
    print(f"  {REDMINE_GANTT_AS_SHIPPED.name} (Redmine, not judged)…", flush=True)
    as_shipped = measure(redmine_client, REDMINE_GANTT_AS_SHIPPED, REDMINE_GANTT.url(**values), args, 2)
    limit_used = str(len(spec["issues"]) + 100)
    context["gantt_limit_before"] = limit_before = gantt_limit(limit_used)
    context["gantt_limit_used"] = limit_used
    try:
        with Server(env, 1, Path(shinrai.workdir) / "gunicorn-1.log") as server:
            shinrai_client = Client(
                [server.port],
                login(server.port, shinrai.pm, SHINRAI_PASSWORD),
                {"Authorization": f"Bearer {shinrai.token}"},
            )
            for pair in PAIRS:
                print(f"  {pair.name}: Redmine, then Shinrai…", flush=True)
                r = measure(redmine_client, pair.redmine, pair.redmine.url(**values), args, warmup)
                s = measure(shinrai_client, pair.shinrai, pair.shinrai.url(**values), args, warmup)
                one.append((pair, r, s))
                shown += [("Redmine", r), ("Shinrai", s)]
            for app, side in EXTRAS:
                print(f"  {side.name} ({app}, not judged)…", flush=True)
                client = redmine_client if app == "Redmine" else shinrai_client
                extras.append((app, measure(client, side, side.url(**values), args, warmup)))
            context["shinrai_rss"] = rss_mb(gunicorn_pids(server))
        context["redmine_rss"] = rss_mb(redmine.pids())
        extras.append(("Redmine", as_shipped))
        if not args.single_only:
            print("Two processes each…", flush=True)
            two = measure_two(redmine, redmine_client, env, shinrai, one, values, args)
    finally:
        redmine.stop_others()
        gantt_limit(limit_before)
    context["load_after"] = load_now()
    context["others_after"] = other_benchmarks()
    context.update(one=one, two=two, extras=extras, shown=shown)
    failing = {s.url: s.side for pair, r, s in one if _ratio(s.rps, r.rps) < pair.target}
    context["profiles"] = [where_time_goes(shinrai, side, url) for url, side in failing.items()]
    return context


def measure_two(redmine, redmine_client, env, shinrai, one, values, args) -> list:
    """Requests/s with two processes each: a second thin process, gunicorn with two workers."""
    port = redmine.start_another()
    two_redmine = Client([redmine.port, port], redmine_client.cookies, redmine_client.api_headers)
    two = []
    with Server(env, 2, Path(shinrai.workdir) / "gunicorn-2.log") as server:
        two_shinrai = Client(
            [server.port],
            login(server.port, shinrai.pm, SHINRAI_PASSWORD),
            {"Authorization": f"Bearer {shinrai.token}"},
        )
        for pair, r, s in one:
            print(f"  {pair.name}…", flush=True)
            r_url, s_url = pair.redmine.url(**values), pair.shinrai.url(**values)
            for _ in range(4):  # both processes of each have served (and drawn) the page
                two_redmine.get(pair.redmine, r_url)
                two_shinrai.get(pair.shinrai, s_url)
            two.append(
                (
                    pair,
                    throughput(two_redmine, pair.redmine, r_url, args, r.p50),
                    throughput(two_shinrai, pair.shinrai, s_url, args, s.p50),
                )
            )
    return two


if __name__ == "__main__":
    main()
