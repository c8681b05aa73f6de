"""Both sides of the relationship and the conversations suggested: the rules on hand-made figures."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from shinrai.accounts.signals import summarize
from shinrai.partnership import facts, rules
from shinrai.partnership.models import Assessment

from .conftest import SCORES

TODAY = date(2026, 11, 24)


def _item(days: int, kind: str = "trouble") -> facts.Item:
    return facts.Item(kind, 1, "OWN-1", "T-001", "件名", "/x/", TODAY, TODAY, days)


def _facts(trouble=(), trouble_before=(), changes=(), short=0, requests=0, overdue=()) -> facts.Facts:
    current, previous = facts.windows(TODAY)
    pair = lambda now, before=(): facts.Pair(  # noqa: E731
        facts.Measure([_item(d) for d in now]), facts.Measure([_item(d) for d in before])
    )
    notices = [0] * short + [5] * (requests - short)
    return facts.Facts(
        today=TODAY,
        current=current,
        previous=previous,
        trouble_decisions=pair(trouble, trouble_before),
        change_decisions=pair(changes),
        short_notice=facts.Pair(
            facts.Measure([_item(0) for _ in range(short)], basis=notices), facts.Measure(basis=[])
        ),
        overdue_tasks=pair(overdue),
        waiting=[],
    )


def _check(quarter=2, **scores) -> Assessment:
    return Assessment(fiscal_year=2026, quarter=quarter, **(SCORES | scores))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_slow_decisions_suggest_a_decision_deadline():
    health = rules.assess(latest=None, previous=None, facts=_facts(trouble=[9, 9, 3], trouble_before=[4]))
    [suggestion] = health.suggestions
    assert suggestion.code == "slow_trouble_decisions"
    assert suggestion.finding == (
        "Decisions on troubles took a median of 9 business days (3 decisions in the last 180 days). "
        "That is at least twice the 4 of the 180 days before."
    )
    assert suggestion.conversation.startswith("Agree a decision deadline in the weekly meeting")
    assert "within 3 business days" in suggestion.conversation
    assert health.theirs == rules.WATCH


def test_decisions_just_under_the_threshold_suggest_nothing():
    health = rules.assess(latest=None, previous=None, facts=_facts(trouble=[4, 4, 5]))
    assert health.suggestions == []
    assert health.theirs == rules.HEALTHY


def test_short_notice_needs_two_and_a_quarter_of_the_requests():
    assert rules.assess(latest=None, previous=None, facts=_facts(short=1, requests=2)).suggestions == []
    assert rules.assess(latest=None, previous=None, facts=_facts(short=2, requests=9)).suggestions == []
    [s] = rules.assess(latest=None, previous=None, facts=_facts(short=2, requests=8)).suggestions
    assert s.finding == "2 of 8 requests in the last 180 days were due the same or the next business day."


def test_three_rules_put_their_side_at_risk():
    health = rules.assess(
        latest=_check(),
        previous=None,
        facts=_facts(trouble=[6], changes=[12], overdue=[3, 8]),
    )
    assert [s.code for s in health.suggestions] == [
        "slow_trouble_decisions",
        "slow_change_decisions",
        "overdue_customer_tasks",
    ]
    assert health.theirs == rules.AT_RISK
    assert health.theirs_reasons[0] == "Latest check (FY2026 Q2): 3.8 of 5 overall."
    assert health.suggestions[2].finding == (
        "2 tasks of the customer are overdue (median 5.5 business days late)."
    )


def test_a_low_or_falling_score_suggests_its_conversation():
    health = rules.assess(
        latest=_check(quarter=3, equal_partner=2, scope=3),
        previous=_check(quarter=2, equal_partner=3, scope=5),
        facts=_facts(),
    )
    assert [s.code for s in health.suggestions] == ["low_equal_partner", "low_scope"]
    assert health.suggestions[1].finding == (
        "Does the customer respect the agreed scope? — 3 of 5 in FY2026 Q3, down from 5."
    )


def test_the_overall_score_sets_their_side():
    low = _check(own_part=2, decisions=2, equal_partner=2, learns=3, scope=3)  # 2.4
    assert rules.assess(latest=low, previous=None, facts=_facts()).theirs == rules.AT_RISK
    middling = _check(own_part=3, decisions=3, equal_partner=3, learns=4, scope=4)  # 3.4
    assert rules.assess(latest=middling, previous=None, facts=_facts()).theirs == rules.WATCH
    assert rules.assess(latest=None, previous=None, facts=_facts()).theirs == rules.UNKNOWN


class _Warning:
    def __init__(self, sentence):
        self.sentence = sentence


def test_our_side_from_the_trust_dashboard_and_the_signals():
    summary = summarize(
        customer_id=1,
        today=TODAY,
        signal_contact_on=date(2026, 8, 1),
        rfp_kind="learned_from_rfp",
        rfp_on=date(2026, 4, 10),
    )
    health = rules.assess(
        latest=None,
        previous=None,
        facts=_facts(),
        summary=summary,
        warnings=[_Warning("We learned of their RFP only from the RFP itself.")],
        red=["NPS"],
    )
    assert health.ours == rules.WATCH  # one warning, one red indicator
    assert health.ours_reasons == ["We learned of their RFP only from the RFP itself.", "Red indicator: NPS"]
    assert [s.code for s in health.suggestions] == ["learned_from_rfp", "silence"]
    assert health.suggestions[1].finding == "No meaningful contact for 115 days."
    two_red = rules.assess(latest=None, previous=None, facts=_facts(), red=["NPS", "CS score"])
    assert two_red.ours == rules.AT_RISK
    assert two_red.suggestions[-1].code == "our_side_at_risk"
    drifting = rules.assess(
        latest=None, previous=None, facts=_facts(), warnings=[_Warning("x"), _Warning("y")]
    )
    assert drifting.ours == rules.AT_RISK
    assert rules.assess(latest=None, previous=None, facts=_facts()).ours == rules.HEALTHY
