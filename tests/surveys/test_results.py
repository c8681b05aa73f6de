"""Survey results: figures checked by hand, fixed-point observation, the anonymity rule, pages and scopes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shinrai.surveys import results_selectors as selectors
from shinrai.surveys.stats import Verdict

from .results_helpers import answer, make_round, make_template, tokyo
from .test_stats import _enumerated_p

# Round 1 (a, b, c, d, nps): logical = mean(a, d), emotional = mean(b, c), overall = mean(a, b, c, d)
ROUND_1 = [(2, 1, 1, 2, 3), (2, 1, 1, 2, 6), (2, 2, 1, 2, 8), (1, 1, 1, 1, 10)]
ROUND_2 = [(5, 5, 5, 5, 10), (5, 4, 4, 5, 9), (4, 4, 4, 4, 10), (4, 5, 5, 4, 7)]


@pytest.fixture
def rounds(cast):
    """Two named rounds on the own project (the second on a new template version) and a tiny anonymous one."""
    v1 = make_template()
    v2 = make_template(version=2, lineage=v1.lineage, wording="（改）")
    r1 = make_round(cast.own, v1, title="第1回", sent_at=tokyo(2026, 4, 10), invited=5)
    r2 = make_round(cast.own, v2, title="第2回", sent_at=tokyo(2026, 8, 10), invited=5)
    r3 = make_round(cast.own, v2, title="匿名パルス", sent_at=tokyo(2026, 9, 20), anonymous=True, invited=4)
    sponsor = cast.users["customer_sponsor"]
    for i, (a, b, c, d, nps) in enumerate(ROUND_1):
        answer(
            r1,
            a=a,
            b=b,
            c=c,
            d=d,
            nps=nps,
            respondent=sponsor if i == 0 else None,
            name="" if i == 0 else f"回答者{i}",
            comment='=HYPERLINK("http://evil.example")' if i == 0 else "",
            at=tokyo(2026, 4, 12 + i),
        )
    for a, b, c, d, nps in ROUND_2:
        answer(r2, a=a, b=b, c=c, d=d, nps=nps, name="佐藤", comment="とても良かった" if nps == 7 else "")
    answer(r3, a=1, b=1, c=1, d=1, nps=0, comment="秘密の意見A")
    answer(r3, a=2, b=2, c=2, d=2, nps=1, comment="秘密の意見B")
    return r1, r2, r3


def test_project_results_figures_by_hand(cast, rounds):
    results = selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk)
    first, second, anonymous = results.periods
    assert [p.label for p in results.periods] == ["第1回", "第2回", "匿名パルス"]
    f = first.figures
    assert (f.received, f.included, f.invited, f.rate_percent) == (4, 4, 5, 80)
    # a = (2+2+2+1)/4, b = (1+1+2+1)/4, emotional = (1+1+1.5+1)/4 = 1.125 → 1.13 (halves away from zero)
    assert f.means == {
        "overall": 1.44,  # (1.5 + 1.5 + 1.75 + 1) / 4 = 1.4375
        "logical": 1.75,
        "emotional": 1.13,
        "a": 1.75,
        "b": 1.25,
        "c": 1.0,
        "d": 1.75,
    }
    # 3 and 6 detractors, 8 passive, 10 promoter: (1 − 2) / 4 = −25
    assert (f.nps.score, f.nps.promoters, f.nps.passives, f.nps.detractors) == (-25, 1, 1, 2)
    assert second.figures.means["overall"] == 4.5
    assert second.figures.nps.score == 75  # 3 promoters, 1 passive of 4
    assert first.changes == {}


def test_project_results_change_since_last_round(cast, rounds):
    results = selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk)
    second = results.periods[1]
    overall = second.changes["overall"]
    assert (overall.value, overall.previous, overall.delta) == (4.5, 1.44, 3.06)
    # every answer of round 2 is above every answer of round 1: 2 of the 70 splits are as extreme
    assert overall.p == pytest.approx(2 / 70)
    assert overall.verdict == Verdict.CHANGED
    nps = second.changes["nps"]
    assert (nps.value, nps.previous, nps.delta) == (75, -25, 100)
    assert nps.p == pytest.approx(_enumerated_p([100, 100, 100, 0], [-100, -100, 0, 100]))
    assert nps.verdict == (Verdict.CHANGED if nps.p < 0.05 else Verdict.WITHIN_NOISE)
    # the anonymous round of 2 shows nothing, so nothing can be compared with it
    third = results.periods[2]
    assert third.figures.withheld
    assert third.changes["overall"].verdict == Verdict.TOO_FEW
    assert third.changes["overall"].delta is None


def test_anonymous_round_of_two_is_left_out_everywhere(cast, rounds):
    results = selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk)
    third = results.periods[2]
    assert (third.figures.received, third.figures.included, third.figures.excluded) == (2, 0, 2)
    assert third.figures.means["overall"] is None and third.figures.nps.score is None
    s = results.summary
    assert (s.received, s.included, s.excluded, s.invited, s.rate_percent) == (10, 8, 2, 14, 71)
    assert s.means["overall"] == 2.97  # (5.75 + 18) / 8 = 2.96875: the anonymous answers are not in it
    assert (s.nps.score, s.nps.promoters, s.nps.passives, s.nps.detractors) == (25, 4, 2, 2)
    assert all("秘密" not in c.text for c in results.comments)
    assert {q.code: q.answers for q in results.questions}["A1"] == 8


def test_anonymous_round_of_three_is_shown_without_names_in_text_order(cast, rounds):
    template = rounds[1].template
    r4 = make_round(cast.own, template, title="匿名3", sent_at=tokyo(2026, 10, 1), anonymous=True, invited=3)
    for text, value in (("ゆ", 4), ("あ", 5), ("さ", 3)):
        answer(r4, a=value, b=value, c=value, d=value, nps=9, comment=text, at=tokyo(2026, 10, 2))
    results = selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk)
    fourth = results.periods[3]
    assert not fourth.figures.withheld and fourth.figures.means["overall"] == 4.0
    anonymous = [c for c in results.comments if c.period_key == fourth.key]
    assert [c.text for c in anonymous] == ["あ", "さ", "ゆ"]
    assert all(c.name is None and c.day is None for c in anonymous)
    # compared with the round before it, which is not shown: too few to tell
    assert fourth.changes["overall"].verdict == Verdict.TOO_FEW


def test_named_comments_carry_name_and_date(cast, rounds):
    results = selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk)
    assert [(c.period_label, c.name, c.day.isoformat(), c.text) for c in results.comments] == [
        ("第2回", "佐藤", "2026-08-10", "とても良かった"),
        ("第1回", "customer_sponsor", "2026-04-12", '=HYPERLINK("http://evil.example")'),
    ]
    assert results.comments_total == 2


def test_comment_limit(cast, rounds):
    results = selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk, comment_limit=1)
    assert [c.text for c in results.comments] == ["とても良かった"]
    assert results.comments_total == 2 and results.comments_more


def test_questions_are_merged_by_code_across_versions(cast, rounds):
    results = selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk)
    rows = {q.code: q for q in results.questions}
    assert list(rows) == ["A1", "B1", "C1", "D1", "NPS"]
    assert rows["A1"].answers == 8
    assert rows["A1"].mean == 3.13  # (2+2+2+1+5+5+4+4) / 8 = 3.125
    assert rows["A1"].text == "The deliverables are good（改）"  # the newest version's wording
    assert rows["NPS"].mean == 7.88  # (3+6+8+10+10+9+10+7) / 8 = 63 / 8 = 7.875
    assert not any(q.withheld for q in results.questions)


def test_question_resting_on_two_anonymous_answers_is_not_shown(cast):
    template = make_template()
    survey = make_round(
        cast.own, template, title="匿名", sent_at=tokyo(2026, 5, 1), anonymous=True, invited=3
    )
    answer(survey, a=4, b=4, c=4, d=5, nps=9)
    answer(survey, a=4, b=4, c=4, d=3, nps=9)
    answer(survey, a=4, b=4, c=4, nps=9)  # D1 left blank: only 2 anonymous answers to it
    results = selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk)
    rows = {q.code: q for q in results.questions}
    assert rows["A1"].mean == 4.0 and not rows["A1"].withheld
    assert rows["D1"].withheld and rows["D1"].mean is None


def test_account_and_vendor_results_by_quarter(cast, rounds):
    template = rounds[0].template
    other = make_round(cast.other, template, title="他顧客", sent_at=tokyo(2026, 7, 1), invited=3)
    for value in (3, 3, 3):
        answer(other, a=value, b=value, c=value, d=value, nps=5)
    manager = cast.users["vendor_manager"]
    vendor = selectors.vendor_results(user=manager)
    assert [(p.key, p.label, p.starts.isoformat(), p.rounds) for p in vendor.periods] == [
        ("2026-Q2", "2026 Q2", "2026-04-01", 1),
        ("2026-Q3", "2026 Q3", "2026-07-01", 3),
    ]
    q3 = vendor.periods[1].figures
    # round 2 (4 answers) and the other customer's round (3); the anonymous round of 2 is counted, not shown
    assert (q3.received, q3.included, q3.excluded, q3.invited) == (9, 7, 2, 12)
    assert q3.means["overall"] == 3.86  # (18 + 9) / 7 = 3.857…
    assert vendor.periods[1].changes["overall"].verdict == Verdict.CHANGED
    # the PM sees only the own project; the account of C1 holds only the own project of this vendor
    pm = selectors.vendor_results(user=cast.users["vendor_pm"])
    assert pm.periods[1].figures.included == 4
    account = selectors.account_results(user=manager, customer_pk=cast.customer.pk)
    assert [p.figures.included for p in account.periods] == [4, 4]
    assert account.title == cast.customer.name


def test_quarters_follow_japan_time(cast):
    template = make_template()
    # 2026-03-31 23:30 UTC is 2026-04-01 08:30 in Tokyo: the second quarter
    survey = make_round(cast.own, template, title="境界", sent_at=tokyo(2026, 4, 1, 8, 30), invited=1)
    answer(survey, a=3, nps=8)
    results = selectors.vendor_results(user=cast.users["vendor_manager"])
    assert [p.key for p in results.periods] == ["2026-Q2"]


def test_unsent_rounds_and_no_answers(cast):
    template = make_template()
    make_round(cast.own, template, title="下書き", sent_at=None)
    sent = make_round(cast.own, template, title="送信済", sent_at=tokyo(2026, 6, 1), invited=3)
    results = selectors.project_results(user=cast.users["vendor_pm"], project_pk=cast.own.pk)
    assert [p.survey_id for p in results.periods] == [sent.pk]
    assert results.summary.means["overall"] is None and results.summary.nps.score is None
    assert results.summary.rate_percent == 0
    assert results.questions == [] and results.comments == []


@pytest.mark.parametrize(
    "role", ["customer_sponsor", "customer_member", "partner_viewer", "outsider_customer"]
)
def test_non_vendor_users_get_404_from_every_scope(cast, rounds, role):
    from django.http import Http404

    user = cast.users[role]
    with pytest.raises(Http404):
        selectors.project_results(user=user, project_pk=cast.own.pk)
    with pytest.raises(Http404):
        selectors.account_results(user=user, customer_pk=cast.customer.pk)
    with pytest.raises(Http404):
        selectors.vendor_results(user=user)


def test_other_vendor_sees_nothing_of_ours(cast, rounds):
    from django.http import Http404

    user = cast.users["other_vendor_manager"]
    with pytest.raises(Http404):
        selectors.project_results(user=user, project_pk=cast.own.pk)
    # C1 is also a customer of V2 (project "foreign"), but V2's account of C1 holds none of our rounds
    account = selectors.account_results(user=user, customer_pk=cast.customer.pk)
    assert account.periods == [] and account.summary.received == 0
    assert selectors.vendor_results(user=user).periods == []


# --- Pages -------------------------------------------------------------------------------------------------


def test_project_page_shows_the_figures(client, cast, rounds):
    client.force_login(cast.users["vendor_pm"])
    response = client.get(reverse("survey_results:project", args=[cast.own.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "2.97",
        "+25",
        "71%",
        "Logical (the result)",
        "Emotional (how it felt)",
        "NPS = % promoters",
    ):
        assert text in html, text
    assert "not shown: fewer than 3 answers" in html  # the anonymous round of 2
    assert "秘密の意見" not in html
    assert "↑ +3.06" in html and "verdict-changed" in html
    assert '<figure class="chart" id="trend-chart"><svg' in html
    assert "permutation test" in html and 'href="#method"' in html
    assert "<title>Satisfaction survey results — 自社案件 | Shinrai</title>" in html
    assert html.count('id="method"') == 1
    assert "=HYPERLINK(&quot;http://evil.example&quot;)" in html  # escaped, as text


def test_account_and_vendor_pages(client, cast, rounds):
    client.force_login(cast.users["vendor_manager"])
    account = client.get(reverse("survey_results:account", args=[cast.customer.pk]))
    assert account.status_code == 200 and "2026 Q3" in account.content.decode()
    vendor = client.get(reverse("survey_results:vendor"))
    assert vendor.status_code == 200
    assert "2 anonymous answers are not shown" in vendor.content.decode()


def test_page_without_any_round(client, cast):
    client.force_login(cast.users["vendor_pm"])
    html = client.get(reverse("survey_results:project", args=[cast.own.pk])).content.decode()
    assert "No survey has been sent yet." in html and "No comments." in html
