"""Livelihood periods (inntektskilder) and income-securing gaps for participants."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, bindparam
from sqlmodel import Session, col, select

from pathways.bounds import date_problem, text_problem
from pathways.definition.loader import Definition
from pathways.definition.schema import Livelihood
from pathways.engine.state import ACTIVE, CaseState, Pause
from pathways.income.gaps import (
    LABELS,
    Gap,
    IncomePeriod,
    StepMismatch,
    StepSpan,
    fallback_spans,
    income_gaps,
    step_mismatches,
)
from pathways.income.stonad import monthly_amount, rate_changes, yearly_rate
from pathways.messages import Text
from pathways.services import access, readlog
from pathways.services.absence import MonthAbsence
from pathways.services.absence import months as absence_months
from pathways.services.audit import record
from pathways.services.context import Context, NotFound, ServiceError, definition_of
from pathways.services.grunnbelop import g_table_in
from pathways.store.queries import cases as case_rows
from pathways.store.queries import flags as flag_rows
from pathways.store.tables import Enrolment, LivelihoodPeriod, Participant

SOURCES = tuple(s.value for s in Livelihood)
NO_AMOUNT = frozenset({Livelihood.ingen.value})  # sources that carry no amount
MAX_AMOUNT_ORE = 100_000_000  # 1 000 000 kr a month: anything above is a typing error
MAX_NOTE = 500
MAX_REASON = 300
UNCHANGED: Any = object()  # a keyword left out of :func:`correct_income`


class PeriodInvalid(ServiceError):
    """One or more inputs of a livelihood period are wrong: ``problems`` maps each field (``source``,
    ``from``, ``to``, ``planned``, ``amount``, ``note``, ``reason``) to what is wrong with it, so a form
    shows every error at once beside its field. ``field`` is the first of them."""

    def __init__(self, problems: dict[str, Text]):
        self.problems = dict(problems)
        field, message = next(iter(self.problems.items()))
        parts: list[str] = []
        for name, problem in self.problems.items():  # each problem translated, the field names as they are
            parts += [f"; {name}: " if parts else f"{name}: ", problem]
        super().__init__(message if len(self.problems) == 1 else Text.joined(*parts), field)


@dataclass(frozen=True)
class PeriodFacts:
    """What a livelihood period says, checked together (:func:`period_problems`)."""

    source: str
    start: date
    end: date | None
    planned: bool
    amount_ore: int | None
    note: str | None


def amount_in_ore(value: Decimal | int | str | None) -> int | None:
    """A monthly amount in kroner (``15012``, ``"15 012,50"``, a Decimal) as øre; None when empty;
    PeriodInvalid naming ``amount`` when it is not an amount of at most two decimals."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise PeriodInvalid({"amount": Text("amount_not_number")})
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".").removesuffix("kr")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise PeriodInvalid({"amount": Text("not_an_amount", value=str(value)[:40])}) \
            from None
    if not amount.is_finite():
        raise PeriodInvalid({"amount": Text("not_an_amount", value=str(value)[:40])})
    if amount < 0:
        raise PeriodInvalid({"amount": Text("amount_negative")})
    if amount * 100 > MAX_AMOUNT_ORE:
        raise PeriodInvalid({"amount": Text("amount_too_big", limit=f"{MAX_AMOUNT_ORE // 100:,}".replace(",", " "))})
    if amount != amount.quantize(Decimal("0.01")):
        raise PeriodInvalid({"amount": Text("amount_decimals")})
    ore = int(amount * 100)
    return ore


def period_problems(facts: PeriodFacts, others: Iterable[LivelihoodPeriod] = ()) -> dict[str, Text]:
    """Every problem of a period at once (field: message), ``others`` being the participant's other periods.

    The rules: a source from the registry; dates within :mod:`pathways.bounds`; the end not before the
    start; no amount for «ingen livsopphold»; and no overlap with another period of the same source
    (one benefit is paid once for a day: a second employer, a new decision or a longer period is a
    change of the period that is there, through Forleng or Rett), nor of «ingen livsopphold» with any
    other source (it says there is none)."""
    problems: dict[str, Text] = {}
    if facts.source not in SOURCES:
        problems["source"] = Text("unknown_source_choose", source=facts.source[:40])
    for field, day in (("from", facts.start), ("to", facts.end)):
        problem = day is not None and date_problem(day)
        if problem:
            problems[field] = problem
    if "from" not in problems and "to" not in problems and facts.end is not None and facts.end < facts.start:
        problems["to"] = Text("period_ends_before_start", end=facts.end, start=facts.start)
    if facts.amount_ore is not None and facts.source in NO_AMOUNT:
        problems["amount"] = Text("no_amount_for_none")
    if facts.note is not None:
        if len(facts.note) > MAX_NOTE:
            problems["note"] = Text("note_too_long", length=len(facts.note), limit=MAX_NOTE)
        elif text_problem(facts.note):
            problems["note"] = Text("note_not_storable")
    if not problems:
        for other in others:
            if not _overlap(facts.start, facts.end, other.start, other.end):
                continue
            same = other.source == facts.source
            if same or Livelihood.ingen.value in (other.source, facts.source):
                label = LABELS.get(other.source, other.source)
                field = "from" if other.start <= facts.start else "to"
                problems[field] = Text("overlaps_same" if same else "overlaps_none", label=label,
                                       span=_span(other.start, other.end))
                break
    return problems


def _overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def _span(start: date, end: date | None) -> Text:
    return Text("span", start=start, end=end) if end else Text("span_open", start=start)


def _others(session: Session, participant_id: int, but: int | None = None) -> list[LivelihoodPeriod]:
    """The participant's periods (but one), their participant row locked first: two people registering
    for one participant at once are checked one after the other, so neither slips in an overlap."""
    session.exec(select(Participant.id).where(Participant.id == participant_id).with_for_update()).first()
    return [p for p in session.exec(select(LivelihoodPeriod).where(LivelihoodPeriod.participant_id == participant_id)
                                    .order_by(col(LivelihoodPeriod.start), col(LivelihoodPeriod.id)))
            if p.id != but]


def _checked(facts: PeriodFacts, others: Iterable[LivelihoodPeriod]) -> None:
    problems = period_problems(facts, others)
    if problems:
        raise PeriodInvalid(problems)


def _clean_note(note: str | None) -> str | None:
    note = (note or "").strip()
    return note or None


def add_income(ctx: Context, participant_id: int, source: str, start: date, end: date | None = None, *,
               planned: bool = False, amount_basis: str | None = None, amount: Decimal | int | str | None = None,
               note: str | None = None) -> int:
    """Register a livelihood period of a participant the actor sees; returns its id. Every problem of the
    input is reported at once (:class:`PeriodInvalid`); the participant's scope is checked first."""
    sources = [s.value for s in Livelihood]
    if source not in sources:
        from pathways.definition.problems import did_you_mean
        raise ServiceError("unknown_source", "source", source=source,
                           hint=did_you_mean(source, sources) or Text("sources_are", sources=list(sources)))
    with ctx.transaction() as session:
        participant = access.worked_participant(session, ctx.actor, participant_id)
        problems: dict[str, Text] = {}
        try:
            ore = amount_in_ore(amount)
        except PeriodInvalid as exc:
            problems, ore = exc.problems, None
        facts = PeriodFacts(source, start, end, planned, ore, _clean_note(note))
        others = _others(session, participant_id)
        problems = {**period_problems(facts, others), **problems}
        if problems:
            raise PeriodInvalid(problems)
        row = LivelihoodPeriod(participant_id=participant_id, kommune_id=participant.kommune_id, source=source,
                               start=start, end=end, planned=planned, amount_basis=amount_basis,
                               amount_ore=ore, note=facts.note, created_at=ctx.now())
        session.add(row)
        session.flush()
        assert row.id is not None
        _audit(session, ctx, "income.created", row)
        refresh_income(session, ctx, participant_id, periods=_with(others, row))
        return row.id


def _period(ctx: Context, session: Session, period_id: int, participant_id: int | None) -> LivelihoodPeriod:
    """The period when the actor may change it (and, given ``participant_id``, it is that participant's)."""
    row = access.period(session, ctx.actor, period_id, changing=True)
    if participant_id is not None and row.participant_id != participant_id:
        raise NotFound("no_period", "period", id=period_id)
    return row


def _facts(row: LivelihoodPeriod) -> PeriodFacts:
    return PeriodFacts(row.source, row.start, row.end, row.planned, row.amount_ore, row.note)


def _store(session: Session, ctx: Context, row: LivelihoodPeriod, facts: PeriodFacts, action: str,
           detail: str = "") -> None:
    others = _others(session, row.participant_id, but=row.id)
    _checked(facts, others)
    row.source, row.start, row.end, row.planned, row.amount_ore, row.note = (
        facts.source, facts.start, facts.end, facts.planned, facts.amount_ore, facts.note)
    session.add(row)
    session.flush()
    _audit(session, ctx, action, row, detail)
    refresh_income(session, ctx, row.participant_id, periods=_with(others, row))


def _with(others: list[LivelihoodPeriod], row: LivelihoodPeriod) -> list[IncomePeriod]:
    """The participant's periods after ``row`` was stored, as :func:`periods_of` reads them (no second query)."""
    return [IncomePeriod(p.source, p.start, p.end, p.planned, p.id)
            for p in sorted([*others, row], key=lambda p: (p.start, p.id or 0))]


def end_income(ctx: Context, period_id: int, end: date, *, planned: bool | None = None,
               participant_id: int | None = None) -> None:
    """Set (or move) the end of a livelihood period of a participant the actor sees («Avslutt»)."""
    with ctx.transaction() as session:
        row = _period(ctx, session, period_id, participant_id)
        facts = replace(_facts(row), end=end, planned=row.planned if planned is None else planned)
        _store(session, ctx, row, facts, "income.ended", f"til {end.isoformat()}")


def confirm_income(ctx: Context, period_id: int, *, participant_id: int | None = None) -> None:
    """A planned period is confirmed («Bekreft»): the decision is made, the contract signed."""
    with ctx.transaction() as session:
        row = _period(ctx, session, period_id, participant_id)
        if not row.planned:
            raise PeriodInvalid({"planned": Text("period_confirmed")})
        _store(session, ctx, row, replace(_facts(row), planned=False), "income.confirmed")


def extend_income(ctx: Context, period_id: int, end: date | None, *, participant_id: int | None = None) -> None:
    """The period runs on to a later ``end`` (None: with no end date) («Forleng»)."""
    with ctx.transaction() as session:
        row = _period(ctx, session, period_id, participant_id)
        if row.end is None:
            raise PeriodInvalid({"to": Text("period_open_ended")})
        if end is not None and end <= row.end:
            raise PeriodInvalid({"to": Text("extend_after_end", end=row.end)})
        _store(session, ctx, row, replace(_facts(row), end=end), "income.extended",
               f"til {end.isoformat()}" if end else "løpende")


def correct_income(ctx: Context, period_id: int, *, participant_id: int | None = None,
                   source: str = UNCHANGED, start: date = UNCHANGED, end: date | None = UNCHANGED,
                   planned: bool = UNCHANGED, amount: Decimal | int | str | None = UNCHANGED,
                   note: str | None = UNCHANGED) -> None:
    """Correct what was registered wrong («Rett»): any of the fields given, checked together as one period."""
    with ctx.transaction() as session:
        row = _period(ctx, session, period_id, participant_id)
        problems: dict[str, Text] = {}
        ore = row.amount_ore
        if amount is not UNCHANGED:
            try:
                ore = amount_in_ore(amount)
            except PeriodInvalid as exc:
                problems = exc.problems
        given = {"source": source, "from": start, "to": end, "planned": planned, "amount": amount, "note": note}
        changed = [name for name, value in given.items() if value is not UNCHANGED]
        old = _facts(row)
        facts = PeriodFacts(old.source if source is UNCHANGED else source, old.start if start is UNCHANGED else start,
                            old.end if end is UNCHANGED else end, old.planned if planned is UNCHANGED else planned,
                            ore, old.note if note is UNCHANGED else _clean_note(note))
        problems = {**period_problems(facts, _others(session, row.participant_id, but=row.id)), **problems}
        if problems:
            raise PeriodInvalid(problems)
        _store(session, ctx, row, facts, "income.corrected", "felt: " + ", ".join(changed) if changed else "")


def delete_income(ctx: Context, period_id: int, reason: str, *, participant_id: int | None = None) -> None:
    """Delete a period registered by mistake («Slett»). The reason is required and kept in the audit trail
    with what the period said, since the row itself is gone."""
    with ctx.transaction() as session:
        row = _period(ctx, session, period_id, participant_id)
        reason = (reason or "").strip()
        if not reason:
            raise PeriodInvalid({"reason": Text("reason_required")})
        if len(reason) > MAX_REASON:
            raise PeriodInvalid({"reason": Text("reason_too_long", length=len(reason), limit=MAX_REASON)})
        if text_problem(reason):
            raise PeriodInvalid({"reason": Text("reason_not_storable")})
        _audit(session, ctx, "income.deleted", row,
               f"{row.start.isoformat()}–{row.end.isoformat() if row.end else 'løpende'}"
               f"{' planlagt' if row.planned else ''}; grunn: {reason}")
        session.delete(row)
        session.flush()
        refresh_income(session, ctx, row.participant_id)


@dataclass(frozen=True)
class CaseLivelihood:
    """What the case page's livelihood section shows: the participant's periods, and the gaps and
    spans on social assistance only as of today."""

    case_id: int
    participant_id: int
    case_start: date
    periods: list[LivelihoodPeriod]
    gaps: list[Gap]
    fallbacks: list[Gap]
    absences: list[MonthAbsence] = dataclasses.field(default_factory=list)  # the case's months with absence (fravær)


def case_livelihood(ctx: Context, case_id: int, horizon_days: int = 90) -> CaseLivelihood:
    """The livelihood section of a case the actor sees (its participant's periods and gaps, live)."""
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)
        readlog.note(ctx, case.participant_id, case.kommune_id, "inntekt")
        found = _livelihood(session, ctx, case.participant_id, case_id, case.start_date, horizon_days)
        periods = [IncomePeriod(p.source, p.start, p.end, p.planned, p.id) for p in found.periods]
        return replace(found, absences=absence_months(session, case, periods))


def case_participant(ctx: Context, case_id: int) -> int:
    """The participant of a case the actor sees (a form on the case page changes their periods)."""
    with ctx.transaction() as session:
        return access.case(session, ctx.actor, case_id).participant_id


def participant_livelihood(ctx: Context, participant_id: int, horizon_days: int = 90) -> CaseLivelihood:
    """A participant's periods, gaps and spans on social assistance only, as of today (``case_id`` 0 and
    ``case_start`` the first period's start: the participant's view, not one case's)."""
    with ctx.transaction() as session:
        row = access.participant(session, access.reading(ctx.actor), participant_id)
        readlog.note(ctx, participant_id, row.kommune_id, "inntekt")
        return _livelihood(session, ctx, participant_id, 0, None, horizon_days)


def _livelihood(session: Session, ctx: Context, participant_id: int, case_id: int, case_start: date | None,
                horizon_days: int) -> CaseLivelihood:
    periods = list(session.exec(select(LivelihoodPeriod).where(LivelihoodPeriod.participant_id == participant_id)
                                .order_by(col(LivelihoodPeriod.start), col(LivelihoodPeriod.id))))
    gaps, fallbacks, _ = livelihood_report(session, participant_id, ctx.today(), horizon_days,
                                           periods=[IncomePeriod(p.source, p.start, p.end, p.planned, p.id)
                                                    for p in periods])
    start = case_start or (periods[0].start if periods else ctx.today())
    return CaseLivelihood(case_id, participant_id, start, periods, gaps, fallbacks)


def _audit(session: Session, ctx: Context, action: str, row: LivelihoodPeriod, detail: str = "") -> None:
    record(session, ctx, action, kommune_id=row.kommune_id, participant_id=row.participant_id,
           detail=f"periode {row.id}: {row.source}" + (f", {detail}" if detail else ""))


def periods_of(session: Session, participant_id: int) -> list[IncomePeriod]:
    """The participant's livelihood periods in the order the gap library reads them (start, then id)."""
    session.flush()
    return _periods(session.connection(), participant_id)


def _periods(connection: Connection, participant_id: int) -> list[IncomePeriod]:
    return [IncomePeriod(*row) for row in connection.execute(_PERIODS, {"id": participant_id})]


# made once, the participant as the parameter ``id`` (read on every case page and every change of income)
_PERIODS = (select(LivelihoodPeriod.source, LivelihoodPeriod.start, LivelihoodPeriod.end, LivelihoodPeriod.planned,
                   LivelihoodPeriod.id)
            .where(LivelihoodPeriod.participant_id == bindparam("id"))
            .order_by(col(LivelihoodPeriod.start), col(LivelihoodPeriod.id)))
_ACTIVE_CASES = (select(Enrolment.pathway_version_id, Enrolment.state, Enrolment.start_date, Enrolment.gap_from,
                         Enrolment.gap_to)
                 .where(Enrolment.participant_id == bindparam("id"), col(Enrolment.status).in_(ACTIVE))
                 .order_by(col(Enrolment.id)))


class StepFacts(BaseModel):
    """What :func:`step_spans` reads of a stored case state. Parsed alone it costs a tenth of the whole
    :class:`CaseState`, which the nightly check, reading every active case, needs."""

    model_config = ConfigDict(frozen=True)  # the rest of the stored state is ignored

    steps: list[str] = []
    compounds: dict[str, Any] = {}
    entered: dict[str, date] = {}
    pauses: list[Pause] = []

    @property
    def paused_since(self) -> date | None:
        return self.pauses[-1].start if self.pauses and self.pauses[-1].end is None else None


def case_spans(cases: Iterable[tuple[Definition, str]], until: date) -> list[StepSpan]:
    """The step spans of a participant's active cases, each given as its definition and stored state
    (in case id order): what the case page, ``pathways gaps`` and the nightly check explain gaps with."""
    return [span for definition, state in cases
            for span in step_spans(definition, StepFacts.model_validate_json(state), until)]


def step_spans(definition: Definition, state: CaseState | StepFacts, until: date | None = None) -> list[StepSpan]:
    """The steps a case is in, each from its entry to its expected end, with the livelihood it expects;
    and, up to ``until``, the steps its ``next`` chain is planned to reach (the course after the
    placement), so a benefit ending mid-course is seen as such."""
    pathway = definition.pathway
    placed = definition.graph.placed  # every step by id, nested ones included
    expected = definition.graph.expected_livelihood
    spans = []
    module_sets = [sid for sid in state.compounds if placed[sid].step.modules]
    for sid in [*state.steps, *module_sets]:
        start, seen = state.entered[sid], set()
        while sid not in seen:
            seen.add(sid)
            step = placed[sid].step
            end = step.duration.expected.add_to(start) if step.duration else None
            spans.append(StepSpan(sid, step.title, start, end, expected(sid)))
            following = step.next
            if until is None or end is None or end >= until or following is None or \
                    placed[following].step.kind.value in ("outcome", "parallel", "modules"):
                break
            sid, start = following, end + timedelta(days=1)
    if state.paused_since and pathway.lifecycle.pause:
        spans.append(StepSpan("permisjon", "Permisjon", state.paused_since, None,
                              tuple(s.value for s in pathway.lifecycle.pause.livelihood), pause=True))
    return spans


def participant_gaps(ctx: Context, participant_id: int, as_of: date, horizon_days: int = 90) -> list[Gap]:
    """Current and projected gaps while the participant (one the actor sees) has an active case (none
    without one)."""
    with ctx.transaction() as session:
        access.participant(session, ctx.actor, participant_id)
        return gaps_in_session(session, participant_id, as_of, horizon_days)


def _inputs(session: Session, participant_id: int, until: date, periods: list[IncomePeriod] | None = None,
            stored: set[tuple[date | None, date | None]] | None = None
            ) -> tuple[list[IncomePeriod], list[StepSpan], date] | None:
    """The periods (read unless given, in :func:`periods_of` order), the step spans of the active cases and
    the first active case's start; None without an active case. ``stored`` is given the income projections
    the active cases hold."""
    session.flush()  # what the caller added, then plain rows (Core): on every click that changes a case or income
    connection = session.connection()
    cases = connection.execute(_ACTIVE_CASES, {"id": participant_id}).all()
    if stored is not None:
        stored.update((gap_from, gap_to) for *_, gap_from, gap_to in cases)
    if not cases:
        return None
    spans = case_spans([(definition_of(session, version_id), state) for version_id, state, *_ in cases], until)
    periods = _periods(connection, participant_id) if periods is None else periods
    return periods, spans, min(start for _, _, start, *_ in cases)


def first_open_gap(gaps: Iterable[Gap], as_of: date) -> tuple[date, date | None] | None:
    """The live income projection stored on a participant's active cases: (from, to) of the first gap not
    over on ``as_of`` (to None when the look-ahead horizon cut it), or None when income is secured."""
    for gap in sorted(gaps, key=lambda g: g.start):
        if gap.end >= as_of:
            return gap.start, None if gap.open_ended else gap.end
    return None


def income_status(gap_from: date | None, gap_to: date | None, today: date) -> str | None:
    """What the caseload, the case page and the API say of a participant's income on ``today``: ``nå``
    (a gap runs), ``kommer`` (one is coming) or None (secured); from the stored projection
    (:func:`first_open_gap`) or a freshly computed one, so that every page gives the same answer."""
    if gap_from is None or (gap_to is not None and gap_to < today):
        return None
    return "nå" if gap_from <= today else "kommer"


GAP_FLAG = "inntektsgap"
GAP_CLOSED = "Inntektsgapet er dekket (lukket automatisk ved endring av livsopphold eller sak)"


def gap_flag_key(participant_id: int, gap_start: date) -> str:
    """The natural key of the nightly flag of a participant's income gap (it names the gap by its start)."""
    return f"{GAP_FLAG}:{participant_id}:{gap_start.isoformat()}"


def refresh_income(session: Session, ctx: Context, participant_id: int, horizon_days: int = 90,
                   periods: list[IncomePeriod] | None = None,
                   live_gap_flags: list[tuple[int, str, int, date | None]] | None = None) -> list[Gap]:
    """Recompute a participant's gaps as of today and store the projection on their active cases, in the
    caller's transaction: every service that changes periods or a case calls this. The live gap flags of
    gaps that are no longer there are resolved at once, so the case page's flags, the caseload and the
    worklist agree in the same request (by «system», as the nightly check would: if the gap comes back,
    the check opens the flag again). ``periods``: the participant's periods when the caller has them.
    Returns the gaps."""
    today = ctx.today()
    held: set[tuple[date | None, date | None]] = set()
    gaps = gaps_in_session(session, participant_id, today, horizon_days, periods, held)
    projection = first_open_gap(gaps, today)
    if held - {projection or (None, None)}:  # most changes leave it as the cases hold it: no statement then
        case_rows.set_gap(session, participant_id, projection)
    still = {gap_flag_key(participant_id, gap.start) for gap in gaps if gap.end >= today}
    if live_gap_flags is None:
        live_gap_flags = flag_rows.live_of_participant(session, participant_id, GAP_FLAG)
    closed = [(flag_id, kommune_id) for flag_id, key, kommune_id, due in live_gap_flags
              if key not in still and (due is None or due <= today + timedelta(days=horizon_days))]
    if closed:  # beyond the horizon computed here, only the nightly check (its own horizon) decides
        flag_rows.resolve_now(session, [flag_id for flag_id, _ in closed], "system", GAP_CLOSED, ctx.now())
        for flag_id, kommune_id in closed:
            record(session, ctx, "flag.resolved", kommune_id=kommune_id, participant_id=participant_id,
                   flag_id=flag_id, detail=f"{GAP_FLAG}, lukket automatisk: gapet er dekket")
    return gaps


def gaps_in_session(session: Session, participant_id: int, as_of: date, horizon_days: int = 90,
                    periods: list[IncomePeriod] | None = None,
                    stored: set[tuple[date | None, date | None]] | None = None) -> list[Gap]:
    found = _inputs(session, participant_id, as_of + timedelta(days=horizon_days), periods, stored)
    if found is None:
        return []
    periods, spans, active_from = found
    return income_gaps(periods, active_from=active_from, active_to=None, as_of=as_of, horizon_days=horizon_days,
                       steps=spans)


def livelihood_report(session: Session, participant_id: int, as_of: date, horizon_days: int = 90,
                      periods: list[IncomePeriod] | None = None
                      ) -> tuple[list[Gap], list[Gap], list[StepMismatch]]:
    """Gaps, spans on social assistance only (a fallback, itself a warning), and steps whose expected
    livelihood is missing, for a participant with an active case (``periods``: theirs, when read already)."""
    found = _inputs(session, participant_id, as_of + timedelta(days=horizon_days), periods)
    if found is None:
        return [], [], []
    periods, spans, active_from = found
    window = {"active_from": active_from, "active_to": None, "as_of": as_of, "horizon_days": horizon_days}
    return (income_gaps(periods, steps=spans, **window), fallback_spans(periods, steps=spans, **window),
            step_mismatches(periods, spans, as_of=as_of, horizon_days=horizon_days))


def benefit_in_force(session: Session, participant: Participant, as_of: date,
                     periods: list[IncomePeriod] | None = None) -> dict[str, Any] | None:
    """The introduksjonsstønad rate on ``as_of`` when a period of it covers that day: 2G a year from the
    G table, the under-25 rates, and the days the rate changes (25th birthday, new G) within the period
    (``periods``: the participant's, when read already)."""
    periods = [p for p in (periods_of(session, participant.id or 0) if periods is None else periods)
               if p.source == "introduksjonsstonad" and p.start <= as_of and (p.end is None or as_of <= p.end)]
    if not periods:
        return None
    g = g_table_in(session)
    rules = {"birth_date": participant.birth_date, "legal_regime": participant.legal_regime,
             "lives_with_parents": participant.lives_with_parents, "g": g}
    period = periods[0]
    return {"yearly": str(yearly_rate(as_of, **rules)), "monthly": str(monthly_amount(as_of, **rules)),
            "g": g.g_on(as_of), "period_end": period.end.isoformat() if period.end else None,
            "rate_changes": [d.isoformat() for d in rate_changes(as_of, period.end, participant.birth_date, g=g)]}


