"""Livelihood periods (inntektskilder) and income-securing gaps for participants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlmodel import Session, col, select

from pathways.definition.loader import Definition
from pathways.definition.schema import Livelihood
from pathways.engine.state import ACTIVE, CaseState, Pause
from pathways.income.gaps import (
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
from pathways.services import access
from pathways.services.context import Context, ServiceError, checked_date, definition_of
from pathways.services.grunnbelop import g_table_in
from pathways.store.queries import cases as case_rows
from pathways.store.tables import Enrolment, LivelihoodPeriod, Participant


def add_income(ctx: Context, participant_id: int, source: str, start: date, end: date | None = None, *,
               planned: bool = False, amount_basis: str | None = None) -> int:
    """Register a livelihood period of a participant the actor sees; returns its id."""
    sources = [s.value for s in Livelihood]
    if source not in sources:
        from pathways.definition.problems import did_you_mean
        raise ServiceError("unknown_source", "source", source=source,
                           hint=did_you_mean(source, sources) or Text("sources_are", sources=list(sources)))
    checked_date(start, "from")
    if end is not None:
        checked_date(end, "to")
    if end is not None and end < start:
        raise ServiceError("period_ends_before_start", "to", end=end, start=start)
    access.writing(ctx.actor)
    with ctx.transaction() as session:
        participant = access.participant(session, ctx.actor, participant_id)
        row = LivelihoodPeriod(participant_id=participant_id, kommune_id=participant.kommune_id, source=source,
                               start=start, end=end, planned=planned, amount_basis=amount_basis,
                               created_at=ctx.now())
        session.add(row)
        session.flush()
        assert row.id is not None
        refresh_income(session, participant_id, ctx.today())
        return row.id


def end_income(ctx: Context, period_id: int, end: date, *, planned: bool | None = None) -> None:
    """Set (or move) the end of a livelihood period of a participant the actor sees."""
    checked_date(end, "to")
    access.writing(ctx.actor)
    with ctx.transaction() as session:
        row = access.period(session, ctx.actor, period_id)
        if end < row.start:
            raise ServiceError("period_ends_before_start", "to", end=end, start=row.start)
        row.end = end
        if planned is not None:
            row.planned = planned
        session.add(row)
        session.flush()
        refresh_income(session, row.participant_id, ctx.today())


def periods_of(session: Session, participant_id: int) -> list[IncomePeriod]:
    """The participant's livelihood periods in the order the gap library reads them (start, then id)."""
    rows = session.execute(select(LivelihoodPeriod.source, LivelihoodPeriod.start, LivelihoodPeriod.end,
                                  LivelihoodPeriod.planned, LivelihoodPeriod.id)
                           .where(LivelihoodPeriod.participant_id == participant_id)
                           .order_by(col(LivelihoodPeriod.start), col(LivelihoodPeriod.id)))
    return [IncomePeriod(*row) for row in rows]


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


def _inputs(session: Session, participant_id: int, until: date
            ) -> tuple[list[IncomePeriod], list[StepSpan], date] | None:
    cases = session.execute(select(Enrolment.pathway_version_id, Enrolment.state, Enrolment.start_date)
                            .where(Enrolment.participant_id == participant_id, col(Enrolment.status).in_(ACTIVE))
                            .order_by(col(Enrolment.id))).all()
    if not cases:
        return None
    spans = case_spans([(definition_of(session, version_id), state) for version_id, state, _ in cases], until)
    return periods_of(session, participant_id), spans, min(start for _, _, start in cases)


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


def refresh_income(session: Session, participant_id: int, today: date) -> list[Gap]:
    """Recompute a participant's gaps as of ``today`` and store the projection on their active cases, in
    the caller's transaction: every service that changes periods or a case calls this. Returns the gaps."""
    gaps = gaps_in_session(session, participant_id, today)
    case_rows.set_gap(session, participant_id, first_open_gap(gaps, today))
    return gaps


def gaps_in_session(session: Session, participant_id: int, as_of: date, horizon_days: int = 90) -> list[Gap]:
    found = _inputs(session, participant_id, as_of + timedelta(days=horizon_days))
    if found is None:
        return []
    periods, spans, active_from = found
    return income_gaps(periods, active_from=active_from, active_to=None, as_of=as_of, horizon_days=horizon_days,
                       steps=spans)


def livelihood_report(session: Session, participant_id: int, as_of: date, horizon_days: int = 90
                      ) -> tuple[list[Gap], list[Gap], list[StepMismatch]]:
    """Gaps, spans on social assistance only (a fallback, itself a warning), and steps whose expected
    livelihood is missing, for a participant with an active case."""
    found = _inputs(session, participant_id, as_of + timedelta(days=horizon_days))
    if found is None:
        return [], [], []
    periods, spans, active_from = found
    window = {"active_from": active_from, "active_to": None, "as_of": as_of, "horizon_days": horizon_days}
    return (income_gaps(periods, steps=spans, **window), fallback_spans(periods, steps=spans, **window),
            step_mismatches(periods, spans, as_of=as_of, horizon_days=horizon_days))


def benefit_in_force(session: Session, participant: Participant, as_of: date) -> dict[str, Any] | None:
    """The introduksjonsstønad rate on ``as_of`` when a period of it covers that day: 2G a year from the
    G table, the under-25 rates, and the days the rate changes (25th birthday, new G) within the period."""
    periods = [p for p in periods_of(session, participant.id or 0)
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


