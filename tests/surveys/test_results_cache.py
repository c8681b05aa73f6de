"""Survey results from the cache are exactly the results computed from the data, after every kind of change.

The selectors keep each scope's figures under a key made of the projects the user may see and a fingerprint
of the survey data (``results_selectors.cache_key``). Here random data and every write that changes what a
page shows are checked against ``results_reference`` (the straightforward computation in Python) for the
three scopes and two users, once computed and once more from the cache (with computing switched off).
"""

from __future__ import annotations

import random
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.urls import reverse

from shinrai.core.models import Role
from shinrai.surveys import results_charts
from shinrai.surveys import results_selectors as selectors
from shinrai.surveys.models import Answer, Response, Survey
from tests.factories import ProjectFactory, ProjectMemberFactory, UserFactory

from . import results_reference as reference
from .results_helpers import answer, make_round, make_template, tokyo

WORDS = ["apple", "birch", "cedar", "delta", "ember", "fjord", "grove", "heron"]


def _random_answer(rng: random.Random, survey: Survey, **fields) -> Response:
    """One sheet with scores that are exact binary fractions (means of 1, 2 or 4 answers; see the
    reference): all four 1–5 answers, only A and D, only B and C, or none; the 0–10 answer or not."""
    values = {key: rng.randint(1, 5) for key in "abcd"}
    pattern = rng.choice(["abcd", "abcd", "abcd", "ad", "bc", ""])
    values = {key: value if key in pattern else None for key, value in values.items()}
    nps = rng.choice([None, *range(11), 9, 10, 10])
    comment = rng.choice(["", "", f"{rng.choice(WORDS)} {rng.randint(1, 99)}"])
    return answer(survey, **values, nps=nps, comment=comment, **fields)


def _rounds(rng, project, templates, *, count: int, named: list) -> list[Survey]:
    """Rounds over 2025–2026 with 0 to 8 answers each, one in three anonymous."""
    rounds = []
    for number in range(count):
        sent = tokyo(2025 + number % 2, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))
        survey = make_round(
            project,
            rng.choice(templates),
            title=f"{project.code} R{number}",
            sent_at=sent,
            anonymous=rng.random() < 0.34,
            invited=rng.randint(0, 9),
        )
        for i in range(rng.choice([0, 1, 2, 3, 5, 8])):
            who = rng.choice([*named, None])
            _random_answer(
                rng,
                survey,
                respondent=who,
                name=rng.choice(["", f"回答者{i}"]),
                at=tokyo(sent.year, sent.month, sent.day, rng.randint(0, 23)),
            )
        rounds.append(survey)
    return rounds


@pytest.fixture
def data(cast):
    """Random rounds on our two projects of customer C1, our project of C2 and another vendor's project; a
    draft; two named respondents (one of them to be renamed and deleted)."""

    def build(seed: int) -> dict:
        rng = random.Random(seed)
        v1 = make_template()
        v2 = make_template(version=2, lineage=v1.lineage, wording="（改）")
        extra = ProjectFactory(vendor_org=cast.vendor, customer_org=cast.customer, code="EXTRA-1")
        person = UserFactory(email="person@example.jp", display_name="担当者", organization=cast.customer)
        named = [cast.users["customer_sponsor"], person]
        for project in (cast.own, extra, cast.other, cast.foreign):
            _rounds(rng, project, [v1, v2], count=rng.randint(2, 4), named=named)
        make_round(cast.own, v1, title="下書き", sent_at=None)
        tiny = make_round(cast.own, v2, title="匿名2", sent_at=tokyo(2026, 9, 20), anonymous=True, invited=4)
        answer(tiny, a=1, b=1, c=1, d=1, nps=0, comment="zulu secret")
        answer(tiny, a=2, b=2, c=2, d=2, nps=1)
        return {"v1": v1, "v2": v2, "extra": extra, "person": person, "tiny": tiny, "rng": rng}

    return build


def _scopes(cast):
    manager, pm = cast.users["vendor_manager"], cast.users["vendor_pm"]
    for user in (manager, pm):
        yield (
            user,
            "project",
            cast.own.pk,
            lambda u=user, **kw: selectors.project_results(user=u, project_pk=cast.own.pk, **kw),
        )
        yield (
            user,
            "account",
            cast.customer.pk,
            lambda u=user, **kw: selectors.account_results(user=u, customer_pk=cast.customer.pk, **kw),
        )
        yield user, "vendor", cast.vendor.pk, lambda u=user, **kw: selectors.vendor_results(user=u, **kw)
    other = cast.users["other_vendor_manager"]
    yield other, "vendor", cast.other_vendor.pk, lambda: selectors.vendor_results(user=other)


@contextmanager
def _computing_forbidden(monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("computed again although the data did not change")

    with monkeypatch.context() as patch:
        patch.setattr(selectors, "_compute", refuse)
        yield


def _check(cast, monkeypatch) -> None:
    """Every scope equals the reference, as computed and once more from the cache."""
    for user, scope, pk, results in _scopes(cast):
        wanted = reference.results(user=user, scope=scope, subject_pk=pk)
        assert reference.shown(results()) == wanted, (user, scope)
        with _computing_forbidden(monkeypatch):
            assert reference.shown(results()) == wanted, (user, scope)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_results_equal_the_straightforward_computation_after_every_change(cast, data, monkeypatch, seed):
    found = data(seed)
    rng = found["rng"]
    _check(cast, monkeypatch)

    # the anonymous round of 2 gets its third answer: shown from now on
    answer(found["tiny"], a=5, b=5, c=5, d=5, nps=10, comment="alpha third")
    _check(cast, monkeypatch)

    # a new round with no answers yet, then its first answer (one answer: nothing to compare)
    fresh = make_round(cast.own, found["v2"], title="最新", sent_at=tokyo(2026, 11, 1), invited=6)
    _check(cast, monkeypatch)
    _random_answer(rng, fresh, respondent=found["person"], at=tokyo(2026, 11, 2))
    answer(fresh, a=4, nps=9, comment="named comment", respondent=found["person"], at=tokyo(2026, 11, 3))
    _check(cast, monkeypatch)

    # a respondent is renamed, then deleted (the invitation's name or address shows): no survey data changed
    person = found["person"]
    person.display_name = "改名した担当者"
    person.save(update_fields=["display_name"])
    _check(cast, monkeypatch)
    person.delete()
    _check(cast, monkeypatch)

    # the PM joins our other project of C1: the account and the vendor-wide results of the PM grow
    ProjectMemberFactory(project=found["extra"], user=cast.users["vendor_pm"], role=Role.VENDOR_MEMBER)
    _check(cast, monkeypatch)

    # a round is deleted with its answers; another vendor's project gets an answer (ours stay the same)
    Survey.objects.filter(project=found["extra"]).order_by("pk").first().delete()
    _random_answer(rng, Survey.objects.filter(project=cast.foreign).first(), at=tokyo(2026, 11, 5))
    _check(cast, monkeypatch)


def test_comment_limits_equal_the_straightforward_computation(cast, data):
    data(4)
    user = cast.users["vendor_manager"]
    for limit in (0, 1, 5, None):
        wanted = reference.results(user=user, scope="vendor", subject_pk=cast.vendor.pk, comment_limit=limit)
        for _twice in range(2):
            assert reference.shown(selectors.vendor_results(user=user, comment_limit=limit)) == wanted, limit


def test_the_fingerprint_moves_with_every_write(cast):
    template = make_template()
    seen = [selectors.data_fingerprint()]

    def moved() -> bool:
        seen.append(selectors.data_fingerprint())
        return seen[-1] != seen[-2]

    draft = make_round(cast.own, template, title="下書き", sent_at=None)
    assert moved()
    Survey.objects.filter(pk=draft.pk).update(sent_at=tokyo(2026, 5, 1))  # sent later
    assert moved()
    draft.refresh_from_db()
    response = answer(draft, a=3, nps=7)
    assert moved()
    Answer.objects.create(response=response, question=template.questions.get(code="FREE"), text="late")
    assert moved()
    answer(draft, a=4, nps=9)
    assert moved()
    Response.objects.filter(pk=response.pk).delete()  # not the newest one: the count tells
    assert moved()
    draft.delete()
    assert moved()
    assert not moved()  # and only then


def _body(response) -> str:
    html = response.content.decode()
    return html[html.index("<h1>") : html.index('<details class="card" id="method">')]


def test_the_page_from_the_cache_is_the_page_computed_and_draws_nothing_again(
    client, cast, data, monkeypatch
):
    found = data(5)
    sponsor = cast.users["customer_sponsor"]
    named = make_round(cast.own, found["v1"], title="記名", sent_at=tokyo(2026, 12, 30), invited=1)
    answer(named, a=4, nps=9, comment="sponsor says", respondent=sponsor, at=tokyo(2026, 12, 30))
    drawn = []
    trend = results_charts.trend
    monkeypatch.setattr(results_charts, "trend", lambda *a, **kw: drawn.append(1) or trend(*a, **kw))
    client.force_login(cast.users["vendor_manager"])
    url = reverse("survey_results:vendor")
    first = client.get(url)
    again = client.get(url)
    assert len(drawn) == 1
    assert "surveys/_results_figures.html" not in [t.name for t in again.templates]
    assert _body(again) == _body(first)

    # a renamed respondent shows at once, and the page is the one computed from scratch
    assert "customer_sponsor · 2026-12-30" in _body(again)
    sponsor.display_name = "新しい名前"
    sponsor.save(update_fields=["display_name"])
    answer(found["tiny"], a=3, b=3, c=3, d=3, nps=8, comment="shown now", respondent=None)
    renamed = client.get(url)
    for cache in caches.all():
        cache.clear()
    computed = client.get(url)
    assert _body(renamed) == _body(computed)
    assert "新しい名前 · 2026-12-30" in _body(renamed) and "shown now" in _body(renamed)


def test_a_projects_fingerprint_moves_with_its_own_writes_only(cast):
    template = make_template()
    own, other = [cast.own.pk], [cast.other.pk]
    before = selectors.data_fingerprint(own), selectors.data_fingerprint(other), selectors.data_fingerprint()
    answer(make_round(cast.other, template, title="他", sent_at=tokyo(2026, 5, 1)), a=3)
    after = selectors.data_fingerprint(own), selectors.data_fingerprint(other), selectors.data_fingerprint()
    assert after[0] == before[0] and after[1] != before[1] and after[2] != before[2]
    assert selectors.data_fingerprint([]) == selectors.data_fingerprint([])  # no projects: nothing to see
    both = selectors.data_fingerprint([*own, *other])
    answer(make_round(cast.own, template, title="自", sent_at=tokyo(2026, 6, 1)), a=4)
    assert selectors.data_fingerprint([*own, *other]) != both
