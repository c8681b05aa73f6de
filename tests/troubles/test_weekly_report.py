"""The weekly report draft's Problem section lists troubles shared with the customer."""

from datetime import date

import pytest

from shinrai.progress import report_services
from shinrai.troubles import services

from .conftest import at, disclose, make_trouble, proposed

pytestmark = pytest.mark.django_db
WEEK = date(2026, 11, 16)  # Monday; the week runs to 11/23 00:00 JST


@pytest.fixture(autouse=True)
def _english():
    """Overrides the package's English: the draft is written in the PM's language, Japanese here."""
    yield


def test_open_and_newly_decided_troubles_reach_the_problem_section(cast, clock):
    clock.set(2026, 11, 16, 9, 0)
    old = make_trouble(cast, kind="risk", detected=at(2026, 11, 16, 8, 0), title="性能不足のおそれ")
    disclose(cast, old)
    clock.set(2026, 11, 18, 10, 0)
    decided = make_trouble(cast, detected=at(2026, 11, 18, 9, 0), title="夜間バッチが停止")
    options = proposed(cast, decided)
    clock.set(2026, 11, 19, 15, 0)
    services.trouble_decide(
        by=cast.users["customer_sponsor"], trouble=decided, option=options[1], rationale="再発防止"
    )
    make_trouble(cast, detected=at(2026, 11, 19, 9, 0), title="社内だけの件")  # not disclosed
    clock.set(2026, 11, 20, 17, 0)
    draft = report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)
    lines = draft.problem.splitlines()
    assert "・障害「夜間バッチが停止」の対応方針が決まりました: B. バッチを改修する" in lines
    assert "・リスク「性能不足のおそれ」: 状況を確認しています" in lines
    assert "社内だけの件" not in draft.problem


def test_troubles_decided_in_an_earlier_week_are_listed_as_open(cast, clock):
    clock.set(2026, 11, 10, 10, 0)
    trouble = make_trouble(cast, detected=at(2026, 11, 10, 9, 0), title="帳票の誤り")
    options = proposed(cast, trouble)
    services.trouble_decide(
        by=cast.users["customer_sponsor"], trouble=trouble, option=options[0], rationale="早さ"
    )
    services.followup_add(by=cast.users["vendor_pm"], trouble=trouble, action="再出力")
    clock.set(2026, 11, 20, 17, 0)
    draft = report_services.report_create_draft(by=cast.users["vendor_pm"], project=cast.own, week_start=WEEK)
    assert "・障害「帳票の誤り」: 決まった方針で対応しています" in draft.problem.splitlines()
    assert "対応方針が決まりました" not in draft.problem
