"""Survey results pages, exports and API: the number of SQL queries does not grow with the data."""

from __future__ import annotations

import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ProjectFactory

from .results_helpers import answer, make_round, make_template, tokyo

_day = itertools.count(1)


def _add_data(cast, template, *, rounds: int, answers: int) -> None:
    """Rounds on the own project, on another project of the same customer, and an anonymous round of 2."""
    extra = ProjectFactory(vendor_org=cast.vendor, customer_org=cast.customer)
    for project in (cast.own, extra, cast.other):
        for _ in range(rounds):
            day = next(_day)
            survey = make_round(
                project, template, title=f"R{day}", sent_at=tokyo(2025, 1 + day % 12, 1 + day % 27), invited=9
            )
            for i in range(answers):
                answer(survey, a=1 + i % 5, b=1 + (i + 1) % 5, c=3, d=4, nps=i % 11, comment=f"意見{day}-{i}")
    tiny = make_round(cast.own, template, title="匿名", sent_at=tokyo(2025, 6, 1), anonymous=True)
    answer(tiny, a=1, nps=0, comment="秘密")
    answer(tiny, a=2, nps=1)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_query_counts_do_not_grow(client, cast):
    template = make_template()
    client.force_login(cast.users["vendor_manager"])
    urls = [
        reverse("survey_results:project", args=[cast.own.pk]),
        reverse("survey_results:account", args=[cast.customer.pk]),
        reverse("survey_results:vendor"),
        reverse("survey_results:project_xlsx", args=[cast.own.pk]),
        reverse("survey_results:vendor_xlsx"),
        f"/api/v1/projects/{cast.own.pk}/survey-results",
        f"/api/v1/accounts/{cast.customer.pk}/survey-results",
        "/api/v1/survey-results",
    ]
    _add_data(cast, template, rounds=1, answers=3)
    small = {url: _count(client, url) for url in urls}
    _add_data(cast, template, rounds=4, answers=8)
    large = {url: _count(client, url) for url in urls}
    assert large == small
    # the project page: session and user, the project and role, rounds, small anonymous rounds, figures,
    # per-response values, questions, comment count and comments
    assert small[urls[0]] <= 12, small
