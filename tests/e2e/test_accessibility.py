"""Automated accessibility checks of the main pages: axe-core run in real Chromium, for every audience.

Each page is loaded as its usual reader sees it (demo data, Japanese), axe-core (from the installed
axe-playwright-python package, see tests/e2e/a11y.py) checks it against the WCAG 2.x A/AA rules and axe's best
practices, and the test fails on any serious or critical violation that is not on the allow-list
(a11y.ALLOWED, with reasons). Minor and moderate findings are printed, not failed. No page may scroll sideways
in a 1280 px window (wide tables scroll inside their own box). A screenshot of every page checked is kept with
the test's artifacts.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from shinrai.core.models import Organization, Project
from shinrai.progress import reports
from shinrai.progress.models import WeeklyReport
from shinrai.troubles.models import Trouble

from .a11y import axe_version, failing, run_axe
from .test_login_journey import log_in
from .test_requirements_journey import log_out
from .test_survey_journey import MANAGER
from .test_weekly_report_journey import PROJECT_CODE, SPONSOR, VENDOR_PM

pytestmark = pytest.mark.e2e

FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _pages() -> dict[str | None, list[tuple[str, str]]]:
    """(screenshot name, path) of the main pages, per person (None: not signed in), from the demo data."""
    project = Project.objects.get(code=PROJECT_CODE)
    p = project.pk
    report = WeeklyReport.objects.filter(project=project, published_at__isnull=False).latest("week_start")
    waiting = Trouble.objects.get(project=project, status=Trouble.Status.OPTIONS_PROPOSED)
    drifting = Organization.objects.get(name="株式会社みどりマート")
    this_week = reports.monday_of(timezone.localdate()).isoformat()
    return {
        None: [("login", "/accounts/login/"), ("password-reset", "/accounts/password-reset/")],
        SPONSOR: [
            ("portal", "/portal/"),
            ("portal-project", f"/portal/projects/{p}/"),
            ("portal-reports", f"/portal/projects/{p}/reports/"),
            ("portal-report", f"/portal/projects/{p}/reports/{report.pk}/"),
            ("portal-troubles", f"/portal/projects/{p}/troubles/"),
            ("portal-trouble", f"/portal/projects/{p}/troubles/{waiting.pk}/"),
            ("portal-ledger", f"/portal/projects/{p}/ledger/"),
            ("portal-requirements", f"/portal/projects/{p}/requirements/"),
            ("portal-roadmap", f"/portal/projects/{p}/roadmap/"),
            ("portal-schedule", f"/portal/projects/{p}/schedule/"),
            ("notifications", "/notifications/"),
            ("me", "/me/"),
        ],
        VENDOR_PM: [
            ("portfolio", "/portfolio/"),
            ("project-home", f"/projects/{p}/"),
            ("wbs", f"/projects/{p}/wbs/"),
            ("gantt", f"/projects/{p}/gantt/"),
            ("progress-charts", f"/projects/{p}/progress-charts/"),
            ("reports", f"/projects/{p}/reports/"),
            ("report-draft", f"/projects/{p}/reports/new/?week={this_week}"),
            ("troubles", f"/projects/{p}/troubles/"),
            ("trouble", f"/projects/{p}/troubles/{waiting.pk}/"),
            ("trouble-new", f"/projects/{p}/troubles/new/"),
            ("ledger", f"/projects/{p}/ledger/"),
            ("changes", f"/projects/{p}/changes/"),
            ("requests", f"/projects/{p}/requests/"),
            ("requirements", f"/projects/{p}/requirements/"),
            ("roadmap", f"/projects/{p}/roadmap/"),
            ("surveys", f"/projects/{p}/surveys/"),
            ("survey-results", f"/projects/{p}/surveys/results/"),
        ],
        MANAGER: [
            ("trust", "/trust/"),
            ("trust-account", f"/trust/customers/{drifting.pk}/"),
            ("trust-project", f"/projects/{p}/trust/"),
            ("trust-definitions", "/trust/definitions/"),
            ("accounts", "/customers/"),
            ("account", f"/customers/{drifting.pk}/"),
            ("vendor-survey-results", "/surveys/results/"),
        ],
    }


def test_main_pages_have_no_serious_accessibility_violations(
    page, live_server, demo_data, console_errors, screenshot
):
    found = []
    sideways = []  # pages wider than the 1280 px window (WCAG 1.4.10 asks for no sideways scrolling)
    for person, pages in _pages().items():
        if person is None:
            # The log-in form as it looks after a failed attempt too: errors are where forms often fail.
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", SPONSOR)
            page.fill("#id_password", "not the password")
            page.click("form.form-stack button[type=submit]")
            page.wait_for_load_state("load")
            pages = [*pages, ("login-error", None)]
        else:
            log_in(page, live_server, person)
        for name, path in pages:
            if path is not None:
                response = page.goto(live_server.url + path)
                assert response.status == 200, (path, response.status)
            found += run_axe(page)
            if not page.evaluate(FITS):
                sideways.append(page.url[len(live_server.url) :])
            screenshot(f"{person.split('@')[0] if person else 'anonymous'}-{name}")
        if person is not None:
            log_out(page)

    checked = sum(len(p) for p in _pages().values()) + 1
    print(f"\naxe-core {axe_version()}: {checked} pages, {len(found)} findings")
    for violation in found:
        print(" ", violation)
    problems = [str(violation) for violation in failing(found)]
    problems += [f"{path}: the page scrolls sideways in a 1280 px window" for path in sideways]
    assert problems == [], "serious or critical accessibility problems:\n" + "\n".join(problems)
    assert console_errors == []
