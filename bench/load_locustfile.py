"""The users of the load test (bench/load_bench.py runs this file with locust; it is not run on its own).

Five kinds of people, weighted by how much each uses Shinrai in a working day: vendor PMs live in it, customer
members and sponsors read the portal, the vendor manager looks across the portfolio, partner vendors glance at
the projects they work on. Each simulated person signs in once through the login form with a seeded account
of its role (a different account per person while there are enough) and then, after a think time, opens one
page of its mix on one of its projects.

The plan (accounts, their projects and report ids, the password, the think time) is a JSON file written by
bench/load_bench.py; its path is in SHINRAI_LOAD_PLAN. Requests are named by page group, so locust's
statistics are per group. Anything but the expected status (200, and 302 for the login form) is a failure;
redirects are not followed, so a session that expired and was sent to the login page counts as one.
"""

from __future__ import annotations

import json
import os
import random
import re
import string
from itertools import count
from pathlib import Path

from locust import HttpUser, between, task

PLAN = json.loads(Path(os.environ["SHINRAI_LOAD_PLAN"]).read_text())
# As behind the TLS proxy of a production deployment: without it the server redirects to https.
PROXY = {"X-Forwarded-Proto": "https"}

# Page mixes: (weight, group, path). {project}, {published} and {draft} come from one of the account's
# projects; a page whose field that project lacks (no draft report) is skipped for another pick.
VENDOR_PM = [
    (3, "Portfolio (vendor PM)", "/portfolio/"),
    (5, "Project home", "/projects/{project}/"),
    (2, "WBS", "/projects/{project}/wbs/"),
    (3, "Gantt", "/projects/{project}/gantt/?zoom=week"),
    (3, "Weekly reports", "/projects/{project}/reports/"),
    (2, "Weekly report draft (edit)", "/projects/{project}/reports/{draft}/edit/"),
    (3, "Trouble register", "/projects/{project}/troubles/"),
    (2, "Requirements", "/projects/{project}/requirements/"),
    (1, "Business flows", "/projects/{project}/flows/"),
    (1, "Project trust indicators", "/projects/{project}/trust/"),
    (1, "API lists", "/api/v1/projects/{project}/tasks"),
    (1, "API lists", "/api/v1/projects/{project}/troubles"),
    (1, "API lists", "/api/v1/projects/{project}/reports"),
]
VENDOR_MANAGER = [
    (2, "Portfolio (vendor manager)", "/portfolio/"),
    (2, "Trust dashboard (vendor manager)", "/trust/"),
    (1, "Accounts (vendor manager)", "/customers/"),
    (0.5, "Survey results (vendor manager, all)", "/surveys/results/"),
    (2, "Project home", "/projects/{project}/"),
    (2, "Weekly reports", "/projects/{project}/reports/"),
    (1, "Trouble register", "/projects/{project}/troubles/"),
    (1, "API lists", "/api/v1/projects/"),
]
CUSTOMER_SPONSOR = [
    (3, "Portal home", "/portal/"),
    (4, "Portal project", "/portal/projects/{project}/"),
    (2, "Portal schedule", "/portal/projects/{project}/schedule/"),
    (3, "Portal weekly report", "/portal/projects/{project}/reports/{published}/"),
    (2, "Portal troubles", "/portal/projects/{project}/troubles/"),
    (2, "Portal requirements", "/portal/projects/{project}/requirements/"),
]
CUSTOMER_MEMBER = [
    (3, "Portal home", "/portal/"),
    (3, "Portal project", "/portal/projects/{project}/"),
    (3, "Portal schedule", "/portal/projects/{project}/schedule/"),
    (2, "Portal weekly report", "/portal/projects/{project}/reports/{published}/"),
    (1, "Portal troubles", "/portal/projects/{project}/troubles/"),
    (2, "Portal requirements", "/portal/projects/{project}/requirements/"),
    (1, "API lists", "/api/v1/projects/{project}/troubles"),
]
PARTNER_VIEWER = [
    (3, "Portal home", "/portal/"),
    (3, "Portal project", "/portal/projects/{project}/"),
    (2, "Portal schedule", "/portal/projects/{project}/schedule/"),
    (1, "Portal troubles", "/portal/projects/{project}/troubles/"),
    (1, "Portal requirements", "/portal/projects/{project}/requirements/"),
]  # weekly reports are not shared with partner vendors (their pages answer 404)


def _fields(path: str) -> list[str]:
    return [name for _text, name, _spec, _conv in string.Formatter().parse(path) if name]


class Person(HttpUser):
    """Signs in once, then opens pages of its role's mix."""

    abstract = True
    role = ""
    mix: list = []
    wait_time = between(*PLAN["wait"])
    _next = {}  # role → counter: which account the next person of that role takes

    def on_start(self) -> None:
        accounts = PLAN["accounts"][self.role]
        number = next(Person._next.setdefault(self.role, count()))
        self.account = accounts[number % len(accounts)]
        self.cookies: dict[str, str] = {}
        self.login()

    def _keep_cookies(self, response) -> None:
        # The server marks its cookies Secure (production behind TLS); requests would not send them back
        # over loopback http, so they are kept here and sent by hand.
        self.cookies.update(response.cookies.get_dict())

    def _headers(self, **extra) -> dict:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {**PROXY, "Cookie": cookie, **extra}

    def login(self) -> None:
        with self.client.get(
            "/accounts/login/", name="Login form", headers=PROXY, allow_redirects=False, catch_response=True
        ) as response:
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
            if response.status_code != 200 or not token:
                response.failure(f"login page answered {response.status_code}")
                return
            self._keep_cookies(response)
        origin = f"https://{self.host.split('://', 1)[1]}"
        with self.client.post(
            "/accounts/login/",
            name="Sign in",
            data={
                "username": self.account["email"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1),
            },
            headers=self._headers(Origin=origin, Referer=f"{origin}/accounts/login/"),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            self._keep_cookies(response)
            if response.status_code != 302 or "sessionid" not in self.cookies:
                response.failure(f"signing in as {self.account['email']} answered {response.status_code}")

    @task
    def open_a_page(self) -> None:
        for _attempt in range(10):
            _weight, group, path = random.choices(self.mix, weights=[w for w, _g, _p in self.mix])[0]
            project = random.choice(self.account["projects"])
            values = {"project": project["id"], "draft": project.get("draft")}
            if project.get("published"):
                values["published"] = random.choice(project["published"])
            if all(values.get(name) for name in _fields(path)):
                break
        else:
            return
        with self.client.get(
            path.format(**values),
            name=group,
            headers=self._headers(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {self.role} {self.account['email']}")


def _person(role: str, mix: list):
    weight = PLAN["weights"][role]
    return type(role.title().replace("_", ""), (Person,), {"role": role, "mix": mix, "weight": weight})


# Only the roles the plan has accounts for (a small dataset may have no partner on a project).
for _role, _mix in {
    "vendor_pm": VENDOR_PM,
    "vendor_manager": VENDOR_MANAGER,
    "customer_sponsor": CUSTOMER_SPONSOR,
    "customer_member": CUSTOMER_MEMBER,
    "partner_viewer": PARTNER_VIEWER,
}.items():
    if PLAN["accounts"].get(_role):
        globals()[_role.title().replace("_", "")] = _person(_role, _mix)
