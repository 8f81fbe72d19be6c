"""Breached deadlines that force a step (``on_breach``), performed by the nightly check.

For every active case with a breach deadline past due whose definition names an ``on_breach`` step, the
event ``frist_brudd:ID`` is recorded by ``system`` through the case service (:func:`cases.advance`), so
the move, the deadlines, the gaps and the timeline are written exactly as for any event. The engine
decides whether the deadline is really breached; it is dated the day after the due date (or the case's
last event, when that is later), so a night the check did not run changes nothing. A case already moved
for this round of the deadline is left alone: running the check twice moves nothing the second time.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from pathways.calendar import Clock, FixedClock, SystemClock
from pathways.definition.validation import BREACH_PREFIX
from pathways.engine.deadlines import case_deadlines
from pathways.engine.state import CaseState
from pathways.services import cases
from pathways.services.context import Actor, Context, ServiceError, definition_of
from pathways.services.participants import facts_of, get_participant
from pathways.store.queries import checks as store
from pathways.store.tables import Enrolment

KIND = "frist_brudd_flytt"  # in the sweep's report: the cases moved (not a flag kind)


def perform_breaches(engine: Engine, on: date, clock: Clock | None = None) -> int:
    """Record ``frist_brudd:ID`` on every active case whose deadline ID with ``on_breach`` is breached on
    ``on``; return how many cases were moved. A case the engine refuses (not breached after all, already
    moved, changed meanwhile) is left for the next night. The events are stamped at ``clock``'s time of
    day (default: the system clock) on ``on``."""
    wall = (clock or SystemClock()).now()
    ctx = Context(engine, FixedClock(datetime.combine(on, wall.time())), actor=Actor.system())  # every kommune
    moved = 0
    for case_id, key in _candidates(engine, on):
        when = _event_date(ctx, case_id, key, on)
        if when is None:
            continue
        try:
            cases.advance(ctx, case_id, BREACH_PREFIX + key, when)
        except ServiceError:
            continue
        moved += 1
    return moved


def _candidates(engine: Engine, on: date) -> list[tuple[int, str]]:
    """(case, deadline) pairs to look at: stored breach deadlines past due on active cases, of the
    versions whose definition gives that deadline an ``on_breach``."""
    with Session(engine) as session:
        connection = session.connection()
        forcing = {(vid, d.id) for vid in store.active_versions(connection)
                   for d in definition_of(session, vid).pathway.deadlines if d.on_breach}
        if not forcing:
            return []
        rows = store.breach_deadlines_passed(connection, on, sorted({key for _, key in forcing}))
    return [(case_id, key) for case_id, key, vid in rows if (vid, key) in forcing]


def _event_date(ctx: Context, case_id: int, key: str, on: date) -> date | None:
    """The day after the deadline's due date as the case has it now (or its last event, if later); None
    when it is not breached on ``on`` or was acted on already this round."""
    with ctx.transaction() as session:
        case = session.get(Enrolment, case_id)
        if case is None:
            return None
        state = CaseState.model_validate_json(case.state)
        facts = facts_of(get_participant(session, case.participant_id))
        items = case_deadlines(definition_of(session, case.pathway_version_id), state, facts, on)
    item = next((d for d in items if d.id == key and not d.recurring), None)
    if item is None or item.status != "breached" or state.recorded((BREACH_PREFIX + key,), item.anchor_date):
        return None
    return min(on, max(item.due + timedelta(days=1), state.last_event_on))
