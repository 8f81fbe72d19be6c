"""Cases (enrolments): enrol, record events, show, rebuild. One transaction per call.

Every change goes through the pure engine and is written as an event row plus the new projection of
the case (state, current steps, deadlines), guarded by the case's ``version``: a concurrent change
makes the second writer fail with :class:`Conflict` and nothing of it is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pathways.definition.loader import Definition
from pathways.engine import machine
from pathways.engine.deadlines import DueItem, case_deadlines, next_due
from pathways.engine.machine import AllowedEvent, Effect, EngineError, EventInput, InputError, Refused, Result
from pathways.engine.migration import MIGRATION_EVENT, replay_migration
from pathways.engine.state import ACTIVE, CaseState
from pathways.engine.state import Participant as Facts
from pathways.messages import text_of
from pathways.services import access, readlog
from pathways.services.context import (
    Actor,
    Conflict,
    Context,
    NotFound,
    ServiceError,
    checked_date,
    checked_text,
    definition_of,
    dumps,
)
from pathways.services.livelihood import (
    GAP_FLAG,
    benefit_in_force,
    first_open_gap,
    income_status,
    livelihood_report,
    periods_of,
    refresh_income,
)
from pathways.services.participants import facts_of, get_participant
from pathways.services.publishing import latest_version
from pathways.store.queries import cases as case_rows
from pathways.store.queries import flags as flag_rows
from pathways.store.queries import handoffs as handoff_rows
from pathways.store.queries import units as unit_rows
from pathways.store.tables import Enrolment, Event, Participant

START_EVENT = "innmelding"  # sequence 0: the enrolment itself
_MAX_AHEAD = timedelta(days=366)


@dataclass
class CaseView:
    """What ``show`` returns: where the case is, what may happen now, what is due, and the income gaps."""

    id: int
    participant_id: int
    pathway_id: str
    pathway_version: int
    version: int  # the case's version, for optimistic locking (send it back with the next change)
    status: str
    start_date: date
    steps: list[dict[str, str]]
    allowed: list[AllowedEvent]
    deadlines: list[DueItem]
    gaps: list[Any] = field(default_factory=list)
    fallbacks: list[Any] = field(default_factory=list)  # spans covered by social assistance only
    mismatches: list[Any] = field(default_factory=list)  # steps whose expected livelihood is missing
    benefit: dict[str, Any] | None = None  # introduksjonsstønad in force, when the participant has it
    outcome: str | None = None
    ended_on: date | None = None
    counters: dict[str, float] = field(default_factory=dict)
    income_gap: str | None = None  # "nå" | "kommer" | None: what the caseload says too (livelihood.income_status)
    responsible: dict[str, str | None] | None = None  # «ansvarlig nå»: {name, username, unit}; None: no caseworker
    status_only: bool = False  # the actor does not work the case (access.works): its status and dates, no more

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "participant_id": self.participant_id, "pathway": self.pathway_id,
            "pathway_version": self.pathway_version, "case_version": self.version, "status": self.status,
            "start_date": self.start_date.isoformat(),
            "steps": self.steps, "outcome": self.outcome,
            "ended_on": self.ended_on.isoformat() if self.ended_on else None, "counters": self.counters,
            "allowed_events": [{"event": a.event, "title": a.title, "steps": list(a.steps),
                                "fields": [{"name": f.name, "title": f.title, "type": f.type, "required": f.required,
                                            **({"values": list(f.values)} if f.values else {})} for f in a.fields]}
                               for a in self.allowed],
            "deadlines": [d.as_json() for d in self.deadlines],
            "gaps": [gap_json(g) for g in self.gaps],
            "social_assistance_only": [gap_json(g) for g in self.fallbacks],
            "step_livelihood_mismatches": [
                {"step": m.step_id, "start": m.start.isoformat(), "end": m.end.isoformat(), "days": m.days,
                 "open_ended": m.open_ended, "kind": m.kind, "expected": list(m.expected), "present": list(m.present),
                 "reason": m.reason}
                for m in self.mismatches],
            "introduksjonsstonad": self.benefit,
            "income_gap": self.income_gap,
            "responsible": self.responsible,
            "status_only": self.status_only,
        }


def gap_json(gap: Any) -> dict[str, Any]:
    """A gap as the API and ``--json`` give it. ``open_ended``: the look-ahead horizon cut it, so ``end`` is
    the last day looked at and ``days`` a minimum, not its real end and length."""
    return {"start": gap.start.isoformat(), "end": gap.end.isoformat(), "days": gap.days,
            "open_ended": gap.open_ended, "kind": gap.kind, "reason": gap.reason, "trigger": gap.trigger}


@dataclass(frozen=True)
class Advanced:
    case_id: int
    event_id: int
    sequence: int
    state: CaseState
    moved: tuple[tuple[str, str], ...]
    new_cases: tuple[int, ...]
    gaps: tuple[Any, ...] = ()  # the participant's income gaps after the change, as of today
    effects: tuple[Effect, ...] = ()  # what the event caused besides moving (certificates, hand-offs)
    moved_titles: tuple[tuple[str, str], ...] = ()  # ``moved`` by the steps' titles


# -- enrol -------------------------------------------------------------------------------------


def enrol(ctx: Context, participant_id: int, pathway_id: str, start: date, caseworker: str | None = None) -> int:
    """Start a participant (one the actor sees) on the newest published version of a pathway; returns the
    case id."""
    checked_date(start, "start")
    access.writing(ctx.actor)
    with ctx.transaction() as session:
        participant = access.participant(session, ctx.actor, participant_id)
        case_id = _enrol(ctx, session, participant, pathway_id, start, parent_id=None, caseworker=caseworker)
        refresh_income(session, ctx, participant_id)
        return case_id


def _enrol(ctx: Context, session: Session, participant: Participant, pathway_id: str, start: date,
           parent_id: int | None, caseworker: str | None = None,
           parent: tuple[Definition, CaseState] | None = None) -> int:
    """Enrol; ``parent``: the definition and state of the case handing over, whose evidence comes along."""
    version = latest_version(session, pathway_id)
    definition = definition_of(session, version.id or 0)
    facts = facts_of(participant)
    if start > ctx.today() + _MAX_AHEAD:
        raise ServiceError("start_too_far_ahead", "start", start=start)
    carried = machine.carried_evidence(parent[0], parent[1], definition) if parent is not None else {}
    try:
        result = machine.start(definition, facts, start, carried)
    except Refused as exc:
        raise ServiceError(text_of(exc), "participant") from None
    now = ctx.now()
    deadlines = case_deadlines(definition, result.state, facts, ctx.today())
    case = Enrolment(participant_id=participant.id or 0, kommune_id=participant.kommune_id,
                     pathway_version_id=version.id or 0, pathway_id=pathway_id, status=result.state.status,
                     start_date=start, current_steps=",".join(result.state.steps + list(result.state.compounds)),
                     state=result.state.model_dump_json(), parent_id=parent_id, updated_at=now,
                     caseworker=(caseworker or "").strip() or None, next_due=next_due(deadlines))
    session.add(case)
    session.flush()
    assert case.id is not None
    session.add(Event(enrolment_id=case.id, sequence=0, name=START_EVENT, effective_on=start,
                      values=dumps({"carried": carried}) if carried else "{}",
                      facts=facts.model_dump_json(), recorded_at=now, recorded_by=ctx.actor.name))
    _sync_deadlines(session, case, [], deadlines)
    return case.id


# -- advance -----------------------------------------------------------------------------------


def advance(ctx: Context, case_id: int, event: str, on: date, values: dict[str, Any] | None = None, *,
            step: str | None = None, expected_version: int | None = None) -> Advanced:
    """Record an event on a case the actor sees. Raises InputError/Refused (via ServiceError), Forbidden,
    NotFound or Conflict."""
    checked_date(on, "on")
    for key, value in (("event", event), ("step", step), *(values or {}).items()):
        checked_text(value, key)
    statement = _changed_case(ctx.actor, ctx.actor.today())
    try:
        with ctx.transaction() as session:
            found = session.exec(statement, params={"case_id": case_id}).first()
            if found is None:
                access.worked_case(session, ctx.actor, case_id)  # raises: not found, or not theirs to change
                raise NotFound("no_case", "case", id=case_id)
            case, participant = found
            if expected_version is not None and case.version != expected_version:
                raise Conflict("case_changed_version", id=case_id, version=case.version, expected=expected_version)
            definition = definition_of(session, case.pathway_version_id)
            state = CaseState.model_validate_json(case.state)
            facts = facts_of(participant)
            try:
                result = machine.apply(definition, state, facts, EventInput(event, on, values or {}, step), ctx.today())
            except InputError as exc:  # the cause keeps every field's problem for the dashboard
                raise ServiceError(text_of(exc), exc.field) from exc
            except EngineError as exc:  # the cause keeps the guard reports for the dashboard
                raise ServiceError(text_of(exc), None) from exc
            return _record(ctx, session, case, participant, definition, facts, state, result, event, on, step)
    except IntegrityError:
        raise Conflict("case_changed_meanwhile", id=case_id) from None


@lru_cache(maxsize=1024)
def _changed_case(actor: Actor, today: date) -> Any:
    """The statement that reads a case the actor may change, and its participant (``case_id`` its parameter),
    for an actor on a day (the covers in force are the day's), made once: building it and its cache key cost
    more than running it."""
    return (select(Enrolment, Participant).join(Participant, col(Participant.id) == col(Enrolment.participant_id))
            .where(Enrolment.id == bindparam("case_id"), *access.changing(actor)))


def _record(ctx: Context, session: Session, case: Enrolment, participant: Participant, definition: Definition,
            facts: Facts, previous: CaseState, result: Result, event: str, on: date, step: str | None) -> Advanced:
    state = result.state
    now = ctx.now()
    today = ctx.today()
    after = case_deadlines(definition, state, facts, today)
    connection = session.connection()  # Core statements made once (store.queries.cases): the hot path of a click
    if not case_rows.advance_row(connection, case.id or 0, case.version, {
            "state": state.model_dump_json(), "status": state.status, "outcome": state.outcome,
            "ended_on": state.ended_on, "steps": ",".join(state.steps + list(state.compounds)), "now": now,
            "next_due": next_due(after)}):
        raise Conflict("case_changed", id=case.id)
    event_id = case_rows.add_event(connection, {
        "enrolment_id": case.id, "sequence": state.sequence, "name": event, "effective_on": on, "step": step,
        "values": dumps(result.values), "facts": facts.model_dump_json(), "recorded_at": now,
        "recorded_by": ctx.actor.name})
    if result.participant_updates:  # a recorded test result becomes the participant's level
        session.execute(update(Participant).where(col(Participant.id) == participant.id).values(
            **result.participant_updates, version=participant.version + 1))
        session.refresh(participant)
    _sync_deadlines(session, case, case_deadlines(definition, previous, facts, today), after)
    live = flag_rows.live_of_cases(session, participant.id or 0)  # once for the deadline and the gap flags
    _resolve_deadline_flags(ctx, session, case, state, after, now,
                            [(f.id, f.natural_key) for f in live if f.case_id == case.id and f.kind in DEADLINE_FLAGS])
    new_cases = []
    for effect in result.effects:
        if effect.kind == "enrol":
            new_cases.append(_enrol(ctx, session, participant, effect.data["pathway"], on, parent_id=case.id,
                                    caseworker=case.caseworker, parent=(definition, state)))
    gaps = refresh_income(session, ctx, participant.id or 0,  # the caseload's income column, now
                          live_gap_flags=[(f.id, f.natural_key, f.kommune_id, f.due) for f in live
                                          if f.participant_id == participant.id and f.kind == GAP_FLAG])
    steps = definition.pathway.all_steps()
    titles = tuple((steps[a].title if a in steps else a, steps[b].title if b in steps else b) for a, b in result.moved)
    return Advanced(case.id or 0, event_id, state.sequence, state, result.moved, tuple(new_cases), tuple(gaps),
                    result.effects, titles)


def record_handoff_step(ctx: Context, session: Session, case: Enrolment, event: str, values: dict[str, Any]) -> int:
    """Record a step of a hand-off (an event that moves nothing: ``machine.HANDOFF_EVENTS``) on ``case``,
    dated today, in the caller's transaction; the case's version guards it like every change (Conflict when
    someone changed the case meanwhile). Returns the event's id."""
    participant = get_participant(session, case.participant_id)
    facts = facts_of(participant)
    state = CaseState.model_validate_json(case.state)
    today = ctx.today()
    try:
        result = machine.apply(definition_of(session, case.pathway_version_id), state, facts,
                               EventInput(event, today, values), today)
    except InputError as exc:
        raise ServiceError(text_of(exc), exc.field) from exc
    now = ctx.now()
    changed = session.execute(
        update(Enrolment).where(col(Enrolment.id) == case.id, col(Enrolment.version) == case.version).values(
            state=result.state.model_dump_json(), version=case.version + 1, updated_at=now))
    if changed.rowcount != 1:
        raise Conflict("case_changed", id=case.id)
    case.version += 1
    case.state = result.state.model_dump_json()
    return int(session.execute(insert(Event).values(
        enrolment_id=case.id, sequence=result.state.sequence, name=event, effective_on=today,
        values=dumps(result.values), facts=facts.model_dump_json(), recorded_at=now, recorded_by=ctx.actor.name,
    ).returning(col(Event.id))).scalar_one())


def _sync_deadlines(session: Session, case: Enrolment, before: list[DueItem], after: list[DueItem]) -> None:
    """Bring the stored deadlines of a case from ``before`` to ``after``, touching only the rows that change
    (the case's ``next_due`` is written with its state)."""
    old, new = {i.id: i for i in before}, {i.id: i for i in after}
    case_id = case.id or 0
    case_rows.sync_deadlines(
        session.connection(), case_id, [key for key in old if key not in new],
        [deadline_row(case_id, case.kommune_id, item) for key, item in new.items() if key in old and old[key] != item],
        [deadline_row(case_id, case.kommune_id, item) for key, item in new.items() if key not in old])


DEADLINE_FLAGS = ("frist_paminnelse", "frist_nar", "frist_brudd", "oppfolging_forfalt")


def _resolve_deadline_flags(ctx: Context, session: Session, case: Enrolment, state: CaseState, after: list[DueItem],
                            now: datetime, live: list[tuple[int, str]]) -> None:
    """Resolve at once the deadline flags of this case (``live``: their ids and keys) whose deadline the event
    met, waived or removed (the nightly check would resolve them too; staff should see it when they record
    the event)."""
    still_due = {(i.id, i.due.isoformat()) for i in after if i.status in ("open", "breached")}
    ended = state.status not in ACTIVE
    done = [fid for fid, key in live if ended or tuple(key.split(":", 2)[2].rsplit(":", 1)) not in still_due]
    flag_rows.resolve_now(session, done, ctx.actor.name, "Fristen er oppfylt eller bortfalt (registrert hendelse)",
                          now)


def deadline_row(case_id: int, kommune_id: int, item: DueItem) -> dict[str, Any]:
    """The stored row of one deadline of a case (every writer of the deadline table uses this)."""
    return {"enrolment_id": case_id, "kommune_id": kommune_id, "key": item.id, "title": item.title[:300],
            "kind": item.kind, "recurring": item.recurring, "anchor_date": item.anchor_date, "due": item.due,
            "status": item.status, "met_on": item.met_on}


# -- lifecycle shortcuts -----------------------------------------------------------------------


def pause(ctx: Context, case_id: int, on: date, reason: str) -> Advanced:
    return advance(ctx, case_id, "permisjon", on, {"arsak": reason})


def resume(ctx: Context, case_id: int, on: date) -> Advanced:
    return advance(ctx, case_id, "gjenoppta", on)


def discontinue(ctx: Context, case_id: int, on: date, values: dict[str, Any] | None = None) -> Advanced:
    return advance(ctx, case_id, "avbrudd", on, values)


def transfer(ctx: Context, case_id: int, on: date, values: dict[str, Any] | None = None) -> Advanced:
    return advance(ctx, case_id, "overforing", on, values)


# -- reading -----------------------------------------------------------------------------------


def show(ctx: Context, case_id: int, as_of: date | None = None, horizon_days: int = 90) -> CaseView:
    as_of = as_of or ctx.today()
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)
        readlog.note(ctx, case.participant_id, case.kommune_id, "sak")
        definition = definition_of(session, case.pathway_version_id)
        state = CaseState.model_validate_json(case.state)
        participant = get_participant(session, case.participant_id)
        facts = facts_of(participant)
        steps = definition.pathway.all_steps()
        # the sending side after a hand-off in force, a receiving unit before: where the case is and its dates;
        # not what may be recorded, the amounts paid, the counters or the steps' livelihood
        working = access.works(session, ctx.actor, case_id)
        view = CaseView(
            id=case.id or 0, participant_id=case.participant_id, pathway_id=case.pathway_id,
            pathway_version=definition.pathway.version, version=case.version, status=case.status,
            start_date=case.start_date,
            steps=[{"id": s, "title": steps[s].title, "since": state.entered[s].isoformat()}
                   for s in state.steps + list(state.compounds)],
            allowed=machine.allowed_events(definition, state) if working else [],
            deadlines=case_deadlines(definition, state, facts, as_of),
            outcome=state.outcome, ended_on=state.ended_on, counters=state.counters if working else {},
            status_only=not working)
        periods = periods_of(session, case.participant_id)
        view.gaps, fallbacks, mismatches = livelihood_report(session, case.participant_id, as_of, horizon_days,
                                                             periods)
        if working:
            view.fallbacks, view.mismatches = fallbacks, mismatches
            view.benefit = benefit_in_force(session, participant, as_of, periods)
        view.responsible = responsible_now(session, case, ctx.today())
        view.income_gap = income_status(*(first_open_gap(view.gaps, as_of) or (None, None)), as_of) \
            if state.status in ACTIVE else None
    return view


def responsible_now(session: Session, case: Enrolment, today: date) -> dict[str, str | None] | None:
    """«Ansvarlig nå»: whom an accepted hand-off in force made responsible (from its planned date), else the
    caseworker: full name, username and unit (name and unit None when the username is no account's), or
    None for a case without either. ``since``: the planned date of the hand-off, when it is one."""
    handed = handoff_rows.responsible(session, [case.id or 0], today).get(case.id or 0)
    if handed is not None:
        return {"name": handed[1], "username": handed[0], "unit": handed[2], "since": handed[3].isoformat()}
    caseworker = case.caseworker
    if not caseworker:
        return None
    full, place = unit_rows.responsible(session, [caseworker]).get(caseworker, (None, None))
    return {"name": full, "username": caseworker, "unit": place}


def events_of(session: Session, case_id: int) -> list[Event]:
    return list(session.exec(select(Event).where(Event.enrolment_id == case_id).order_by(col(Event.sequence))))


def rebuild(ctx: Context, case_id: int) -> CaseState:
    """The case rebuilt from its events alone (each with the participant facts it was recorded with),
    through every version it was migrated between (a migration event names the versions)."""
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)
        events = events_of(session, case_id)
        definitions = {vid: definition_of(session, vid) for vid in versions_of(case.pathway_version_id, events)}
    return replayed(events, definitions, case.pathway_version_id)


def versions_of(current: int, events: list[Event]) -> set[int]:
    """The pathway versions a case's events were recorded under: its own, and those it was migrated between."""
    moves = [json.loads(e.values) for e in events if e.name == MIGRATION_EVENT]
    return {current, *(m["from_version_id"] for m in moves), *(m["to_version_id"] for m in moves)}


def replayed(events: list[Event], definitions: dict[int, Definition], current: int) -> CaseState:
    """The state ``events`` (one case's, in order) lead to, replayed through ``definitions`` (by version id,
    :func:`versions_of`); ``current`` is the case's version now (its first, when it was never migrated)."""
    moves = [json.loads(e.values) for e in events if e.name == MIGRATION_EVENT]
    definition = definitions[moves[0]["from_version_id"] if moves else current]
    first = events[0]
    state = machine.start(definition, Facts.model_validate_json(first.facts), first.effective_on,
                          json.loads(first.values or "{}").get("carried")).state
    for e in events[1:]:
        values = json.loads(e.values)
        if e.name == MIGRATION_EVENT:
            definition = definitions[values["to_version_id"]]
            state = replay_migration(state, definition, values, e.effective_on, e.sequence)
        else:
            state = machine.apply(definition, state, Facts.model_validate_json(e.facts),
                                  EventInput(e.name, e.effective_on, values, e.step), today=e.effective_on).state
    return state


def stored_state(ctx: Context, case_id: int) -> CaseState:
    with ctx.transaction() as session:
        return CaseState.model_validate_json(access.case(session, ctx.actor, case_id).state)
