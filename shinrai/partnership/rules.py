"""Is the relationship healthy from both sides, and which conversation to have: plain rules, no database.

**Our side** (how the customer experiences us) is read from the trust dashboard of the account
(``accounts.trust_selectors``: its indicators, coloured green / amber / red, and its early warnings).
**Their side** (how the customer works with us) is read from the latest partnership check and the measured
facts (``facts.py``). Each side is ``healthy``, ``watch`` or ``at_risk``:

- our side: at risk with two or more early warnings (the dashboard's "drifting") or two or more red
  indicators; watch with one warning or one red indicator; else healthy;
- their side: at risk when the latest check's overall score is below 2.5 or three or more of the rules
  below fire on the facts; watch when it is below 3.5 or one or two fire; else healthy. With neither a check
  nor any fact it is ``unknown``.

Each suggestion names the rule that fired, the figures behind it and the conversation to have, in the reader's
language (gettext). The rules and thresholds are the constants below and are listed in docs/PARTNERSHIP.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .facts import Facts
from .models import QUESTIONS, Assessment

SLOW_TROUBLE_DECISION = 5  # business days, median over the current window
SLOW_CHANGE_DECISION = 10  # business days, median
SHORT_NOTICE_COUNT = 2  # short-notice requests in the current window …
SHORT_NOTICE_SHARE = 0.25  # … and at least this share of the window's requests
SUGGESTED_DECISION_DAYS = 3  # the decision deadline the suggestion proposes (business days)
SUGGESTED_NOTICE_DAYS = 3  # the usual notice for requests the suggestion proposes (business days)
LOW_SCORE = 2  # a question scored at most this
SCORE_DROP = 2  # or fallen by at least this since the previous check
OVERALL_AT_RISK, OVERALL_WATCH = 2.5, 3.5

HEALTHY, WATCH, AT_RISK, UNKNOWN = "healthy", "watch", "at_risk", "unknown"


def health_label(value: str) -> str:
    return {
        HEALTHY: _("Healthy"),
        WATCH: _("Worth watching"),
        AT_RISK: _("At risk"),
        UNKNOWN: _("Not known yet"),
    }[value]


@dataclass(frozen=True)
class Suggestion:
    code: str  # the rule that fired
    side: str  # "theirs" or "ours"
    finding: str  # what the figures say
    conversation: str  # the conversation to have


@dataclass
class Health:
    ours: str
    theirs: str
    ours_reasons: list[str] = field(default_factory=list)
    theirs_reasons: list[str] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def ours_label(self) -> str:
        return health_label(self.ours)

    @property
    def theirs_label(self) -> str:
        return health_label(self.theirs)


def _days(value: float) -> str:
    return f"{value:g}"


def _fact_suggestions(facts: Facts) -> list[Suggestion]:
    found = []
    now, before = facts.trouble_decisions.current, facts.trouble_decisions.previous
    if now.median is not None and now.median >= SLOW_TROUBLE_DECISION:
        finding = ngettext(
            "Decisions on troubles took a median of %(median)s business days (%(count)d decision in the "
            "last 180 days).",
            "Decisions on troubles took a median of %(median)s business days (%(count)d decisions in the "
            "last 180 days).",
            now.count,
        ) % {"median": _days(now.median), "count": now.count}
        if before.median and now.median >= 2 * before.median:
            finding += " " + _("That is at least twice the %(before)s of the 180 days before.") % {
                "before": _days(before.median)
            }
        found.append(
            Suggestion(
                "slow_trouble_decisions",
                "theirs",
                finding,
                _(
                    "Agree a decision deadline in the weekly meeting: options put before the sponsor are "
                    "decided within %(days)d business days, or the sponsor names who decides instead."
                )
                % {"days": SUGGESTED_DECISION_DAYS},
            )
        )
    now = facts.change_decisions.current
    if now.median is not None and now.median >= SLOW_CHANGE_DECISION:
        found.append(
            Suggestion(
                "slow_change_decisions",
                "theirs",
                ngettext(
                    "Change requests waited a median of %(median)s business days for a decision (%(count)d "
                    "change request in the last 180 days).",
                    "Change requests waited a median of %(median)s business days for a decision (%(count)d "
                    "change requests in the last 180 days).",
                    now.count,
                )
                % {"median": _days(now.median), "count": now.count},
                _(
                    "Agree when change requests are decided (for example at a fixed monthly steering "
                    "meeting) and what happens to the schedule while one waits."
                ),
            )
        )
    now = facts.short_notice.current
    if now.count >= SHORT_NOTICE_COUNT and now.count >= SHORT_NOTICE_SHARE * now.total:
        found.append(
            Suggestion(
                "short_notice_requests",
                "theirs",
                _(
                    "%(count)d of %(total)d requests in the last 180 days were due the same or the next "
                    "business day."
                )
                % {"count": now.count, "total": now.total},
                _(
                    "Agree the usual notice for requests (at least %(days)d business days) and how a truly "
                    "urgent one is flagged, so that urgent stays rare."
                )
                % {"days": SUGGESTED_NOTICE_DAYS},
            )
        )
    now = facts.overdue_tasks.current
    if now.count:
        found.append(
            Suggestion(
                "overdue_customer_tasks",
                "theirs",
                ngettext(
                    "%(count)d task of the customer is overdue (median %(median)s business days late).",
                    "%(count)d tasks of the customer are overdue (median %(median)s business days late).",
                    now.count,
                )
                % {"count": now.count, "median": _days(now.median)},
                _(
                    "Go through the customer's overdue tasks in the weekly meeting: agree new dates, or what "
                    "we can take over, and what it does to the schedule."
                ),
            )
        )
    return found


_QUESTION_TALKS = {
    "own_part": lambda: _(
        "Agree the customer's own tasks and their dates in the plan, and review them together every week."
    ),
    "decisions": lambda: _(
        "Ask the sponsor how decisions are made on their side, and who decides when they are away."
    ),
    "equal_partner": lambda: _(
        "Ask the sponsor for a conversation about how we work together: what they expect from us beyond "
        "delivery, and where they would like our view earlier."
    ),
    "learns": lambda: _("Propose a joint retrospective, and share one lesson each side takes up."),
    "scope": lambda: _(
        "Walk through the agreed scope and the change process together, with the recent requests that "
        "went beyond it."
    ),
}


def _assessment_suggestions(latest: Assessment | None, previous: Assessment | None) -> list[Suggestion]:
    if latest is None:
        return []
    found = []
    for code, question, _help in QUESTIONS:
        score = getattr(latest, code)
        before = getattr(previous, code) if previous is not None else None
        dropped = before is not None and before - score >= SCORE_DROP
        if score > LOW_SCORE and not dropped:
            continue
        if dropped:
            finding = _("%(question)s — %(score)d of 5 in %(period)s, down from %(before)d.") % {
                "question": question,
                "score": score,
                "period": latest.period_label,
                "before": before,
            }
        else:
            finding = _("%(question)s — %(score)d of 5 in %(period)s.") % {
                "question": question,
                "score": score,
                "period": latest.period_label,
            }
        found.append(Suggestion(f"low_{code}", "theirs", finding, _QUESTION_TALKS[code]()))
    return found


def _relationship_suggestions(summary) -> list[Suggestion]:
    if summary is None:
        return []
    found = []
    if summary.rfp_learned_late:
        found.append(
            Suggestion(
                "learned_from_rfp",
                "ours",
                _("We learned of their latest RFP (%(date)s) only from the RFP itself.")
                % {"date": summary.latest_rfp_on.isoformat()},
                _(
                    "Ask the sponsor about next year's plans and IT budget now, before the next RFP is "
                    "written."
                ),
            )
        )
    if summary.silent:
        finding = (
            _("No meaningful contact recorded yet.")
            if summary.days_since_contact is None
            else _("No meaningful contact for %(days)d days.") % {"days": summary.days_since_contact}
        )
        found.append(
            Suggestion(
                "silence",
                "ours",
                finding,
                _("Arrange a meeting with a key person about their business, not about the project."),
            )
        )
    return found


def assess(
    *,
    latest: Assessment | None,
    previous: Assessment | None,
    facts: Facts,
    summary=None,
    warnings: list | None = None,
    red: list[str] | None = None,
) -> Health:
    """Both sides and the suggestions. ``warnings``: the account's early warnings (with ``sentence``);
    ``red``: the names of its red indicators; ``summary``: its ``RelationshipSummary``."""
    warnings, red = list(warnings or []), list(red or [])
    ours_reasons = [w.sentence for w in warnings] + [_("Red indicator: %(name)s") % {"name": n} for n in red]
    if len(warnings) >= 2 or len(red) >= 2:
        ours = AT_RISK
    elif warnings or red:
        ours = WATCH
    else:
        ours = HEALTHY

    fact_rules = _fact_suggestions(facts)
    theirs_reasons = [s.finding for s in fact_rules]
    any_fact = any(pair.current.total or pair.previous.total for _name, pair in facts.measures())
    if latest is None and not any_fact:
        theirs = UNKNOWN
    elif (latest is not None and latest.overall < OVERALL_AT_RISK) or len(fact_rules) >= 3:
        theirs = AT_RISK
    elif (latest is not None and latest.overall < OVERALL_WATCH) or fact_rules:
        theirs = WATCH
    else:
        theirs = HEALTHY
    if latest is not None:
        theirs_reasons.insert(
            0,
            _("Latest check (%(period)s): %(overall)s of 5 overall.")
            % {"period": latest.period_label, "overall": f"{latest.overall:.1f}"},
        )

    suggestions = [
        *fact_rules,
        *_assessment_suggestions(latest, previous),
        *_relationship_suggestions(summary),
    ]
    if ours == AT_RISK and not any(s.side == "ours" for s in suggestions):
        suggestions.append(
            Suggestion(
                "our_side_at_risk",
                "ours",
                _("The trust dashboard shows this account drifting."),
                _("Ask the sponsor openly how working with us feels, before the next survey does."),
            )
        )
    return Health(
        ours=ours,
        theirs=theirs,
        ours_reasons=ours_reasons,
        theirs_reasons=theirs_reasons,
        suggestions=suggestions,
    )
