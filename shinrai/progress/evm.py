"""Earned value management (出来高管理, EVM) arithmetic. Plain Python: no Django, no database.

Amounts are unit-agnostic (person-hours or yen): whatever unit the budgets use, PV/EV/AC and the forecasts use
too. All arithmetic is ``Decimal`` in a fixed context (28 significant digits, the Python default), so results
do not depend on the caller's decimal context; nothing is rounded until presentation
(:func:`round_half_up`, :meth:`EvmResult.rounded`).

Conventions
-----------
* Pass **leaf tasks** (work packages) only: a WBS parent's budget is the sum of its children and would be
  counted twice.
* A status date (基準日) means the *end* of that day: work planned for the status date itself is in PV.
* **PV** (planned value) spreads each task's budget evenly over the business days of its planned
  [start, finish] (Japanese public holidays and ``extra_holidays`` skipped; see
  :func:`shinrai.progress.workdays.business_days_between`)::

      PV_task(s) = 0                                   if s < start
                 = budget                              if s >= finish
                 = budget × business_days(start, s) / business_days(start, finish)   otherwise

  Weekends and holidays therefore add no PV. A task planned only on non-business days (0 business days)
  contributes nothing until its finish date and its whole budget from then on.
* **EV** = Σ budget × percent complete / 100 (percent is 0–100). **AC** = Σ actual cost.
* SV = EV − PV, CV = EV − AC, SPI = EV / PV, CPI = EV / AC, BAC = Σ budget,
  EAC = BAC / CPI (computed as BAC × AC / EV, the same value without an intermediate rounding),
  ETC = EAC − AC, VAC = BAC − EAC, TCPI = (BAC − EV) / (BAC − AC).
* A ratio whose divisor is 0 is ``None`` (SPI when PV = 0, CPI when AC = 0, TCPI when BAC = AC), and so is
  every value derived from a ``None``: EAC is ``None`` when CPI is ``None`` or 0 (AC > 0 with nothing earned),
  and then ETC and VAC are ``None`` too. TCPI is negative once AC exceeds BAC: the budget cannot be met.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from decimal import localcontext as _localcontext
from typing import NamedTuple

from . import workdays

__all__ = [
    "EvmResult",
    "PlannedTask",
    "Progress",
    "evaluate",
    "planned_value",
    "round_half_up",
    "series",
    "to_decimal",
    "weekly_dates",
]

_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

Number = Decimal | int | float
#: One snapshot: on ``date``, task id → (percent complete 0–100, actual cost to date).
Snapshot = tuple[date, Mapping[Hashable, "Progress | tuple[Number, Number]"]]


def to_decimal(value: Number, *, name: str = "value") -> Decimal:
    """``Decimal`` from a Decimal, int or float (floats via their shortest repr: 0.1 → Decimal("0.1"))."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise TypeError(f"{name} must be a Decimal, int or float, not {type(value).__name__}")
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be finite, not {value}")
    return result


def _check_date(value: object, name: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{name} must be a datetime.date, not {type(value).__name__}")


def round_half_up(value: Decimal | None, places: int) -> Decimal | None:
    """Round for display with 四捨五入 (half away from zero: 2.5 → 3, −2.5 → −3); ``None`` stays ``None``.

    A result that rounds to zero is returned without its sign (−0.001 → 0.00, not −0.00).

    ``places`` may be negative: ``round_half_up(Decimal("1234"), -2)`` is 1.2E+3 (i.e. 1200).
    """
    if value is None:
        return None
    with _localcontext(_CONTEXT):
        result = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return result.copy_abs() if result.is_zero() else result  # never show "-0.00"


@dataclass(frozen=True, slots=True)
class PlannedTask:
    """One leaf task of the plan: its budget (BAC of the task) and planned start and finish (inclusive)."""

    id: Hashable
    budget: Decimal
    start: date
    finish: date

    def __post_init__(self) -> None:
        budget = to_decimal(self.budget, name="budget")
        if budget < 0:
            raise ValueError(f"task {self.id!r}: budget must be >= 0, not {budget}")
        object.__setattr__(self, "budget", budget)
        _check_date(self.start, "start")
        _check_date(self.finish, "finish")
        if self.start > self.finish:
            raise ValueError(f"task {self.id!r}: planned start {self.start} is after finish {self.finish}")


class Progress(NamedTuple):
    """A task's state on some date: percent complete (0–100) and actual cost to date (cumulative)."""

    percent_complete: Decimal
    actual_cost: Decimal


@dataclass(frozen=True, slots=True)
class EvmResult:
    """EVM figures at the end of ``status_date``. Unrounded; see :meth:`rounded` for display."""

    status_date: date
    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal
    sv: Decimal
    cv: Decimal
    spi: Decimal | None
    cpi: Decimal | None
    eac: Decimal | None
    etc: Decimal | None
    vac: Decimal | None
    tcpi: Decimal | None

    _INDICES = frozenset({"spi", "cpi", "tcpi"})

    def rounded(self, *, amount_places: int, index_places: int = 2) -> dict[str, date | Decimal | None]:
        """All figures as a dict: amounts rounded to ``amount_places``, SPI/CPI/TCPI to ``index_places``."""
        out: dict[str, date | Decimal | None] = {"status_date": self.status_date}
        for field in fields(self):
            if field.name != "status_date":
                places = index_places if field.name in self._INDICES else amount_places
                out[field.name] = round_half_up(getattr(self, field.name), places)
        return out


def _progress(task_id: Hashable, value: Progress | tuple[Number, Number]) -> Progress:
    percent, actual = value
    percent = to_decimal(percent, name="percent_complete")
    actual = to_decimal(actual, name="actual_cost")
    if not _ZERO <= percent <= _HUNDRED:
        raise ValueError(f"task {task_id!r}: percent complete must be within 0–100, not {percent}")
    if actual < 0:
        raise ValueError(f"task {task_id!r}: actual cost must be >= 0, not {actual}")
    return Progress(percent, actual)


class _Plan:
    """Tasks checked once, with each task's planned business days computed once."""

    def __init__(self, tasks: Iterable[PlannedTask], extra_holidays: workdays.Holidays) -> None:
        self.extra = frozenset(extra_holidays)
        self.tasks: list[tuple[PlannedTask, int]] = []
        self.ids: set[Hashable] = set()
        for task in tasks:
            if not isinstance(task, PlannedTask):
                raise TypeError(f"tasks must be PlannedTask, not {type(task).__name__}")
            if task.id in self.ids:
                raise ValueError(f"duplicate task id {task.id!r}")
            self.ids.add(task.id)
            days = workdays.business_days_between(task.start, task.finish, extra_holidays=self.extra)
            self.tasks.append((task, days))

    def progress(self, task_id: Hashable, value: Progress | tuple[Number, Number]) -> Progress:
        if task_id not in self.ids:
            raise ValueError(f"progress given for unknown task id {task_id!r}")
        return _progress(task_id, value)

    def planned_value(self, task: PlannedTask, days: int, status_date: date) -> Decimal:
        if status_date < task.start:
            return _ZERO
        if status_date >= task.finish:
            return task.budget
        if days == 0:
            return _ZERO
        elapsed = workdays.business_days_between(task.start, status_date, extra_holidays=self.extra)
        return task.budget * elapsed / days

    def evaluate(self, status_date: date, progress: Mapping[Hashable, Progress]) -> EvmResult:
        bac = pv = ev = ac = _ZERO
        for task, days in self.tasks:
            bac += task.budget
            pv += self.planned_value(task, days, status_date)
            state = progress.get(task.id)
            if state is not None:
                ev += task.budget * state.percent_complete / _HUNDRED
                ac += state.actual_cost
        spi = ev / pv if pv else None
        cpi = ev / ac if ac else None
        eac = bac * ac / ev if cpi else None  # = BAC / CPI without rounding CPI first
        return EvmResult(
            status_date=status_date,
            bac=bac,
            pv=pv,
            ev=ev,
            ac=ac,
            sv=ev - pv,
            cv=ev - ac,
            spi=spi,
            cpi=cpi,
            eac=eac,
            etc=None if eac is None else eac - ac,
            vac=None if eac is None else bac - eac,
            tcpi=(bac - ev) / (bac - ac) if bac != ac else None,
        )


def planned_value(task: PlannedTask, status_date: date, *, extra_holidays: workdays.Holidays = ()) -> Decimal:
    """One task's PV at the end of ``status_date`` (see the module docstring for the convention)."""
    _check_date(status_date, "status_date")
    with _localcontext(_CONTEXT):
        plan = _Plan([task], extra_holidays)
        return plan.planned_value(task, plan.tasks[0][1], status_date)


def evaluate(
    tasks: Iterable[PlannedTask],
    status_date: date,
    progress: Mapping[Hashable, Progress | tuple[Number, Number]] | None = None,
    *,
    extra_holidays: workdays.Holidays = (),
) -> EvmResult:
    """EVM figures at the end of ``status_date``.

    ``progress`` maps task id → (percent complete 0–100, actual cost to date); a task missing from it has
    0 % and no cost. An id that is not among ``tasks`` raises ``ValueError``.
    """
    _check_date(status_date, "status_date")
    with _localcontext(_CONTEXT):
        plan = _Plan(tasks, extra_holidays)
        state = {task_id: plan.progress(task_id, value) for task_id, value in (progress or {}).items()}
        return plan.evaluate(status_date, state)


def series(
    tasks: Iterable[PlannedTask],
    dates: Iterable[date],
    snapshots: Iterable[Snapshot] = (),
    *,
    extra_holidays: workdays.Holidays = (),
) -> list[EvmResult]:
    """EVM figures for each status date in ``dates`` (results in the same order), for the EVM chart.

    ``snapshots`` is the progress history: ``(date, {task_id: (percent, actual_cost)})`` pairs, a change log
    that need not list every task. At a status date each task has the values of its latest snapshot dated on
    or before that date (a snapshot dated on the status date counts); a task with no such snapshot has 0 %
    and no cost. Snapshots may come in any order; of two for the same date, the later in the list wins.
    """
    with _localcontext(_CONTEXT):
        plan = _Plan(tasks, extra_holidays)
        history = sorted(snapshots, key=lambda snapshot: snapshot[0])  # stable: list order breaks ties
        for taken_on, _ in history:
            _check_date(taken_on, "snapshot date")
        wanted = list(dates)
        for status_date in wanted:
            _check_date(status_date, "status date")
        results: list[EvmResult | None] = [None] * len(wanted)
        state: dict[Hashable, Progress] = {}
        applied = 0
        for index in sorted(range(len(wanted)), key=wanted.__getitem__):
            status_date = wanted[index]
            while applied < len(history) and history[applied][0] <= status_date:
                for task_id, value in history[applied][1].items():
                    state[task_id] = plan.progress(task_id, value)
                applied += 1
            results[index] = plan.evaluate(status_date, state)
        return results  # type: ignore[return-value]  # every slot is filled


def weekly_dates(start: date, end: date, *, weekday: int = 4) -> list[date]:
    """Every ``weekday`` (Monday 0 … Sunday 6; default Friday 4) in [start, end]: status dates for a chart.

    Holidays are kept: a status date is a point in time, not a working day.
    """
    _check_date(start, "start")
    _check_date(end, "end")
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) … 6 (Sunday), not {weekday}")
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    return [first + timedelta(weeks=i) for i in range((end - first).days // 7 + 1)] if first <= end else []
