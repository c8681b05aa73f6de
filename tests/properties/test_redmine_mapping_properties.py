"""Properties of the Redmine payload mapping (shinrai.integrations.redmine.mapping) on any JSON value.

Redmine's answers are untrusted input: every value may be missing, of another type, out of range, or a
JSON number like Infinity or NaN (which Python's json module reads). Each conversion returns a value of its
kind or raises ``RedmineError`` (reported for that project, in the user's language); the issue tree is
ordered parents first whatever the parent links say.

Regressions: a NaN number of hours raised decimal.InvalidOperation, an Infinity done ratio OverflowError,
a date such as 2024-02-30 an untranslated ValueError, a naive time AttributeError (``timezone.UTC`` does
not exist), and a time whose UTC value is before year 1 failed only when saved.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shinrai.integrations.redmine import mapping
from shinrai.integrations.redmine.client import RedmineError

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from(
        [
            "2024-02-30", "2024-13-01", "0000-01-01", "9999-12-31", "2024-01-05", "2024-01-05T10:00:00Z",
            "2024-01-05T10:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "NaN", "sNaN",
            "Infinity", "-0", "1e999999", "7.25", "１２", "", " ",
        ]
    ),
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
)


@given(value=JSON)
def test_to_date_gives_a_date_or_none_or_refuses(value):
    try:
        parsed = mapping.to_date(value, "issue 1")
    except RedmineError as error:
        assert str(error)
        return
    assert parsed is None or type(parsed) is date


@given(value=JSON)
def test_to_datetime_gives_an_aware_utc_time_not_in_the_future_or_refuses(value):
    try:
        parsed = mapping.to_datetime(value, "issue 1")
    except RedmineError as error:
        assert str(error)
        return
    if parsed is not None:
        assert isinstance(parsed, datetime) and parsed.utcoffset().total_seconds() == 0
        assert parsed <= datetime.now(parsed.tzinfo)


@given(value=JSON)
def test_to_hours_gives_two_decimals_not_below_zero_or_refuses(value):
    try:
        hours = mapping.to_hours(value)
    except RedmineError as error:
        assert str(error)
        return
    assert isinstance(hours, Decimal) and hours.is_finite() and hours >= 0
    assert hours == hours.quantize(Decimal("0.01"))


@given(value=JSON)
def test_to_percent_is_between_0_and_100(value):
    assert 0 <= mapping.to_percent(value) <= 100


@given(name=st.one_of(st.none(), st.text()))
def test_names_map_to_known_severities_and_kinds(name):
    assert mapping.severity(name) in ("low", "medium", "high", "critical")
    assert mapping.trouble_kind(name) in ("risk", "issue", "incident")


def test_redmine_json_specials_are_refused_or_clamped():
    specials = json.loads('{"hours": NaN, "ratio": Infinity, "minus": -Infinity}')
    for value in (specials["hours"], "NaN", "Infinity"):
        try:
            mapping.to_hours(value)
            raise AssertionError(value)
        except RedmineError:
            pass
    assert mapping.to_percent(specials["ratio"]) == 0
    assert mapping.to_percent(specials["minus"]) == 0


ISSUE = st.fixed_dictionaries(
    {"id": st.integers(1, 30)},
    optional={"parent": st.one_of(st.fixed_dictionaries({"id": st.integers(0, 31)}), JSON)},
)


@given(issues=st.lists(ISSUE, max_size=25))
def test_the_tree_order_keeps_every_issue_once(issues):
    """Redmine's offset paging can return an issue twice when issues are added meanwhile: kept once."""
    ids = [issue["id"] for issue in mapping.tree_order(issues)]
    assert sorted(ids) == sorted({issue["id"] for issue in issues})


@given(issues=st.lists(ISSUE, max_size=25, unique_by=lambda issue: issue["id"]))
def test_the_tree_order_puts_parents_first(issues):
    ordered = mapping.tree_order(issues)
    ids = [issue["id"] for issue in ordered]
    position = {issue_id: index for index, issue_id in enumerate(ids)}
    by_id = {issue["id"]: issue for issue in issues}
    for issue in ordered:
        parent = mapping.ref_id(issue, "parent")
        chain, seen = parent, set()
        while chain in by_id and chain not in seen:  # a parent in a cycle may come after its child
            seen.add(chain)
            chain = mapping.ref_id(by_id[chain], "parent")
        if parent in by_id and chain not in by_id:
            assert position[parent] < position[issue["id"]], (parent, issue["id"])
