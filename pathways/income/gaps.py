"""Income-securing gaps (inntektssikringsgap): days an active participant has no livelihood source.

Inputs are plain values: the participant's income periods (:class:`IncomePeriod`, planned or
confirmed), the case's active span, the day the check runs (``as_of``) and, optionally, the steps
the participant is in or planned to be in with the livelihood the pathway expects there
(:class:`StepSpan`). Nothing here reads a clock or a database.

Coverage rule (DOMAIN.md, "Income-securing gap"; domain_rules.md § 5.2 "Engine implication"):

- a day is covered when some period whose source is not ``ingen`` covers it;
- a *planned* period counts only for days after ``as_of`` (projection). On ``as_of`` and before,
  only confirmed periods count: planned coverage that should already have started is not income;
- ``sosialhjelp`` counts as coverage, but days covered by nothing else are reported separately by
  :func:`fallback_spans`: the sources treat moving onto social assistance as a failure
  (seed 002 IS-18, seed 003 IG-9).

Each gap carries a reason in Norwegian bokmål without personal data and, where the inputs show it,
a stable trigger code for the eight gap triggers of DOMAIN.md (see :class:`Trigger`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pathways.definition.schema import Livelihood
from pathways.income.intervals import DateSet

ONE_DAY = timedelta(days=1)

SOURCES: frozenset[str] = frozenset(item.value for item in Livelihood)
NONE = Livelihood.ingen.value
SOCIAL = Livelihood.sosialhjelp.value

LABELS: dict[str, str] = {
    "introduksjonsstonad": "introduksjonsstønad",
    "tiltakspenger": "tiltakspenger",
    "kvalifiseringsstonad": "kvalifiseringsstønad",
    "lonn": "lønn",
    "lonnstilskudd": "lønn med lønnstilskudd",
    "laerlinglonn": "lærlinglønn",
    "aap": "arbeidsavklaringspenger",
    "dagpenger": "dagpenger",
    "jobbsjansen_stonad": "stønad i Jobbsjansen",
    "sykepenger": "sykepenger",
    "foreldrepenger": "foreldrepenger",
    "sosialhjelp": "økonomisk sosialhjelp",
    "ingen": "ingen livsopphold",
}
"""Norwegian display names of the livelihood codes, as they appear in reasons."""

STIPENDS = frozenset({"introduksjonsstonad", "kvalifiseringsstonad", "jobbsjansen_stonad", "tiltakspenger", "aap",
                      "dagpenger"})
"""Time-limited benefits tied to a programme or measure (trigger 1 when one ends mid-step)."""
WAGES = frozenset({"lonn", "lonnstilskudd", "laerlinglonn"})
MEASURES = STIPENDS | {"lonnstilskudd"}
"""Sources that end with a project or measure (trigger 2 when one ends with no job)."""
LEAVE_BENEFITS = frozenset({"sykepenger", "foreldrepenger"})
HIGHER_THAN_TILTAKSPENGER = frozenset({"introduksjonsstonad", "kvalifiseringsstonad", "jobbsjansen_stonad", "lonn",
                                       "lonnstilskudd", "laerlinglonn"})
"""Sources whose replacement by tiltakspenger means much lower income (seed 002 IS-9, L2273-2275)."""
PAY = frozenset({"lonn", "laerlinglonn"})
"""Wages tiltakspenger are not paid alongside (domain_rules § 5.1: "not given if the measure pays ordinary wages")."""
SUMMER_MONTHS = frozenset({6, 7, 8})

Kind = Literal["current", "projected"]


class Trigger(StrEnum):
    """Stable codes for the gap triggers of DOMAIN.md ("Gap triggers the sources describe")."""

    stipend_ends_before_course = "stipend_ends_before_course"  # 1: seed 002 IS-5, IS-9, IS-22, IS-26
    measure_ends_without_job = "measure_ends_without_job"  # 2: seed 002 IS-18; seed 003 IG-4, IG-7
    nav_measure_lower_income = "nav_measure_lower_income"  # 3: seed 002 IS-9 (see income_changes)
    no_livelihood_step = "no_livelihood_step"  # 4: seed 002 IS-21, IS-25
    waiting_first_payment = "waiting_first_payment"  # 5: seed 003 IG-1
    contract_lapsed = "contract_lapsed"  # 6: domain_rules § 5.2 item 7
    summer_break = "summer_break"  # 7: domain_rules § 1.5, § 5.2 item 2
    leave = "leave"  # 8: seed 002 IS-7


# --- inputs ------------------------------------------------------------------------------------


def _check_date(value: object, what: str) -> None:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"{what} must be a date (not a datetime), got {value!r}")


def check_source(code: object, where: str) -> str:
    """The livelihood code as a plain string; ValueError naming the known codes if it is unknown."""
    value = code.value if isinstance(code, Livelihood) else code
    if not isinstance(value, str) or value not in SOURCES:
        known = ", ".join(item.value for item in Livelihood)
        raise ValueError(f"{where}: unknown livelihood source {code!r}; known sources: {known}")
    return value


@dataclass(frozen=True)
class IncomePeriod:
    """One livelihood source over inclusive dates ``start``..``end`` (``end=None``: no end date yet).

    ``planned`` marks a period that is expected but not confirmed (a decision not yet made, a
    contract not yet signed). ``id`` is the store's key, if any.
    """

    source: str
    start: date
    end: date | None
    planned: bool = False
    id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", check_source(self.source, "income period"))
        _check_date(self.start, f"income period ({self.source}): start")
        if self.end is not None:
            _check_date(self.end, f"income period ({self.source}): end")
            if self.end < self.start:
                raise ValueError(f"income period ({self.source}): end {self.end.isoformat()} is before "
                                 f"start {self.start.isoformat()}")


@dataclass(frozen=True)
class StepSpan:
    """A step the participant is in (or planned to be in), with the livelihood the pathway expects.

    ``expected`` holds livelihood codes; ``("ingen",)`` states the pathway itself expects no
    livelihood there (a known gap, trigger 4); ``()`` states nothing (e.g. an outcome step).
    ``pause`` marks a span of leave (permisjon) rather than a step; its ``expected`` is the
    pathway's ``lifecycle.pause.livelihood``.
    """

    step_id: str
    title: str
    start: date
    end: date | None
    expected: tuple[str, ...]
    pause: bool = False

    def __post_init__(self) -> None:
        where = f"step span {self.step_id!r}"
        object.__setattr__(self, "expected", tuple(check_source(code, where) for code in self.expected))
        _check_date(self.start, f"{where}: start")
        if self.end is not None:
            _check_date(self.end, f"{where}: end")
            if self.end < self.start:
                raise ValueError(f"{where}: end {self.end.isoformat()} is before start {self.start.isoformat()}")

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def expects_income(self) -> bool:
        """True when the pathway expects some livelihood here (not empty, and ``ingen`` not allowed)."""
        return bool(self.expected) and NONE not in self.expected


# --- outputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """Inclusive days ``start``..``end`` without livelihood (or, from :func:`fallback_spans`, with
    social assistance only). ``days`` counts both ends."""

    start: date
    end: date
    days: int
    kind: Kind
    reason: str
    trigger: str | None
    open_ended: bool = False  # cut by the look-ahead horizon: it runs on after ``end``, ``days`` is a minimum

    def span(self) -> str:
        return span(self.start, self.end, self.days, self.open_ended)


@dataclass(frozen=True)
class StepMismatch:
    """Days in a step when none of the livelihood sources the step expects is present."""

    step_id: str
    title: str
    start: date
    end: date
    days: int
    kind: Kind
    expected: tuple[str, ...]
    present: tuple[str, ...]  # the sources that are there instead (empty: none)
    reason: str
    trigger: str | None
    open_ended: bool = False  # as for :class:`Gap`

    def span(self) -> str:
        return span(self.start, self.end, self.days, self.open_ended)


@dataclass(frozen=True)
class IncomeChange:
    """A change of livelihood on day ``on`` that is itself a warning sign (trigger 3)."""

    on: date
    kind: Kind
    before: tuple[str, ...]
    after: tuple[str, ...]
    reason: str
    trigger: str | None


# --- helpers -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Piece:
    """The part of a period that counts as coverage (planned periods: only after ``as_of``)."""

    source: str
    start: date
    end: date | None
    planned: bool
    nominal_start: date

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def _effective(periods: Iterable[IncomePeriod], as_of: date | None) -> list[_Piece]:
    """Coverage pieces. ``as_of=None`` means every day lies after ``as_of`` (a pure plan)."""
    out: list[_Piece] = []
    first_projected = None if as_of is None else as_of + ONE_DAY
    for period in periods:
        start = period.start
        if period.planned and first_projected is not None and start < first_projected:
            start = first_projected
            if period.end is not None and period.end < start:
                continue
        out.append(_Piece(period.source, start, period.end, period.planned, period.start))
    return out


def _cut(last: date, active_to: date | None) -> date | None:
    """The day after the window when the horizon, not the end of the case, closed it: days that run up
    to ``last`` and on to this day are open-ended."""
    return last + ONE_DAY if active_to is None or active_to > last else None


def _window_end(active_from: date, active_to: date | None, as_of: date, horizon_days: int) -> date:
    _check_date(active_from, "active_from")
    _check_date(as_of, "as_of")
    if active_to is not None:
        _check_date(active_to, "active_to")
        if active_to < active_from:
            raise ValueError(f"active_to {active_to.isoformat()} is before active_from {active_from.isoformat()}")
    if horizon_days < 0:
        raise ValueError(f"horizon_days must be 0 or more, got {horizon_days}")
    end = as_of + timedelta(days=horizon_days)
    return end if active_to is None or active_to > end else active_to


def _kind(start: date, as_of: date | None) -> Kind:
    return "current" if as_of is not None and start <= as_of else "projected"


def fmt(day: date) -> str:
    """A date as Norwegians write it: 31.07.2026."""
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"  # strftime's output, at a third of its cost


def span(start: date, end: date, days: int, open_ended: bool) -> str:
    """Days as a person reads them: "06.02.2027 – 06.03.2027 (29 dager)"; or, for days that run on past
    the look-ahead horizon, "fra 06.02.2027, minst 29 dager" (the horizon is not their end)."""
    if open_ended:
        return f"fra {fmt(start)}, minst {days} dager"
    return f"{fmt(start)} – {fmt(end)} ({days} {'dag' if days == 1 else 'dager'})"


def label(code: str) -> str:
    return LABELS.get(code, code)


def _join(parts: Sequence[str], word: str = "og") -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _planned(piece: _Piece) -> str:
    return " (planlagt)" if piece.planned else ""


def _distinct(pieces: Iterable[_Piece]) -> list[_Piece]:
    seen: set[tuple[str, bool]] = set()
    out: list[_Piece] = []
    for piece in sorted(pieces, key=lambda p: (p.source, p.planned)):
        if (piece.source, piece.planned) not in seen:
            seen.add((piece.source, piece.planned))
            out.append(piece)
    return out


class _Explainer:
    """Finds the trigger and writes the reason for one span, from what ends before it, what starts
    after it and the steps that are running."""

    def __init__(self, periods: Sequence[IncomePeriod], pieces: list[_Piece], steps: Sequence[StepSpan],
                 active_from: date, as_of: date) -> None:
        self.pieces = pieces
        self.planned = [_Piece(p.source, p.start, p.end, True, p.start) for p in periods if p.planned]
        self.steps = steps
        self.active_from = active_from
        self.as_of = as_of
        self.ending: dict[date, list[_Piece]] = defaultdict(list)
        self.starting: dict[date, list[_Piece]] = defaultdict(list)
        for piece in pieces:
            if piece.end is not None:
                self.ending[piece.end].append(piece)
            self.starting[piece.start].append(piece)

    def explain(self, start: date, end: date, *, fallback: bool) -> tuple[str | None, str]:
        """(trigger, reason) for the span ``start``..``end``: a gap, or with ``fallback`` a span covered
        by social assistance only."""
        exclude = frozenset({NONE, SOCIAL}) if fallback else frozenset({NONE})
        nothing = "bare økonomisk sosialhjelp" if fallback else "ingen ny inntekt"
        nothing_at_all = "bare økonomisk sosialhjelp" if fallback else "ingen inntekt"
        before, after = start - ONE_DAY, end + ONE_DAY
        ended = _distinct(p for p in self.ending.get(before, ()) if p.source not in exclude)
        # a planned period clipped at as_of does not start here: it is reported as unconfirmed below
        following = _distinct(p for p in self.starting.get(after, ())
                              if p.source not in exclude and p.start == p.nominal_start)
        active = [s for s in self.steps if not s.pause and s.active_on(start)]
        pause = next((s for s in self.steps if s.pause and s.active_on(start)), None)
        paid_steps = [s for s in active if s.expects_income]
        unpaid_steps = [s for s in active if NONE in s.expected]
        no_livelihood = next((p for p in self.pieces if p.source == NONE and p.covers(start)), None)
        ended_sources = {p.source for p in ended}

        ended_txt = _join([f"{label(p.source)} slutter {fmt(p.end)}{_planned(p)}" for p in ended if p.end])
        following_txt = _join([f"{label(p.source)} starter {fmt(p.nominal_start)}{_planned(p)}" for p in following])
        until_next = f" før {following_txt}" if following else ""
        tail = f"{nothing} er registrert{until_next}"
        opening = f"{nothing_at_all} er registrert fra {fmt(start)}{until_next}"
        reason = f"{ended_txt} og {tail}" if ended else opening

        trigger: Trigger | None = None
        if pause is not None or ended_sources & LEAVE_BENEFITS:
            trigger = Trigger.leave
            if pause is not None:
                reason = (f"Permisjon («{pause.title}») fra {fmt(max(pause.start, start))}: {tail}, "
                          "og videre løp etter permisjonen er ikke sikret")
            else:
                reason += "; videre løp etter permisjonen er ikke sikret"
        elif no_livelihood is not None or (unpaid_steps and not paid_steps):
            trigger = Trigger.no_livelihood_step
            if unpaid_steps and not paid_steps:
                reason = f"Steg «{unpaid_steps[0].title}» gir ikke rett til livsopphold"
            else:
                assert no_livelihood is not None
                reason = f"Perioden fra {fmt(no_livelihood.nominal_start)} er registrert uten livsopphold"
            if ended:
                reason += f" ({ended_txt})"
        elif start == self.active_from and not ended and following:
            trigger = Trigger.waiting_first_payment
            reason = f"Venter på første utbetaling: {following_txt}; {nothing_at_all} er registrert fra {fmt(start)}"
        elif ended_sources & WAGES and (contract := self._wage_step(before)) is not None:
            trigger = Trigger.contract_lapsed
            reason = (f"{ended_txt}, og kontrakten i steg «{contract.title}» faller bort når arbeidsforholdet "
                      f"slutter; {tail}")
        elif (ended_sources & {p.source for p in following} & STIPENDS and start.year == end.year
              and start.month in SUMMER_MONTHS and end.month in SUMMER_MONTHS):
            trigger = Trigger.summer_break
            reason = (f"{ended_txt} og {nothing} er registrert i sommerferien før {following_txt}; "
                      "programmet skal gå hele året")
        elif ended_sources & STIPENDS and paid_steps:
            trigger = Trigger.stipend_ends_before_course
            step = max(paid_steps, key=lambda s: s.end or date.max)
            until = f"varer til {fmt(step.end)}" if step.end else "varer videre"
            reason = f"{ended_txt}, men steg «{step.title}» {until}; {tail}"
        elif ended_sources & MEASURES and not paid_steps:
            trigger = Trigger.measure_ends_without_job
        unconfirmed = self._unconfirmed(start, exclude)
        if unconfirmed:
            reason += "; " + _join([f"{label(p.source)} fra {fmt(p.nominal_start)} er bare planlagt, ikke bekreftet"
                                    for p in unconfirmed])
        return (trigger.value if trigger else None), _capital(reason)

    def _wage_step(self, day: date) -> StepSpan | None:
        """A step that needs the employment (its expected livelihood is wages) running on ``day``."""
        for step in self.steps:
            if not step.pause and step.active_on(day) and set(step.expected) & WAGES and NONE not in step.expected:
                return step
        return None

    def _unconfirmed(self, start: date, exclude: frozenset[str]) -> list[_Piece]:
        """Planned periods that nominally cover ``start`` (on or before ``as_of``) but do not count."""
        if start > self.as_of:
            return []
        return _distinct(p for p in self.planned if p.source not in exclude and p.covers(start))


# --- the checks --------------------------------------------------------------------------------


def income_gaps(periods: Sequence[IncomePeriod], *, active_from: date, active_to: date | None, as_of: date,
                horizon_days: int = 90, steps: Sequence[StepSpan] = ()) -> list[Gap]:
    """Maximal runs of days from ``active_from`` to ``min(active_to, as_of + horizon_days)`` that no
    period with a source other than ``ingen`` covers (planned periods only after ``as_of``).

    A gap starting on or before ``as_of`` is ``current``; one starting later is ``projected``.
    """
    last = _window_end(active_from, active_to, as_of, horizon_days)
    if last < active_from:
        return []
    pieces = _effective(periods, as_of)
    covered = DateSet([(p.start, p.end) for p in pieces if p.source != NONE])
    spans = covered.holes(active_from, last)
    if not spans:
        return []
    explainer = _Explainer(periods, pieces, steps, active_from, as_of)
    beyond = _cut(last, active_to)
    out: list[Gap] = []
    for start, end in spans:
        trigger, reason = explainer.explain(start, end, fallback=False)
        open_ended = end == last and beyond is not None and beyond not in covered
        out.append(Gap(start, end, (end - start).days + 1, _kind(start, as_of), reason, trigger, open_ended))
    return out


def fallback_spans(periods: Sequence[IncomePeriod], *, active_from: date, active_to: date | None, as_of: date,
                   horizon_days: int = 90, steps: Sequence[StepSpan] = ()) -> list[Gap]:
    """Maximal runs of days in the same window as :func:`income_gaps` covered by ``sosialhjelp`` and
    by no other livelihood source: coverage, but a warning sign of its own."""
    last = _window_end(active_from, active_to, as_of, horizon_days)
    if last < active_from:
        return []
    pieces = _effective(periods, as_of)
    social = DateSet([(p.start, p.end) for p in pieces if p.source == SOCIAL])
    if not social:
        return []
    # Days of the window in ``social`` and not in ``other``: the holes, within the window, of
    # ``other`` together with the days the window has outside ``social``.
    not_social = social.holes(active_from, last)
    other = DateSet([*((p.start, p.end) for p in pieces if p.source not in (NONE, SOCIAL)), *not_social])
    spans = other.holes(active_from, last)
    explainer = _Explainer(periods, pieces, steps, active_from, as_of)
    beyond = _cut(last, active_to)  # ``other`` holds no day of the window's own outside it: only income
    out: list[Gap] = []
    for start, end in spans:
        trigger, reason = explainer.explain(start, end, fallback=True)
        open_ended = end == last and beyond is not None and beyond in social and beyond not in other
        out.append(Gap(start, end, (end - start).days + 1, _kind(start, as_of), reason, trigger, open_ended))
    return out


def step_mismatches(periods: Sequence[IncomePeriod], steps: Sequence[StepSpan], *, as_of: date | None = None,
                    horizon_days: int = 90) -> list[StepMismatch]:
    """For each step that expects a livelihood, the runs of days when none of its expected sources is
    present, split where the sources present instead change.

    With ``as_of``, planned periods count only after ``as_of`` and open or long steps are evaluated
    up to ``as_of + horizon_days``. Without it, the periods are read as a plan: planned periods count
    on every day, every mismatch is ``projected``, and every step needs an end date.
    Steps expecting nothing (``()``) or allowing no livelihood (``ingen``) are skipped.
    """
    if horizon_days < 0:
        raise ValueError(f"horizon_days must be 0 or more, got {horizon_days}")
    if as_of is not None:
        _check_date(as_of, "as_of")
    limit = None if as_of is None else as_of + timedelta(days=horizon_days)
    pieces = [p for p in _effective(periods, as_of) if p.source != NONE]
    out: list[StepMismatch] = []
    for step in steps:
        if not step.expects_income:
            continue
        last = step.end
        if last is None and limit is None:
            raise ValueError(f"step span {step.step_id!r} has no end date; pass as_of to bound it by the horizon")
        beyond = None  # the day after ``last`` when the horizon cut the step short
        if limit is not None and (last is None or last > limit):
            last, beyond = limit, limit + ONE_DAY
        assert last is not None
        if last < step.start:
            continue
        expected = set(step.expected)
        have = DateSet([(p.start, p.end) for p in pieces if p.source in expected])
        for start, end in have.holes(step.start, last):
            for seg_start, seg_end, present in _segments(pieces, start, end):
                open_ended = seg_end == last and beyond is not None and beyond not in have and \
                    present == tuple(sorted({p.source for p in pieces if p.covers(beyond)}))
                out.append(_mismatch(step, seg_start, seg_end, present, as_of, open_ended))
    return out


def _segments(pieces: Sequence[_Piece], start: date, end: date) -> list[tuple[date, date, tuple[str, ...]]]:
    """``start``..``end`` split into runs with the same set of sources present."""
    inside = [p for p in pieces if p.start <= end and (p.end is None or p.end >= start)]
    cuts = {start}
    for p in inside:
        if p.start > start:
            cuts.add(p.start)
        if p.end is not None and p.end < end:
            cuts.add(p.end + ONE_DAY)
    bounds = sorted(cuts)
    out: list[tuple[date, date, tuple[str, ...]]] = []
    for i, seg_start in enumerate(bounds):
        seg_end = bounds[i + 1] - ONE_DAY if i + 1 < len(bounds) else end
        present = tuple(sorted({p.source for p in inside if p.covers(seg_start)}))
        if out and out[-1][2] == present:
            out[-1] = (out[-1][0], seg_end, present)
        else:
            out.append((seg_start, seg_end, present))
    return out


def _mismatch(step: StepSpan, start: date, end: date, present: tuple[str, ...], as_of: date | None,
              open_ended: bool = False) -> StepMismatch:
    expected_txt = _join([label(code) for code in step.expected], "eller")
    if present:
        present_txt = f"bare {_join([label(code) for code in present])} er registrert"
    else:
        present_txt = "ingen inntekt er registrert"
    what = "Permisjon" if step.pause else "Steg"
    days = (end - start).days + 1
    when = span(start, end, days, True) if open_ended else f"{fmt(start)}–{fmt(end)}"
    reason = f"{what} «{step.title}» forventer {expected_txt}, men {present_txt} ({when})"
    trigger: Trigger | None = None
    if step.pause:
        trigger = Trigger.leave
    elif "tiltakspenger" in present and set(step.expected) & {"laerlinglonn", "lonn", "lonnstilskudd"}:
        trigger = Trigger.nav_measure_lower_income
        reason += "; tiltaket kan normalt ikke kombineres med lærlinglønn eller lønn"
    return StepMismatch(step.step_id, step.title, start, end, days, _kind(start, as_of), step.expected, present,
                        reason, trigger.value if trigger else None, open_ended)


def income_changes(periods: Sequence[IncomePeriod], *, active_from: date, active_to: date | None, as_of: date,
                   horizon_days: int = 90) -> list[IncomeChange]:
    """Changes of livelihood inside the window of :func:`income_gaps` that are warnings although no
    day is uncovered (trigger 3, seed 002 IS-9):

    - tiltakspenger replace introduksjonsstønad, KVP, Jobbsjansen or wages: much lower income;
    - tiltakspenger run alongside lærlinglønn or wages: normally not combinable.
    """
    last = _window_end(active_from, active_to, as_of, horizon_days)
    pieces = [p for p in _effective(periods, as_of) if p.source != NONE]
    points: set[date] = set()
    for p in pieces:
        points.add(p.start)
        if p.end is not None:
            points.add(p.end + ONE_DAY)
    out: list[IncomeChange] = []
    previous: frozenset[str] = frozenset()  # the last livelihood before a run of days without any
    for day in sorted(d for d in points if d <= last):
        before = frozenset(p.source for p in pieces if p.covers(day - ONE_DAY))
        after = frozenset(p.source for p in pieces if p.covers(day))
        if before:
            previous = before
        if day <= active_from or before == after:
            continue
        lost, gained = previous - after, after - before
        if "tiltakspenger" in gained and lost & HIGHER_THAN_TILTAKSPENGER and not after & HIGHER_THAN_TILTAKSPENGER:
            reason = (f"Overgang fra {_join([label(s) for s in sorted(lost)])} til tiltakspenger {fmt(day)} "
                      "gir vanligvis betydelig lavere inntekt")
        elif "tiltakspenger" in after and after & PAY and gained & (PAY | {"tiltakspenger"}):
            wage = _join([label(s) for s in sorted(after & PAY)])
            reason = f"Tiltakspenger og {wage} overlapper fra {fmt(day)}: tiltaket kan normalt ikke kombineres med lønn"
        else:
            continue
        out.append(IncomeChange(day, _kind(day, as_of), tuple(sorted(previous)),
                                tuple(sorted(after)), reason, Trigger.nav_measure_lower_income.value))
    return out
