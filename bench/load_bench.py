"""Load and soak test (`make load`): 50 concurrent mixed users for 5 minutes against the large dataset.

What it does:
1. Uses the benchmark's database (bench/pages_bench.py seeds it once: `shinrai seed --scale large`, an SQLite
   file under var/bench/ or the PostgreSQL database of ``--database-url``).
2. Picks seeded accounts for five kinds of people — vendor PM, vendor manager, customer sponsor, customer
   member, partner viewer — with their projects and report ids, and writes them to a plan for locust.
3. Starts the app like production (gunicorn, SHINRAI_ENV=production, collected static files, requests with
   X-Forwarded-Proto: https as behind the TLS proxy) on a loopback port and runs locust headless against it
   (bench/load_locustfile.py: each person signs in through the login form with the seeded password, then
   opens pages of its role's mix after a think time). The server's memory (RSS of the gunicorn master and
   workers) is sampled every 10 s while it runs. Before the load, the scheduled jobs a production machine has
   run by morning (stored trust indicators, the day's charts drawn ahead) run as cron would; `--cold` skips
   them to measure the first views.
4. Writes a Markdown report: requests, failures (must be 0), p50/p95/p99 and requests/s per page group, and
   the memory samples (first vs last; flat means no growth beyond noise over the second half of the run,
   the first filling the workers' caches). p95 is judged against DESIGN.md's
   80 ms; the login is reported but not judged (its password hash is slow on purpose).

The report goes to bench/results/<date>-load-<db>.md only when the machine was idle: if CI is running
(`pgrep -f ci/run`) the timings are not comparable, so it goes to var/bench/ and says so. A quick check of the
script: `.venv/bin/python bench/load_bench.py --scale small --users 5 --duration 30s`.

Run: .venv/bin/python bench/load_bench.py [--scale large] [--users 50] [--duration 5m] [--workers 2]
     [--database-url postgres://…/shinrai_bench] [--cache-url redis://…] [--wait 1,5] [--reseed] [--cold]
Needs gunicorn and locust (`pip install -e '.[production,bench]'`; `make load` installs them).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages_bench  # noqa: E402  (the directory is not a package)
from pages_bench import BIN, RESULTS, ROOT, VAR  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "load_locustfile.py"
TARGET_P95_MS = pages_bench.TARGET_P95_MS
SAMPLE_SECONDS = 10
WARM_UP_SECONDS = 60  # shorter runs are not judged for memory (their growth is the workers' warm-up)
LOGIN = ("Login form", "Sign in")  # request names of the sign-in, not judged against the page target
# Share of the simulated people per role: PMs work in Shinrai all day, customers read the portal, the vendor
# manager and partner vendors look in now and then.
WEIGHTS = {
    "vendor_pm": 35,
    "vendor_manager": 10,
    "customer_sponsor": 15,
    "customer_member": 30,
    "partner_viewer": 10,
}
PROJECTS_PER_ACCOUNT = 8
REPORTS_PER_PROJECT = 4


def ci_running() -> bool:
    """Whether the CI job shares the CPU right now (its timings would not be comparable)."""
    return subprocess.run(["pgrep", "-f", "ci/run"], capture_output=True, check=False).returncode == 0


def duration_seconds(text: str) -> int:
    match = re.fullmatch(r"(\d+)([smh]?)", text.strip())
    if not match:
        sys.exit(f"--duration must look like 300, 30s, 5m or 1h, not {text!r}")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


# --- Who signs in, and what they open ----------------------------------------------------------------------


def plan(users: int) -> dict:
    """Accounts per role, each with up to PROJECTS_PER_ACCOUNT of its projects (started and not closed) and
    their newest published reports and draft.

    As many distinct accounts per role as that role has simulated people (fewer if the data has fewer)."""
    from django.db.models import Count, Q

    from shinrai.core.models import Project, ProjectMember, User
    from shinrai.progress.models import WeeklyReport

    manager = User.objects.filter(is_vendor_manager=True).order_by("pk").first()
    vendor = manager.organization_id
    wanted = {
        role: max(1, math.ceil(users * share / sum(WEIGHTS.values()))) for role, share in WEIGHTS.items()
    }
    running = ~Q(phase__in=(Project.Phase.CLOSED, Project.Phase.PROPOSAL))

    def projects(ids) -> list[dict]:
        found = []
        for project in (
            Project.objects.filter(pk__in=ids).filter(running).order_by("pk")[:PROJECTS_PER_ACCOUNT]
        ):
            reports = WeeklyReport.objects.filter(project=project).order_by("-week_start")
            published = list(
                reports.filter(state="published").values_list("pk", flat=True)[:REPORTS_PER_PROJECT]
            )
            draft = reports.filter(state="draft").values_list("pk", flat=True).first()
            found.append({"id": project.pk, "published": published, "draft": draft})
        return found

    accounts: dict[str, list[dict]] = {}
    for role, count in wanted.items():
        if role == "vendor_manager":
            people = User.objects.filter(is_vendor_manager=True, organization=vendor).order_by("pk")[:count]
            ids = (
                Project.objects.filter(running, vendor_org=vendor).order_by("pk").values_list("pk", flat=True)
            )
            pools = [(person, list(ids[i :: len(people)])) for i, person in enumerate(people)]
        else:
            members = ProjectMember.objects.filter(role=role, project__vendor_org=vendor)
            people = (
                User.objects.filter(
                    pk__in=members.filter(project__in=Project.objects.filter(running)).values("user")
                )
                .annotate(n=Count("memberships"))
                .order_by("-n", "pk")[:count]
            )
            pools = [
                (person, list(members.filter(user=person).values_list("project", flat=True)))
                for person in people
            ]
        accounts[role] = [
            {"email": person.email, "projects": found} for person, ids in pools if (found := projects(ids))
        ]
    return accounts


# --- The run ----------------------------------------------------------------------------------------------


def prepare_like_cron(accounts: dict, env: dict) -> None:
    """Run the scheduled jobs a production machine has run by the time people arrive (docs/OPERATIONS.md).

    ``recompute-indicators`` (hourly) stores the trust indicators; ``draw-charts`` (daily, after midnight)
    draws the charts into the shared chart cache (Redis with --cache-url, else files under the server's
    var/). Cron draws every active project's (about 35 min for the 884 of the large dataset on one core);
    here only the projects the load visits are drawn, in two processes. ``--cold`` measures first views.
    """
    from shinrai.core.models import Project

    ids = {
        project["id"] for people in accounts.values() for person in people for project in person["projects"]
    }
    codes = sorted(Project.objects.filter(pk__in=ids).values_list("code", flat=True))
    started = time.perf_counter()
    shinrai = str(BIN / "shinrai")
    pages_bench._run([shinrai, "recompute-indicators"], env)
    halves = [codes[0::2], codes[1::2]]
    drawers = [
        subprocess.Popen(
            [shinrai, "draw-charts", *(f"--project={code}" for code in half)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for half in halves
        if half
    ]
    if any(drawer.wait() for drawer in drawers):
        sys.exit("shinrai draw-charts failed before the load test")
    pages_bench._run([shinrai, "prepare-survey-results"], env)
    print(
        f"Scheduled jobs done in {time.perf_counter() - started:.0f} s "
        f"(indicators; charts of the {len(codes)} projects the load visits).",
        flush=True,
    )


class MemorySampler(threading.Thread):
    """The server's resident memory every SAMPLE_SECONDS: (seconds since start, master MB, workers MB)."""

    def __init__(self, server: pages_bench.Server) -> None:
        super().__init__(daemon=True)
        self.server = server
        self.samples: list[tuple[float, float, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self.stop.wait(SAMPLE_SECONDS):
            try:
                master, workers = self.server.rss_mb()
            except OSError:  # a worker was being replaced between reading its id and its status
                continue
            self.samples.append((time.monotonic() - started, master, sum(workers)))


def run_locust(port: int, plan_path: Path, args, csv_prefix: Path) -> subprocess.CompletedProcess:
    locust = shutil.which("locust", path=str(BIN))
    if locust is None:
        sys.exit(
            "locust is not installed here. Install the bench extra: pip install -e '.[bench]' "
            "(make load does it)."
        )
    command = [
        locust,
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{duration_seconds(args.duration)}s",
        "--stop-timeout",
        "30",
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**os.environ, "SHINRAI_LOAD_PLAN": str(plan_path)}
    # locust exits 1 when a request failed; the report says so, so that is not an error of the script.
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode not in (0, 1) or not Path(f"{csv_prefix}_stats.csv").exists():
        sys.exit(f"locust failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def read_stats(csv_prefix: Path) -> tuple[list[dict], list[dict]]:
    with open(f"{csv_prefix}_stats.csv", newline="") as f:
        stats = list(csv.DictReader(f))
    with open(f"{csv_prefix}_failures.csv", newline="") as f:
        failures = list(csv.DictReader(f))
    return stats, failures


# --- The report -------------------------------------------------------------------------------------------


def memory_verdict(samples: list[tuple[float, float, float]]) -> str:
    """First vs last total RSS, and whether it stayed flat in the second half of the run.

    The first half is warm-up: the workers import code and fill their caches (charts, up to the cache's
    size limit), which grows memory on purpose. Flat means the last sample is at most 5 % (or 10 MB, whichever
    is more) above the sample in the middle of the run. Runs under WARM_UP_SECONDS * 2 are not judged."""
    if not samples:
        return "not sampled (the run was shorter than the sampling interval)"

    def total(sample):
        return sample[1] + sample[2]

    first, last = samples[0], samples[-1]
    middle = next(sample for sample in samples if sample[0] >= last[0] / 2)
    text = (
        f"first {total(first):.0f} MB, middle {total(middle):.0f} MB, last {total(last):.0f} MB, "
        f"max {max(map(total, samples)):.0f} MB"
    )
    if last[0] < 2 * WARM_UP_SECONDS:
        return f"{text}; not judged (the run is too short to tell growth from warm-up)"
    growth = total(last) - total(middle)
    flat = growth <= max(10.0, 0.05 * total(middle))
    return f"{text}; {growth:+.0f} MB over the second half: " + ("flat" if flat else "GROWING")


def report(
    db, info: dict, args, accounts: dict, stats, failures, samples, seconds: float, busy: bool, load: float
) -> str:
    rows = [row for row in stats if row["Name"] != "Aggregated"]
    total = next(row for row in stats if row["Name"] == "Aggregated")
    pages = [row for row in rows if row["Name"] not in LOGIN]
    judged = [row for row in pages if float(row["95%"]) <= TARGET_P95_MS]
    requests, failed = int(total["Request Count"]), int(total["Failure Count"])
    memory = memory_verdict(samples)
    label = f"{db.label}, {info['scale']} dataset"
    lines = [
        f"# Load and soak test — {label} ({date.today().isoformat()})",
        "",
        f"{args.users} concurrent people for {duration_seconds(args.duration)} s "
        f"(ramp-up {args.spawn_rate:g}/s), "
        f"think time {args.wait[0]:g}–{args.wait[1]:g} s between pages.",
        "",
        f"- **Requests: {requests:,}, failures: {failed}** "
        f"({'pass' if failed == 0 else '**FAIL**'}: must be 0); "
        f"{float(total['Requests/s']):.1f} requests/s overall.",
        f"- **p95 within {TARGET_P95_MS:.0f} ms: {len(judged)} of {len(pages)} page groups** "
        "(DESIGN.md's target, under load; p50/p99 beside it).",
        f"- **Server memory: {memory}**",
    ]
    if busy:
        lines += [
            "",
            "> **Not a real measurement**: CI was running on this machine (shared CPU); timings are not "
            "comparable. Kept under var/bench/, not in bench/results/.",
        ]
    lines += [
        "",
        "| Page group | Requests | Failures | p50 ms | p95 ms | p99 ms | Max ms | req/s | p95 target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in sorted(rows, key=lambda r: -int(r["Request Count"])):
        p95 = float(row["95%"])
        verdict = "not judged" if row["Name"] in LOGIN else "pass" if p95 <= TARGET_P95_MS else "**FAIL**"
        lines.append(
            f"| {row['Name']} | {int(row['Request Count']):,} | {int(row['Failure Count'])} "
            f"| {float(row['50%']):.0f} | {p95:.0f} | {float(row['99%']):.0f} "
            f"| {float(row['Max Response Time']):.0f} | {float(row['Requests/s']):.1f} | {verdict} |"
        )
    if failures:
        lines += ["", "## Failures", "", "| Method | Group | Error | Occurrences |", "|---|---|---|---:|"]
        lines += [
            f"| {f['Method']} | {f['Name']} | {f['Error'][:200]} | {f['Occurrences']} |" for f in failures
        ]
    lines += [
        "",
        f"## Server memory (RSS, MB, every {SAMPLE_SECONDS} s)",
        "",
        "| s | master | workers | total |",
        "|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {at:.0f} | {master:.0f} | {workers:.0f} | {master + workers:.0f} |"
        for at, master, workers in samples
    ]
    counts = info.get("counts", {})
    wanted = ["core.User", "core.Project", "progress.Task", "progress.WeeklyReport", "troubles.Trouble"]
    mix = ", ".join(
        f"{role.replace('_', ' ')} {WEIGHTS[role]} ({len(accounts.get(role, []))} accounts)"
        for role in WEIGHTS
    )
    lines += [
        "",
        "## Setup",
        "",
        f"- Machine: {os.cpu_count()} CPUs ({pages_bench.cpu_model()}), load average {load:.2f} just before "
        "the run; locust runs on the same machine and takes part of the CPU.",
        f"- Data: `shinrai seed --scale {info['scale']} --seed {info['seed']}` on {info.get('seeded_on')}: "
        + ", ".join(f"{counts[k]} {k.split('.')[1]}" for k in wanted if k in counts)
        + ".",
        f"- Server: gunicorn, {args.workers} sync workers, SHINRAI_ENV=production, cache "
        f"{pages_bench.cache_description(args.cache_url)}, loopback with X-Forwarded-Proto: https.",
        "- Before the load: "
        + (
            "nothing (`--cold`): indicators and charts are computed by the first views."
            if args.cold
            else "the scheduled jobs ran as by cron overnight (`shinrai recompute-indicators`, "
            "`shinrai prepare-survey-results`; `shinrai draw-charts` for the projects the load visits)."
        ),
        f"- People (weight per role, distinct seeded accounts signed in through the login form): {mix}. "
        "Page mixes per role: bench/load_locustfile.py. Each person opens pages of up to "
        f"{PROJECTS_PER_ACCOUNT} of its running projects.",
        f"- Wall time {seconds:.0f} s. Percentiles are locust's (rounded to 2 significant digits above "
        "100 ms). The sign-in (login form, then the password check) is reported, not judged: its password "
        "hash is slow on purpose.",
        "",
        f"Reproduce: `.venv/bin/python bench/load_bench.py --scale {info['scale']} --users {args.users} "
        f"--duration {args.duration} --workers {args.workers}"
        + (f" --database-url {db.url}" if db.kind != "sqlite" else "")
        + (f" --cache-url {args.cache_url}" if args.cache_url else "")
        + "`",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    pages_bench.add_setup_arguments(parser)
    parser.add_argument("--users", type=int, default=50)
    # People sign in gradually (each sign-in costs a slow password hash), as at the start of a working day.
    parser.add_argument("--spawn-rate", type=float, default=2, help="people started per second")
    parser.add_argument("--duration", default="5m", help="e.g. 300, 30s, 5m")
    parser.add_argument(
        "--wait",
        default="1,5",
        type=lambda text: tuple(float(x) for x in text.split(",")),
        help="think time between pages, min,max seconds",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reseed", action="store_true", help="seed again even if the database is there")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="skip the scheduled jobs (stored indicators, charts drawn ahead) that run before people arrive",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="default: bench/results (var/bench/load while CI runs)"
    )
    args = parser.parse_args()
    duration_seconds(args.duration)

    db = pages_bench._database(args)
    env = {**os.environ, "DATABASE_URL": db.url, "SHINRAI_ENV": "development", "SHINRAI_DEBUG": "0"}
    env["PYTHONPATH"] = str(ROOT)
    info = pages_bench.prepare(db, args, env)

    os.environ.update(DATABASE_URL=db.url, SHINRAI_DEBUG="0", DJANGO_SETTINGS_MODULE="shinrai.settings")
    import django

    django.setup()
    from shinrai.seed import PASSWORD

    accounts = plan(args.users)
    load_dir = VAR / "load"
    load_dir.mkdir(parents=True, exist_ok=True)
    plan_path = load_dir / "plan.json"
    weights = {role: WEIGHTS[role] for role in WEIGHTS if accounts.get(role)}
    plan_path.write_text(
        json.dumps({"accounts": accounts, "weights": weights, "password": PASSWORD, "wait": list(args.wait)})
    )

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
    pages_bench._run([str(BIN / "shinrai"), "collectstatic", "--noinput", "-v0"], server_env)
    if args.cache_url:
        import redis

        redis.Redis.from_url(args.cache_url).flushdb()

    if not args.cold:
        prepare_like_cron(accounts, server_env)

    busy = ci_running()
    if busy:
        print(
            "CI is running on this machine: the timings will not be comparable (kept out of bench/results)."
        )
    csv_prefix = load_dir / f"{db.kind}-{info['scale']}"
    print(
        f"{args.users} people for {args.duration} against {db.label} ({info['scale']}): "
        + ", ".join(f"{role} {len(found)} accounts" for role, found in accounts.items()),
        flush=True,
    )
    load_before = os.getloadavg()[0]  # other work on the machine shows here (the run itself adds about 3)
    with pages_bench.Server(server_env, args.workers, VAR / f"server-load-{db.kind}.log") as server:
        sampler = MemorySampler(server)
        sampler.start()
        started = time.perf_counter()
        outcome = run_locust(server.port, plan_path, args, csv_prefix)
        seconds = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
    stats, failures = read_stats(csv_prefix)
    busy = busy or ci_running()

    text = report(db, info, args, accounts, stats, failures, sampler.samples, seconds, busy, load_before)
    out = args.out or RESULTS
    if busy and out.resolve() == RESULTS.resolve():
        out = load_dir
    out.mkdir(parents=True, exist_ok=True)
    suffix = ("-redis" if args.cache_url else "") + (f"-{args.workers}workers" if args.workers != 2 else "")
    path = out / f"{date.today().isoformat()}-load-{db.kind}-{info['scale']}{suffix}.md"
    path.write_text(text)
    print(text)
    if outcome.stderr.strip():
        (load_dir / "locust.log").write_text(outcome.stdout + outcome.stderr)
    print(f"Written to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    if any(int(row["Failure Count"]) for row in stats if row["Name"] == "Aggregated"):
        sys.exit(1)


if __name__ == "__main__":
    main()
