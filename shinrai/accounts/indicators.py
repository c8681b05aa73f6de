"""The trust indicators: definitions, formulas and colours (plain Python, no database).

Every indicator has an id, a name (English msgid and Japanese), a one-sentence definition, the exact formula,
a unit, the direction that is good, the green/amber thresholds (anything worse is red) and its window.
docs/TRUST.md says the same in words; ``trust/definitions/`` shows it to users.

Figures are gathered per project as *tallies* (numerators, denominators, lists of hours), so that an account
and the portfolio are computed from the same raw counts (never a mean of means or a median of medians):
``Tally`` objects add up, and ``finish`` turns a tally into the indicator's value.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

# Windows (days). Satisfaction uses longer windows: surveys are sparse.
WINDOW_DAYS = 90
SATISFACTION_WINDOW_DAYS = 180
# Report punctuality reuses the portfolio's rule (core.selectors.portfolio_rows): the last 8 due weeks;
# its previous value is the 8 due weeks before those.
PUNCTUALITY_WEEKS = 8
# Anonymous answers are only shown for groups of at least this many (as the survey results).
MIN_ANONYMOUS_GROUP = 3

# Early-warning rules.
WARN_EMOTIONAL_DROP = 0.3
WARN_NPS_DROP = 20
WARN_PUNCTUALITY_DROP = 20
WARN_PUNCTUALITY_BELOW = 80
WARN_SILENT_DAYS = 60
WARN_SIGNAL_DAYS = 180
DRIFTING_AT = 2  # warnings that make an account "drifting to 'one of them'"

HIGHER, LOWER, CLOSER_TO_100, CATEGORY = "higher", "lower", "closer_to_100", "category"
RATIO, MEDIAN, MEAN, NPS, PLAIN = "ratio", "median", "mean", "nps", "plain"


@dataclass(frozen=True)
class Definition:
    id: str
    group: str
    name: str  # lazy English msgid
    name_ja: str
    definition: str  # lazy, one sentence
    formula: str  # lazy, exact
    unit: str  # "%", "h", "score", "points", "days", "count", ""
    better: str  # HIGHER, LOWER, CLOSER_TO_100, CATEGORY
    green: float | None  # HIGHER: ≥; LOWER: ≤; CLOSER_TO_100: |value − 100| ≤
    amber: float | None
    window: str  # lazy
    kind: str = RATIO  # how a Tally becomes a value
    account_only: bool = False

    def status(self, value) -> str:
        """green / amber / red, or "none" when there is no value."""
        if value is None:
            return "none"
        if self.better == CATEGORY:
            return {"consulted_before_rfp": "green", "learned_from_rfp": "red"}.get(value, "none")
        if self.better == HIGHER:
            return "green" if value >= self.green else "amber" if value >= self.amber else "red"
        if self.better == LOWER:
            return "green" if value <= self.green else "amber" if value <= self.amber else "red"
        off = abs(value - 100)
        return "green" if off <= self.green else "amber" if off <= self.amber else "red"

    def improved(self, value, previous) -> bool | None:
        """True when the change from ``previous`` to ``value`` is for the better (None: no change/unknown)."""
        if value is None or previous is None or value == previous or self.better == CATEGORY:
            return None
        if self.better == HIGHER:
            return value > previous
        if self.better == LOWER:
            return value < previous
        if abs(value - 100) == abs(previous - 100):
            return None
        return abs(value - 100) < abs(previous - 100)

    @property
    def anchor(self) -> str:
        return f"indicator-{self.id}"


RELIABILITY, TRANSPARENCY, RESPONSIVENESS, SATISFACTION, RELATIONSHIP = (
    "reliability",
    "transparency",
    "responsiveness",
    "satisfaction",
    "relationship",
)
GROUPS = {
    RELIABILITY: _("Reliability"),
    TRANSPARENCY: _("Transparency"),
    RESPONSIVENESS: _("Responsiveness"),
    SATISFACTION: _("Satisfaction"),
    RELATIONSHIP: _("Relationship"),
}
GROUPS_JA = {
    RELIABILITY: "信頼性",
    TRANSPARENCY: "透明性",
    RESPONSIVENESS: "応答性",
    SATISFACTION: "満足度",
    RELATIONSHIP: "関係性",
}

_W90 = _("The last 90 days, compared with the 90 days before.")
_W180 = _("The last 180 days, compared with the 180 days before (surveys are sparse).")

DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        id="milestones_on_time",
        group=RELIABILITY,
        name=_("Milestones on time"),
        name_ja="マイルストーン遵守率",
        definition=_("The share of milestones reached in the window on or before their baseline date."),
        formula=_(
            "milestones reached in the window (actual date in the window) with actual date ≤ baseline date "
            "÷ milestones reached in the window that have a baseline date × 100"
        ),
        unit="%",
        better=HIGHER,
        green=90,
        amber=75,
        window=_W90,
    ),
    Definition(
        id="estimate_accuracy",
        group=RELIABILITY,
        name=_("Estimate accuracy"),
        name_ja="見積精度",
        definition=_(
            "Actual hours against estimated hours of the tasks finished in the window, in percent: 100 is "
            "exact, above 100 took more than estimated."
        ),
        formula=_(
            "Σ actual hours ÷ Σ estimated hours × 100, over leaf tasks (no sub-tasks) done in the window "
            "(completed at in the window) with an estimate above 0; over/under = value − 100"
        ),
        unit="%",
        better=CLOSER_TO_100,
        green=10,
        amber=25,
        window=_W90,
    ),
    Definition(
        id="requests_on_time",
        group=RELIABILITY,
        name=_("Customer requests answered on time"),
        name_ja="顧客要望の期限内回答率",
        definition=_(
            "The share of the customer's requests due in the window that were answered by their due time."
        ),
        formula=_(
            "requests due in the window answered by their due time ÷ (requests due in the window that were "
            "answered + those still unanswered and not closed) × 100 — the rule of the requests page"
        ),
        unit="%",
        better=HIGHER,
        green=90,
        amber=75,
        window=_W90,
    ),
    Definition(
        id="report_punctuality",
        group=TRANSPARENCY,
        name=_("Weekly report punctuality"),
        name_ja="週次報告の定時提出率",
        definition=_(
            "The share of weekly reports first published by the following Monday 12:00 (Japan time), over "
            "the last 8 weeks whose report was due."
        ),
        formula=_(
            "weeks whose first version was published by Monday 12:00 JST of the following week ÷ weeks "
            "due (the last 8 due weeks within the project's period) × 100; previous: the 8 due weeks before"
        ),
        unit="%",
        better=HIGHER,
        green=90,
        amber=80,
        window=_("The last 8 due weeks, compared with the 8 weeks before."),
    ),
    Definition(
        id="time_to_disclose",
        group=TRANSPARENCY,
        name=_("Median time to disclose"),
        name_ja="開示までの時間（中央値）",
        definition=_("How long it typically took to tell the customer about a trouble after we detected it."),
        formula=_(
            "median of (disclosed at − detected at) in hours (one decimal, rounded half up) over troubles "
            "disclosed in the window"
        ),
        unit="h",
        better=LOWER,
        green=24,
        amber=72,
        window=_W90,
        kind=MEDIAN,
    ),
    Definition(
        id="disclosed_first",
        group=TRANSPARENCY,
        name=_("Disclosed before the customer found it"),
        name_ja="顧客より先に開示した割合",
        definition=_("The share of troubles disclosed in the window that we found, not the customer."),
        formula=_(
            "troubles disclosed in the window with found by = we found it ÷ troubles disclosed in the "
            "window × 100"
        ),
        unit="%",
        better=HIGHER,
        green=90,
        amber=75,
        window=_W90,
    ),
    Definition(
        id="question_answer_hours",
        group=RESPONSIVENESS,
        name=_("Median time to answer a question"),
        name_ja="質問への回答時間（中央値）",
        definition=_(
            "How long the customer typically waited for our answer to a question on a weekly report."
        ),
        formula=_(
            "median of (first answer − question) in hours over the customer's questions on weekly reports "
            "asked in the window; a question not answered by the window's end counts the hours it had waited"
        ),
        unit="h",
        better=LOWER,
        green=24,
        amber=48,
        window=_W90,
        kind=MEDIAN,
    ),
    Definition(
        id="request_ack_hours",
        group=RESPONSIVENESS,
        name=_("Median time to acknowledge a request"),
        name_ja="要望の受付時間（中央値）",
        definition=_("How long the customer typically waited for us to acknowledge a request."),
        formula=_(
            "median of (first of acknowledged at, answered at, closed at − asked at) in hours over customer "
            "requests asked in the window; a request not acknowledged by the window's end counts the "
            "hours it "
            "had waited"
        ),
        unit="h",
        better=LOWER,
        green=24,
        amber=48,
        window=_W90,
        kind=MEDIAN,
    ),
    Definition(
        id="grayzone_age",
        group=RESPONSIVENESS,
        name=_("Median age of gray zones without an owner"),
        name_ja="担当未定のグレーゾーンの滞留日数（中央値）",
        definition=_(
            "How long work that nobody owns, or that spans several vendors, has typically been waiting for "
            "an owner."
        ),
        formula=_(
            "median, over the gray-zone items without an owner at the window's end (marked before it, "
            "not owned by then), of the business days from the day each was marked to that day (weekends "
            "and Japanese public holidays skipped); the window's end is now, and 90 days ago for the "
            "previous value"
        ),
        unit="days",
        better=LOWER,
        green=5,
        amber=10,
        window=_("Items without an owner now, compared with those without one 90 days ago."),
        kind=MEDIAN,
    ),
    Definition(
        id="cs_score",
        group=SATISFACTION,
        name=_("CS score"),
        name_ja="顧客満足度スコア",
        definition=_("The customers' overall satisfaction: the mean overall score of survey answers (1–5)."),
        formula=_(
            "mean of the responses' overall score (each the mean of its 1–5 answers) over "
            "responses submitted "
            "in the window; hidden when 1 or 2 of them are anonymous"
        ),
        unit="score",
        better=HIGHER,
        green=4.0,
        amber=3.5,
        window=_W180,
        kind=MEAN,
    ),
    Definition(
        id="emotional_score",
        group=SATISFACTION,
        name=_("Emotional score"),
        name_ja="感情的満足スコア",
        definition=_(
            "How it felt to work with us: the mean of the answers to the emotional questions (1–5)."
        ),
        formula=_(
            "mean of the responses' emotional score over responses submitted in the window; hidden when 1 or "
            "2 of them are anonymous"
        ),
        unit="score",
        better=HIGHER,
        green=4.0,
        amber=3.5,
        window=_W180,
        kind=MEAN,
    ),
    Definition(
        id="nps",
        group=SATISFACTION,
        name=_("NPS"),
        name_ja="NPS（推奨度）",
        definition=_(
            "Net Promoter Score: promoters minus detractors among the answers to 'would you recommend us'."
        ),
        formula=_(
            "percent of answers 9–10 − percent of answers 0–6, over responses submitted in the window with "
            "a 0–10 answer (−100 to +100); hidden when 1 or 2 of them are anonymous"
        ),
        unit="points",
        better=HIGHER,
        green=30,
        amber=0,
        window=_W180,
        kind=NPS,
    ),
    Definition(
        id="days_since_contact",
        group=RELATIONSHIP,
        name=_("Days since last meaningful contact"),
        name_ja="最後の有意な接点からの日数",
        definition=_(
            "Calendar days since the last meaningful meeting, consultation before an RFP or meeting with a "
            "key person."
        ),
        formula=_(
            "today − the latest of: signals 'meaningful meeting' and 'consulted before the RFP', "
            "key people's "
            "last met on (days); previous: the same 90 days ago"
        ),
        unit="days",
        better=LOWER,
        green=30,
        amber=60,
        window=_("As of today, compared with 90 days ago."),
        kind=PLAIN,
        account_only=True,
    ),
    Definition(
        id="won_without_competition",
        group=RELATIONSHIP,
        name=_("Projects won without competition"),
        name_ja="競合なしで受注した割合",
        definition=_(
            "The share of the account's recorded new projects that came to us without a competition."
        ),
        formula=_(
            "signals 'new project without competition' ÷ (those + 'new project won against competitors') "
            "× 100, "
            "all recorded; previous: as of 90 days ago"
        ),
        unit="%",
        better=HIGHER,
        green=50,
        amber=25,
        window=_("All recorded wins, compared with 90 days ago."),
        kind=PLAIN,
        account_only=True,
    ),
    Definition(
        id="latest_rfp",
        group=RELATIONSHIP,
        name=_("Latest RFP signal"),
        name_ja="直近のRFPシグナル",
        definition=_(
            "Whether, the last time the customer issued an RFP, they consulted us first or we learned of it "
            "only from the RFP."
        ),
        formula=_(
            "the most recent of the signals 'consulted before the RFP' (green) and 'learned of it only "
            "from the "
            "RFP' (red)"
        ),
        unit="",
        better=CATEGORY,
        green=None,
        amber=None,
        window=_("The latest recorded, whenever it was."),
        kind=PLAIN,
        account_only=True,
    ),
    Definition(
        id="competitor_quotes",
        group=RELATIONSHIP,
        name=_("Competitor quotes in the last year"),
        name_ja="直近1年の相見積もり",
        definition=_("How many times the customer asked our competitors for quotes in the last 365 days."),
        formula=_("count of signals 'competitor quotes requested' dated today − 364 days to today"),
        unit="count",
        better=LOWER,
        green=0,
        amber=1,
        window=_("The last 365 days, compared with the 365 days up to 90 days ago."),
        kind=PLAIN,
        account_only=True,
    ),
)
BY_ID = {d.id: d for d in DEFINITIONS}
PROJECT_IDS = tuple(d.id for d in DEFINITIONS if not d.account_only)
ACCOUNT_IDS = tuple(d.id for d in DEFINITIONS)


# --- Arithmetic ------------------------------------------------------------------------------------------


def round1(value: float | Decimal | None) -> float | None:
    """One decimal, rounded half up (as Trouble.hours_to_disclose)."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def round2(value: float | None) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def percent(numerator: float, denominator: float) -> float | None:
    """numerator ÷ denominator × 100, one decimal half up; None when the denominator is 0."""
    if not denominator:
        return None
    return round1(Decimal(str(numerator)) * 100 / Decimal(str(denominator)))


def median_hours(hours: list[float]) -> float | None:
    return round1(statistics.median(hours)) if hours else None


def nps(promoters: int, detractors: int, answers: int) -> float | None:
    """% of 9–10 answers − % of 0–6 answers (−100 … +100), one decimal; None without answers."""
    if not answers:
        return None
    return round1(Decimal(promoters - detractors) * 100 / Decimal(answers))


def hours_between(start, end) -> float:
    """end − start in hours, one decimal half up (whole seconds, as Trouble.hours_to_disclose)."""
    seconds = Decimal(int((end - start).total_seconds()))
    return float((seconds / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Tally:
    """Raw counts of one indicator for one window: they add up from projects to accounts and the portfolio.

    ratio: ``num``/``den``; median: ``values``; mean: ``num`` (sum) / ``den`` (n); NPS: ``num`` promoters,
    ``extra`` detractors, ``den`` answers. ``anonymous``: anonymous responses among them (satisfaction).
    """

    num: float = 0
    den: float = 0
    extra: float = 0
    values: list = field(default_factory=list)
    anonymous: int = 0
    count: int = 0  # items behind num/den when den is not a count (estimate accuracy: tasks, not hours)

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            num=self.num + other.num,
            den=self.den + other.den,
            extra=self.extra + other.extra,
            values=self.values + other.values,
            anonymous=self.anonymous + other.anonymous,
            count=self.count + other.count,
        )

    @property
    def hidden(self) -> bool:
        """Too few anonymous answers to show without revealing one person's answer."""
        return 0 < self.anonymous < MIN_ANONYMOUS_GROUP

    @property
    def basis(self) -> int:
        """How many things the value is computed from (shown as n)."""
        return self.count or (len(self.values) if self.values else int(self.den))


def finish(kind: str, tally: Tally | None) -> float | None:
    """The indicator value of a tally."""
    if tally is None or tally.hidden:
        return None
    if kind == RATIO:
        return percent(tally.num, tally.den)
    if kind == MEDIAN:
        return median_hours(tally.values)
    if kind == MEAN:
        return round2(tally.num / tally.den) if tally.den else None
    if kind == NPS:
        return nps(int(tally.num), int(tally.extra), int(tally.den))
    raise ValueError(kind)


@dataclass(frozen=True)
class Figure:
    """One indicator's value now and in the previous window, with its colour and trend."""

    id: str
    value: float | str | None
    previous: float | str | None
    basis: int | None = None  # n behind the value
    hidden: bool = False  # anonymous answers below the group minimum

    @property
    def definition(self) -> Definition:
        return BY_ID[self.id]

    @property
    def status(self) -> str:
        return self.definition.status(self.value)

    @property
    def delta(self) -> float | None:
        if not isinstance(self.value, int | float) or not isinstance(self.previous, int | float):
            return None
        return round2(self.value - self.previous)

    @property
    def arrow(self) -> str:
        delta = self.delta
        if delta is None:
            return ""
        return "↑" if delta > 0 else "↓" if delta < 0 else "→"

    @property
    def improved(self) -> bool | None:
        return self.definition.improved(self.value, self.previous)

    @property
    def trend(self) -> str:
        """better / worse / same / "" (unknown), for the arrow's colour."""
        if self.delta is None:
            return ""
        improved = self.improved
        return "same" if improved is None else "better" if improved else "worse"

    @property
    def shown(self) -> str:
        return display(self.definition, self.value)

    @property
    def previous_shown(self) -> str:
        return display(self.definition, self.previous)

    @property
    def delta_shown(self) -> str:
        return display_delta(self.definition, self.delta)

    @property
    def over_under(self) -> float | None:
        """Estimate accuracy only: value − 100 (positive: took more than estimated)."""
        if self.id != "estimate_accuracy" or self.value is None:
            return None
        return round1(self.value - 100)


RFP_LABELS = {
    "consulted_before_rfp": _("Consulted before the RFP"),
    "learned_from_rfp": _("Learned of it only from the RFP"),
}
_SUFFIX = {"%": "%", "h": " h", "days": _(" days")}
_DELTA_SUFFIX = {"%": _(" pt"), "h": " h", "days": _(" days")}


def display(definition: Definition, value) -> str:
    """A value as shown: 87.5%, 12.3 h, 4.25, +20, 45 days, 2, or the RFP signal's name; — when missing."""
    if value is None:
        return "—"
    if definition.better == CATEGORY:
        return str(RFP_LABELS.get(value, value))
    if definition.unit == "score":
        return f"{value:.2f}"
    if definition.unit == "points":
        return f"{value:+g}" if value else "0"
    return f"{value:g}{_SUFFIX.get(definition.unit, '')}"


def display_delta(definition: Definition, delta) -> str:
    if delta is None:
        return ""
    number = f"{delta:+.2f}" if definition.unit == "score" else f"{delta:+g}"
    return f"{number}{_DELTA_SUFFIX.get(definition.unit, '')}"


def figure_from_tallies(indicator_id: str, current: Tally | None, previous: Tally | None) -> Figure:
    kind = BY_ID[indicator_id].kind
    current = current or Tally()
    return Figure(
        id=indicator_id,
        value=finish(kind, current),
        previous=finish(kind, previous or Tally()),
        basis=current.basis,
        hidden=current.hidden,
    )


# --- Early warnings --------------------------------------------------------------------------------------

WARNING_CODES = ("rfp", "satisfaction_drop", "punctuality", "no_contact", "customer_found_first")


@dataclass(frozen=True)
class EarlyWarning:
    """An early warning; its sentence is written when shown (in the reader's language).

    ``parts``: (kind, params) pairs, e.g. both "learned only from the RFP" and "competitor quotes" make one
    RFP warning (one count towards "drifting") with two sentences.
    """

    code: str
    parts: tuple = ()

    @property
    def sentence(self) -> str:
        return " ".join(_sentence(kind, dict(params)) for kind, params in self.parts)


def _sentence(kind: str, p: dict) -> str:
    if kind == "rfp_learned_late":
        return gettext("We learned of their RFP of %(date)s only from the RFP itself.") % p
    if kind == "competitor_quotes":
        return (
            ngettext(
                "They asked competitors for quotes %(count)s time in the last 180 days.",
                "They asked competitors for quotes %(count)s times in the last 180 days.",
                p["count"],
            )
            % p
        )
    if kind == "emotional_drop":
        return gettext("The emotional score fell by %(drop)s (from %(previous)s to %(value)s).") % p
    if kind == "nps_drop":
        return gettext("NPS fell by %(drop)s points (from %(previous)s to %(value)s).") % p
    if kind == "punctuality_drop":
        return (
            gettext("Weekly report punctuality fell by %(drop)s points (from %(previous)s%% to %(value)s%%).")
            % p
        )
    if kind == "punctuality_low":
        return gettext("Only %(value)s%% of weekly reports were published on time (below 80%%).") % p
    if kind == "no_contact":
        if p.get("days") is None:
            return gettext("No meaningful contact has been recorded.")
        return gettext("No meaningful contact for %(days)s days.") % p
    if kind == "customer_found_first":
        return (
            ngettext(
                "The customer found %(count)s trouble before we told them (last 90 days).",
                "The customer found %(count)s troubles before we told them (last 90 days).",
                p["count"],
            )
            % p
        )
    return kind


def _num(value) -> str:
    return f"{value:g}"


def satisfaction_warnings(figures: dict[str, Figure]) -> list[EarlyWarning]:
    """The emotional score fell by ≥ 0.3, or NPS by ≥ 20 points, from the previous window (one warning)."""
    parts = []
    emotional = figures.get("emotional_score")
    if emotional and emotional.delta is not None and -emotional.delta >= WARN_EMOTIONAL_DROP - 1e-9:
        parts.append(
            (
                "emotional_drop",
                (
                    ("drop", f"{-emotional.delta:.2f}"),
                    ("previous", f"{emotional.previous:.2f}"),
                    ("value", f"{emotional.value:.2f}"),
                ),
            )
        )
    score = figures.get("nps")
    if score and score.delta is not None and -score.delta >= WARN_NPS_DROP:
        parts.append(
            (
                "nps_drop",
                (
                    ("drop", _num(-score.delta)),
                    ("previous", _num(score.previous)),
                    ("value", _num(score.value)),
                ),
            )
        )
    return [EarlyWarning("satisfaction_drop", tuple(parts))] if parts else []


def punctuality_warnings(figure: Figure | None) -> list[EarlyWarning]:
    """Report punctuality fell by ≥ 20 points from the previous 8 due weeks, or is below 80 %."""
    if figure is None or figure.value is None:
        return []
    if figure.delta is not None and -figure.delta >= WARN_PUNCTUALITY_DROP:
        params = (
            ("drop", _num(-figure.delta)),
            ("previous", _num(figure.previous)),
            ("value", _num(figure.value)),
        )
        return [EarlyWarning("punctuality", (("punctuality_drop", params),))]
    if figure.value < WARN_PUNCTUALITY_BELOW:
        return [EarlyWarning("punctuality", (("punctuality_low", (("value", _num(figure.value)),)),))]
    return []


def trouble_warnings(customer_found: int) -> list[EarlyWarning]:
    """The customer found a trouble (detected in the last 90 days) before we disclosed it."""
    if not customer_found:
        return []
    return [EarlyWarning("customer_found_first", (("customer_found_first", (("count", customer_found),)),))]


def relationship_warnings(
    *, days_since_contact: int | None, latest_rfp_kind: str | None, latest_rfp_on, quotes_recent: int, today
) -> list[EarlyWarning]:
    """Learned of an RFP only from the RFP, or competitor quotes, in the last 180 days (one warning); no
    meaningful contact for more than 60 days, or none recorded (another)."""
    warnings = []
    parts = []
    if (
        latest_rfp_kind == "learned_from_rfp"
        and latest_rfp_on is not None
        and latest_rfp_on > today - timedelta(days=WARN_SIGNAL_DAYS)
    ):
        parts.append(("rfp_learned_late", (("date", latest_rfp_on.isoformat()),)))
    if quotes_recent:
        parts.append(("competitor_quotes", (("count", quotes_recent),)))
    if parts:
        warnings.append(EarlyWarning("rfp", tuple(parts)))
    if days_since_contact is None or days_since_contact > WARN_SILENT_DAYS:
        warnings.append(EarlyWarning("no_contact", (("no_contact", (("days", days_since_contact),)),)))
    return warnings


def is_drifting(warnings: list[EarlyWarning]) -> bool:
    """Two or more early warnings: the account is drifting to 'one of them' (「その他大勢」化の兆し)."""
    return len(warnings) >= DRIFTING_AT
