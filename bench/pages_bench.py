"""Main pages on the large dataset against DESIGN.md's targets: p50 ≤ 25 ms, p95 ≤ 80 ms, a fixed query count.

What it does:
1. Seeds a database once (`shinrai seed --scale large`) and reuses it: an SQLite file under var/bench/, or the
   PostgreSQL database of ``--database-url`` (created and dropped here; only names containing "bench").
2. Pages: every main page (vendor workspace, customer portal, trust and survey pages, trouble register,
   requirements, business flows) as the role that uses it, and the API's main lists (/api/v1/…, read with the
   browser session, at their default page size). See PAGES.
3. Counts the SQL queries of every page in-process (Django's test client and CaptureQueriesContext, which a
   server cannot do), on the biggest project and on a small one: the counts must be equal.
4. Starts the app like production (gunicorn, SHINRAI_ENV=production, collected static files, behind an
   "HTTPS proxy": X-Forwarded-Proto), logs in through the login form as vendor PM, vendor manager and
   customer sponsor, and measures each page:
   * cold: the first request of the page on other projects of the same kind (their charts not drawn yet),
     median of a few — what a reader sees right after the plan changed;
   * warm: sequential requests from one client (p50 / p95 / p99), then requests/s with concurrent clients;
   * the server's memory (RSS of the gunicorn master and workers) after the run.
5. Writes a Markdown table to bench/results/<date>-<db>.md and prints it; the targets are judged on warm
   latencies (cold ones are reported beside them, never hidden).

Run: .venv/bin/python bench/pages_bench.py [--scale large] [--database-url postgres://…/shinrai_bench]
     [--workers 2] [--requests 100] [--cache-url redis://127.0.0.1:6379/15] [--reseed]
Needs gunicorn (`pip install -e '.[production]'`; `make bench` installs it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results"
TARGET_P50_MS = 25.0
TARGET_P95_MS = 80.0
COLD_PROJECTS = 5  # other projects whose pages are requested once each, for the cold figures
PAGE_SECONDS = 15  # time spent on a page's sequential requests (and again on its concurrent ones) …
MIN_SAMPLES = 30  # … unless it has fewer samples than this


# --- The database -----------------------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    kind: str  # "sqlite" or "postgresql"
    marker: Path  # what was seeded into it, and how long it took

    @property
    def label(self) -> str:
        return "SQLite" if self.kind == "sqlite" else "PostgreSQL"


def _database(args) -> Database:
    if not args.database_url:
        path = VAR / f"{args.scale}-seed{args.seed}.sqlite3"
        return Database(f"sqlite:///{path}", "sqlite", path.with_suffix(".json"))
    parsed = urllib.parse.urlparse(args.database_url)
    if parsed.scheme not in ("postgres", "postgresql"):
        sys.exit("--database-url must be a postgres:// URL (SQLite is the default without it)")
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        sys.exit(f"Refusing database {name!r}: the bench drops and recreates it; use a name with 'bench'.")
    marker = VAR / f"pg-{parsed.hostname}-{parsed.port or 5432}-{name}.json"
    return Database(args.database_url, "postgresql", marker)


def _pg_admin(db: Database, *statements: str) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(db.url)
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def _run(command: list[str], env: dict, log: Path | None = None) -> str:
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if log:
        log.write_text(result.stdout + result.stderr)
    if result.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(db: Database, args, env: dict) -> dict:
    """Seed the database unless it already holds this scale and seed; returns what the marker says."""
    wanted = {"scale": args.scale, "seed": args.seed}
    if db.marker.exists() and not args.reseed:
        info = json.loads(db.marker.read_text())
        if {k: info.get(k) for k in wanted} == wanted:
            # The code may have gained migrations since the data was seeded (new tables answer 500 otherwise).
            _run([str(BIN / "shinrai"), "migrate", "--noinput", "-v0"], env)
            return info
    VAR.mkdir(parents=True, exist_ok=True)
    if db.kind == "sqlite":
        path = Path(db.url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        name = urllib.parse.urlparse(db.url).path.lstrip("/")
        _pg_admin(db, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    db.marker.unlink(missing_ok=True)
    print(f"Seeding {args.scale} (seed {args.seed}) into {db.label}; this takes a few minutes…", flush=True)
    _run([str(BIN / "shinrai"), "migrate", "--noinput", "-v0"], env)
    started = time.perf_counter()
    output = _run(
        [str(BIN / "shinrai"), "seed", "--scale", args.scale, "--seed", str(args.seed)],
        env,
        log=db.marker.with_suffix(".log"),
    )
    seconds = time.perf_counter() - started
    counts = dict(re.findall(r"^\s+(\w+\.\w+)\s+([\d,]+)$", output, re.MULTILINE))
    info = wanted | {"seeded_on": date.today().isoformat(), "seconds": round(seconds, 1), "counts": counts}
    db.marker.write_text(json.dumps(info, ensure_ascii=False, indent=2))
    return info


# --- What to request --------------------------------------------------------------------------------------


@dataclass
class Subject:
    """A project with what its pages need: its PM, its sponsor, a draft and a published report, a flow."""

    project: int
    code: str
    tasks: int
    pm: str
    sponsor: str
    draft: int
    published: int
    flow: int  # its business flow with the most step links


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # "pm", "manager" or "sponsor"
    path: str  # formatted with the subject's fields
    project_page: bool = True  # False: the same URL for every project (portfolio, portal)

    def url(self, subject: Subject) -> str:
        return self.path.format(**subject.__dict__)


PAGES = [
    Page("Portfolio (vendor manager)", "manager", "/portfolio/", project_page=False),
    Page("Portfolio (vendor PM)", "pm", "/portfolio/", project_page=False),
    Page("Project home", "pm", "/projects/{project}/"),
    Page("WBS", "pm", "/projects/{project}/wbs/"),
    Page("Gantt by week", "pm", "/projects/{project}/gantt/?zoom=week"),
    Page("Gantt by month", "pm", "/projects/{project}/gantt/?zoom=month"),
    Page("Weekly reports (vendor PM)", "pm", "/projects/{project}/reports/"),
    Page("Weekly reports (vendor manager)", "manager", "/projects/{project}/reports/"),
    Page("Weekly report draft (edit)", "pm", "/projects/{project}/reports/{draft}/edit/"),
    Page("Portal home (customer sponsor)", "sponsor", "/portal/", project_page=False),
    Page("Portal project (customer sponsor)", "sponsor", "/portal/projects/{project}/"),
    Page("Portal schedule (customer sponsor)", "sponsor", "/portal/projects/{project}/schedule/"),
    Page(
        "Portal weekly report (customer sponsor)",
        "sponsor",
        "/portal/projects/{project}/reports/{published}/",
    ),
    Page("Trust dashboard (vendor manager)", "manager", "/trust/", project_page=False),
    Page("Project trust indicators", "pm", "/projects/{project}/trust/"),
    Page("Accounts (vendor manager)", "manager", "/customers/", project_page=False),
    Page("Survey results (project)", "pm", "/projects/{project}/surveys/results/"),
    Page("Survey results (vendor manager, all)", "manager", "/surveys/results/", project_page=False),
    Page("Trouble register (vendor PM)", "pm", "/projects/{project}/troubles/"),
    Page("Portal troubles (customer sponsor)", "sponsor", "/portal/projects/{project}/troubles/"),
    Page("Requirements (vendor PM)", "pm", "/projects/{project}/requirements/"),
    Page("Portal requirements (customer sponsor)", "sponsor", "/portal/projects/{project}/requirements/"),
    # The measured projects have business flows, customer and change requests (see subjects()).
    Page("Business flows (vendor PM)", "pm", "/projects/{project}/flows/"),
    Page("Business flow (vendor PM)", "pm", "/projects/{project}/flows/{flow}/"),
    Page("Ledger (vendor PM)", "pm", "/projects/{project}/ledger/"),
    Page("Customer requests (vendor PM)", "pm", "/projects/{project}/requests/"),
    Page("Change requests (vendor PM)", "pm", "/projects/{project}/changes/"),
    Page("Portal ledger (customer sponsor)", "sponsor", "/portal/projects/{project}/ledger/"),
    Page("Notifications (customer sponsor)", "sponsor", "/notifications/", project_page=False),
    # The API's lists, as an integration reads them (the browser session authenticates like a token does);
    # paginated lists are read at their default page size.
    Page("API projects (vendor manager)", "manager", "/api/v1/projects/", project_page=False),
    Page("API accounts (vendor manager)", "manager", "/api/v1/accounts/", project_page=False),
    Page("API tasks (vendor PM)", "pm", "/api/v1/projects/{project}/tasks"),
    Page("API milestones (vendor PM)", "pm", "/api/v1/projects/{project}/milestones"),
    Page("API weekly reports (vendor PM)", "pm", "/api/v1/projects/{project}/reports"),
    Page("API troubles (vendor PM)", "pm", "/api/v1/projects/{project}/troubles"),
    Page("API troubles (customer sponsor)", "sponsor", "/api/v1/projects/{project}/troubles"),
    Page("API requirements (vendor PM)", "pm", "/api/v1/projects/{project}/requirements"),
    Page("API business flows (vendor PM)", "pm", "/api/v1/projects/{project}/flows"),
    Page("API flow step links (vendor PM)", "pm", "/api/v1/flows/{flow}/links"),
    Page("API ledger (vendor PM)", "pm", "/api/v1/projects/{project}/ledger"),
    Page("API customer requests (vendor PM)", "pm", "/api/v1/projects/{project}/customer-requests"),
    Page("API change requests (vendor PM)", "pm", "/api/v1/projects/{project}/change-requests"),
    Page("API notifications (customer sponsor)", "sponsor", "/api/v1/notifications", project_page=False),
]


def subjects() -> tuple[list[Subject], Subject, str]:
    """The biggest running projects with a draft and a published, questioned report, business flows, customer
    and change requests (the first is measured, the others give the cold figures), a small one (query counts
    must match), and a vendor manager."""
    from django.db.models import Count, Exists, OuterRef

    from shinrai.core.models import Project, ProjectMember, User
    from shinrai.flows.models import BusinessFlow
    from shinrai.ledger.models import ChangeRequest, CustomerRequest
    from shinrai.progress.models import ReportComment, WeeklyReport

    drafts = WeeklyReport.objects.filter(project=OuterRef("pk"), state="draft")
    questioned = ReportComment.objects.filter(report__project=OuterRef("pk"), parent=None)
    flows = BusinessFlow.objects.filter(project=OuterRef("pk"), visibility="customer")
    requests = CustomerRequest.objects.filter(project=OuterRef("pk"))
    changes = ChangeRequest.objects.filter(project=OuterRef("pk")).exclude(status="draft")
    manager = User.objects.filter(is_vendor_manager=True).order_by("pk").first()
    candidates = (
        Project.objects.filter(Exists(drafts), Exists(questioned), members__role="customer_sponsor")
        .filter(Exists(flows), Exists(requests), Exists(changes))
        .filter(vendor_org=manager.organization_id)
        .annotate(n=Count("tasks", distinct=True))
        .order_by("-n", "pk")
    )

    def subject(project) -> Subject:
        members = ProjectMember.objects.filter(project=project).select_related("user")
        role = {m.role: m.user.email for m in members}
        report = (
            ReportComment.objects.filter(report__project=project, parent=None)
            .order_by("-report__week_start")
            .values_list("report_id", flat=True)
            .first()
        )
        return Subject(
            project.pk,
            project.code,
            project.n,
            role["vendor_pm"],
            role["customer_sponsor"],
            WeeklyReport.objects.filter(project=project, state="draft").values_list("pk", flat=True).first(),
            report,
            BusinessFlow.objects.filter(project=project, visibility="customer")
            .annotate(linked=Count("links"))
            .order_by("-linked", "pk")
            .values_list("pk", flat=True)
            .first(),
        )

    ordered = list(candidates)
    if len(ordered) < 2:
        sys.exit(
            "The dataset has too few projects with drafts, questions, flows and change requests: seed a "
            "bigger scale, or --reseed data seeded before the seed made flows and the ledger."
        )
    big = [subject(p) for p in ordered[: 1 + COLD_PROJECTS]]
    small = subject(ordered[-1])
    return big, small, manager.email


def count_queries(pages: list[Page], big: Subject, small: Subject, manager: str) -> dict[str, tuple]:
    """Queries per request (warm, i.e. charts cached), on the big and the small project, in-process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from shinrai.core.models import User

    counts = {}
    for page in pages:
        found = []
        for subject in (big, small):
            email = {"pm": subject.pm, "sponsor": subject.sponsor, "manager": manager}[page.who]
            client = Client(HTTP_X_FORWARDED_PROTO="https")
            client.force_login(User.objects.get(email=email))
            url = page.url(subject)
            cold = client.get(url)
            if cold.status_code != 200:
                sys.exit(f"{url} answered {cold.status_code} for {email}")
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            found.append(len(queries))
        counts[page.name] = tuple(found)
    return counts


# --- The server and its clients ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the production settings, on a free loopback port."""

    def __init__(self, env: dict, workers: int, log: Path) -> None:
        self.port = free_port()
        self.log = log
        gunicorn = shutil.which("gunicorn", path=str(BIN))
        if gunicorn is None:
            sys.exit(
                "gunicorn is not installed in this environment. Install the production extra: "
                "pip install -e '.[production]' (make bench does it)."
            )
        self.command = [
            gunicorn,
            "shinrai.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--error-logfile",
            str(log),
        ]
        self.env = env
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request(self.port, "/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        sys.exit(f"The server did not start; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def rss_mb(self) -> tuple[float, list[float]]:
        """Resident memory of the master and of each worker, in MB."""

        def rss(pid: int) -> float:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
            return 0.0

        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return rss(pid), [rss(int(child)) for child in children]


def request(
    port: int, path: str, cookies: dict | None = None, method: str = "GET", body: str = "", headers=None
):
    """One request on a new connection (as through a proxy; gunicorn's sync workers close it anyway)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", **(headers or {})}
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=sent)
    response = connection.getresponse()
    content = response.read()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and cookies is not None:
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    connection.close()
    return response.status, content, response.getheader("Location")


def login(port: int, email: str, password: str) -> dict:
    """Sign in through the login form (CSRF token, Origin check as over HTTPS); returns the cookies."""
    cookies: dict = {}
    status, content, _ = request(port, "/accounts/login/", cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    if status != 200 or not token:
        sys.exit(f"The login page answered {status}")
    body = urllib.parse.urlencode(
        {"username": email, "password": password, "csrfmiddlewaretoken": token.group(1).decode()}
    )
    origin = f"https://127.0.0.1:{port}"
    status, _, location = request(
        port,
        "/accounts/login/",
        cookies,
        "POST",
        body,
        {"Origin": origin, "Referer": f"{origin}/accounts/login/"},
    )
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"Logging in as {email} failed ({status})")
    return cookies


def timed_get(port: int, path: str, cookies: dict) -> float:
    started = time.perf_counter()
    status, content, _ = request(port, path, dict(cookies))
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


@dataclass
class Result:
    page: Page
    url: str
    size_kb: float = 0
    cold_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    rps: float = 0
    queries: tuple = ()

    @property
    def p50(self) -> float:
        return statistics.median(self.warm_ms)

    @property
    def p95(self) -> float:
        return percentile(self.warm_ms, 0.95)

    @property
    def p99(self) -> float:
        return percentile(self.warm_ms, 0.99)

    @property
    def passes(self) -> bool:
        return self.p50 <= TARGET_P50_MS and self.p95 <= TARGET_P95_MS and self.fixed_queries

    @property
    def fixed_queries(self) -> bool:
        return len(set(self.queries)) == 1


def measure(server: Server, sessions: dict, page: Page, big: Subject, cold: list[Subject], args) -> Result:
    cookies = sessions[(page.who, big.project)]
    result = Result(page, page.url(big))
    if page.project_page:
        for subject in cold:
            result.cold_ms.append(
                timed_get(server.port, page.url(subject), sessions[(page.who, subject.project)])
            )
    else:
        result.cold_ms.append(timed_get(server.port, result.url, cookies))
    status, content, _ = request(server.port, result.url, dict(cookies))
    result.size_kb = len(content) / 1024
    for _ in range(2 * args.workers):  # every worker has drawn and cached the page's charts
        timed_get(server.port, result.url, cookies)
    # A slow page gets fewer samples (at least MIN_SAMPLES) so that the whole run stays within minutes.
    deadline = time.monotonic() + PAGE_SECONDS
    while len(result.warm_ms) < args.requests and (
        len(result.warm_ms) < MIN_SAMPLES or time.monotonic() < deadline
    ):
        result.warm_ms.append(timed_get(server.port, result.url, cookies))
    total = args.concurrency * max(5, min(args.requests // 2, round(PAGE_SECONDS * 1000 / result.p50)))
    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(lambda _i: timed_get(server.port, result.url, cookies), range(total)))
    result.rps = total / (time.perf_counter() - started)
    return result


# --- The report -------------------------------------------------------------------------------------------


def cache_description(cache_url: str | None) -> str:
    """How the server under test caches (settings.py: CACHES)."""
    if cache_url:
        return f"Redis ({cache_url}) for everything"
    return "in-process (LocMem, per worker), drawn charts in files shared by the workers (var/cache/charts)"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def report(db: Database, info: dict, args, big: Subject, small: Subject, results: list[Result], rss) -> str:
    master, workers = rss
    ok = sum(r.passes for r in results)
    lines = [
        f"# Page benchmark — {db.label}, {info['scale']} dataset ({date.today().isoformat()})",
        "",
        f"Targets (DESIGN.md): p50 ≤ {TARGET_P50_MS:.0f} ms and p95 ≤ {TARGET_P95_MS:.0f} ms per page, "
        "with a number of SQL queries that does not grow with the data.",
        f"**{ok} of {len(results)} pages meet every target** (judged on warm requests; cold ones beside "
        "them).",
        "",
        "| Page | Cold ms | p50 ms | p95 ms | p99 ms | n | req/s | Queries (big / small) | KB | Target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        verdict = (
            "pass"
            if r.passes
            else "**FAIL**: "
            + ", ".join(
                what
                for what, bad in (
                    ("p50", r.p50 > TARGET_P50_MS),
                    ("p95", r.p95 > TARGET_P95_MS),
                    ("queries grow", not r.fixed_queries),
                )
                if bad
            )
        )
        lines.append(
            f"| {r.page.name} | {statistics.median(r.cold_ms):.0f} | {r.p50:.1f} | {r.p95:.1f} | {r.p99:.1f} "
            f"| {len(r.warm_ms)} | {r.rps:.0f} | {r.queries[0]} / {r.queries[1]} | {r.size_kb:.0f} "
            f"| {verdict} |"
        )
    counts = info.get("counts", {})
    wanted = [
        "core.Organization",
        "core.User",
        "core.Project",
        "progress.Task",
        "progress.WeeklyReport",
        "requirements.Requirement",
        "progress.ReportAcknowledgement",
        "core.AuditEvent",
    ]
    lines += [
        "",
        "## Setup",
        "",
        f"- Machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}.",
        f"- Data: `shinrai seed --scale {info['scale']} --seed {info['seed']}` on {info.get('seeded_on')}, "
        f"took {info.get('seconds')} s: "
        + ", ".join(f"{counts[k]} {k.split('.')[1]}" for k in wanted if k in counts)
        + ".",
        f"- Measured project: {big.code} ({big.tasks} tasks, the biggest running project with a draft and a "
        f"questioned report); query counts also on {small.code} ({small.tasks} tasks).",
        f"- Server: gunicorn, {args.workers} sync workers, SHINRAI_ENV=production, "
        f"cache {cache_description(args.cache_url)}, "
        "requests on loopback with X-Forwarded-Proto: https (as behind the TLS proxy).",
        f"- Cold: first request of the page for {COLD_PROJECTS} other big projects (charts not drawn yet), "
        "median. Warm: "
        f"{args.requests} sequential requests after {2 * args.workers} warm-up requests (fewer, at least "
        f"{MIN_SAMPLES}, for pages slower than {PAGE_SECONDS} s in all); req/s with {args.concurrency} "
        "concurrent clients. The client runs on the same machine.",
        f"- Server memory after the run: master {master:.0f} MB, workers "
        + ", ".join(f"{w:.0f}" for w in workers)
        + f" MB (total {master + sum(workers):.0f} MB).",
        "",
        f"Reproduce: `.venv/bin/python bench/pages_bench.py --scale {info['scale']} --seed {info['seed']}"
        + (f" --database-url {db.url}" if db.kind != "sqlite" else "")
        + (f" --cache-url {args.cache_url}" if args.cache_url else "")
        + f" --workers {args.workers}`",
    ]
    return "\n".join(lines) + "\n"


def add_setup_arguments(parser: argparse.ArgumentParser) -> None:
    """The dataset and server options every benchmark of the app shares (pages_bench, load_bench)."""
    parser.add_argument("--scale", default="large", choices=("small", "medium", "large"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", help="postgres://…/<name with 'bench'> (default: SQLite under var/bench)"
    )
    parser.add_argument(
        "--cache-url", default="", help="e.g. redis://127.0.0.1:6379/15 (default: in-process)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_setup_arguments(parser)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=100, help="warm sequential requests per page")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--reseed", action="store_true", help="seed again even if the database is there")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--only",
        default="",
        help="measure only pages whose name contains one of these comma-separated words (e.g. trust,survey)",
    )
    args = parser.parse_args()
    words = [word.strip().lower() for word in args.only.split(",") if word.strip()] or [""]
    pages = [page for page in PAGES if any(word in page.name.lower() for word in words)]

    db = _database(args)
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "SHINRAI_ENV": "development",
        "SHINRAI_DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    info = prepare(db, args, env)

    os.environ.update(DATABASE_URL=db.url, SHINRAI_DEBUG="0", DJANGO_SETTINGS_MODULE="shinrai.settings")
    import django

    django.setup()
    big, small, manager = subjects()
    main_subject, cold = big[0], big[1:]
    print(
        f"Counting queries on {main_subject.code} ({main_subject.tasks} tasks) and {small.code}…", flush=True
    )
    queries = count_queries(pages, main_subject, small, manager)

    server_var = VAR / "server"
    server_env = env | {
        "SHINRAI_ENV": "production",
        "SHINRAI_SECRET_KEY": "bench-only-" + "x" * 40,
        "SHINRAI_VAR_DIR": str(server_var),
        "SHINRAI_ALLOWED_HOSTS": "127.0.0.1",
        "SHINRAI_CACHE_URL": args.cache_url,
        "SHINRAI_LOG_LEVEL": "WARNING",
    }
    server_var.mkdir(parents=True, exist_ok=True)
    _run([str(BIN / "shinrai"), "collectstatic", "--noinput", "-v0"], server_env)
    if args.cache_url:
        import redis

        redis.Redis.from_url(args.cache_url).flushdb()
    from shinrai.seed import PASSWORD

    results = []
    with Server(server_env, args.workers, VAR / f"server-{db.kind}.log") as server:
        sessions = {}
        for subject in big:
            sessions[("pm", subject.project)] = login(server.port, subject.pm, PASSWORD)
            sessions[("sponsor", subject.project)] = login(server.port, subject.sponsor, PASSWORD)
            sessions[("manager", subject.project)] = login(server.port, manager, PASSWORD)
        # Warm each worker's code paths (imports, templates) on a page that draws no chart.
        for _ in range(4 * args.workers):
            timed_get(server.port, f"/projects/{small.project}/", sessions[("manager", main_subject.project)])
        for page in pages:
            print(f"  {page.name}…", flush=True)
            result = measure(server, sessions, page, main_subject, cold, args)
            result.queries = queries[page.name]
            results.append(result)
        rss = server.rss_mb()

    text = report(db, info, args, main_subject, small, results, rss)
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = ("-redis" if args.cache_url else "") + (
        "-only-" + re.sub(r"\W+", "-", args.only.lower()) if args.only else ""
    )
    path = args.out / f"{date.today().isoformat()}-{db.kind}{suffix}.md"
    path.write_text(text)
    print(text)
    print(f"Written to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
