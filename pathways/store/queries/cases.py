"""What the case page reads besides the case itself: its events, notes, flags and the participant's
livelihood periods; and the live income projection on the case rows (``gap_from``/``gap_to``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, insert, or_, update
from sqlmodel import Session, col, select

from pathways.engine.state import ACTIVE
from pathways.store.tables import Deadline, Enrolment, Event, Flag, LivelihoodPeriod, Note

# made once, the case or participant as the parameter ``id``: on every case page, building a statement and
# its cache key cost more than running it
_EVENTS = select(Event).where(Event.enrolment_id == bindparam("id")).order_by(col(Event.sequence).desc())
_NOTES = select(Note).where(Note.enrolment_id == bindparam("id")).order_by(col(Note.id).desc())
_FLAGS = select(Flag).where(Flag.enrolment_id == bindparam("id")).order_by(col(Flag.state) == "resolved",
                                                                          col(Flag.due))
_PERIODS = (select(LivelihoodPeriod).where(LivelihoodPeriod.participant_id == bindparam("id"))
            .order_by(col(LivelihoodPeriod.start)))


def events(session: Session, case_id: int) -> list[Event]:
    """The case's events, newest first."""
    return list(session.exec(_EVENTS, params={"id": case_id}))


def notes(session: Session, case_id: int) -> list[Note]:
    """The case's notes, newest first."""
    return list(session.exec(_NOTES, params={"id": case_id}))


def flags(session: Session, case_id: int) -> list[Flag]:
    """The case's flags, the live ones first, by due date."""
    return list(session.exec(_FLAGS, params={"id": case_id}))


def periods(session: Session, participant_id: int) -> list[LivelihoodPeriod]:
    return list(session.exec(_PERIODS, params={"id": participant_id}))


def set_gap(session: Session, participant_id: int, gap: tuple[date, date | None] | None) -> None:
    """Store the participant's live income projection on their active cases: the first gap not over
    (from, to; to None when it runs past the horizon), or None when income is secured. Rows that hold it
    already are not written (most changes leave it as it was)."""
    session.connection().execute(_SET_GAP, {"pid": participant_id, "g_from": gap[0] if gap else None,
                                            "g_to": gap[1] if gap else None})


# -- what recording an event writes (Core statements made once: on every click, building an ORM statement and
# synchronising the session's objects cost more than running it) ------------------------------------------

_CASE: Table = Enrolment.__table__
_EVENT: Table = Event.__table__
_DEADLINE: Table = Deadline.__table__
_SET_GAP = (update(_CASE).where(_CASE.c.participant_id == bindparam("pid"), _CASE.c.status.in_(ACTIVE),
                                or_(_CASE.c.gap_from.is_distinct_from(bindparam("g_from")),
                                    _CASE.c.gap_to.is_distinct_from(bindparam("g_to"))))
            .values(gap_from=bindparam("g_from"), gap_to=bindparam("g_to")))
_ADVANCE = (update(_CASE).where(_CASE.c.id == bindparam("b_id"), _CASE.c.version == bindparam("b_version"))
            .values(state=bindparam("b_state"), status=bindparam("b_status"), outcome=bindparam("b_outcome"),
                    ended_on=bindparam("b_ended_on"), current_steps=bindparam("b_steps"),
                    version=bindparam("b_version") + 1, updated_at=bindparam("b_now"),
                    next_due=bindparam("b_next_due")))
_ADD_EVENT = insert(_EVENT).returning(_EVENT.c.id)
_DROP_DEADLINES = delete(_DEADLINE).where(_DEADLINE.c.enrolment_id == bindparam("b_case"),
                                          _DEADLINE.c.key.in_(bindparam("b_keys", expanding=True)))
_DEADLINE_COLUMNS = ("title", "kind", "recurring", "anchor_date", "due", "status", "met_on")
_CHANGE_DEADLINE = (update(_DEADLINE).where(_DEADLINE.c.enrolment_id == bindparam("b_case"),
                                            _DEADLINE.c.key == bindparam("b_key"))
                    .values({c: bindparam(f"b_{c}") for c in _DEADLINE_COLUMNS}))
_ADD_DEADLINES = insert(_DEADLINE)


def advance_row(conn: Connection, case_id: int, version: int, values: dict[str, Any]) -> bool:
    """Write a case's new state (``values``: state, status, outcome, ended_on, steps, now, next_due) when it
    is still at ``version``, and step its version; False when someone changed it meanwhile."""
    return conn.execute(_ADVANCE, {"b_id": case_id, "b_version": version,
                                   **{f"b_{k}": v for k, v in values.items()}}).rowcount == 1


def add_event(conn: Connection, values: dict[str, Any]) -> int:
    """Insert an event row (its columns as ``values``); its id."""
    return int(conn.execute(_ADD_EVENT, values).scalar_one())


def sync_deadlines(conn: Connection, case_id: int, gone: Sequence[str], changed: Sequence[dict[str, Any]],
                   added: Sequence[dict[str, Any]]) -> None:
    """Delete the case's deadlines ``gone`` (keys), rewrite the ``changed`` rows and insert the ``added``
    ones (rows as :func:`pathways.services.cases.deadline_row` makes them)."""
    if gone:
        conn.execute(_DROP_DEADLINES, {"b_case": case_id, "b_keys": list(gone)})
    if changed:
        conn.execute(_CHANGE_DEADLINE, [{"b_case": case_id, "b_key": row["key"],
                                         **{f"b_{c}": row[c] for c in _DEADLINE_COLUMNS}} for row in changed])
    if added:
        conn.execute(_ADD_DEADLINES, list(added))


def set_gaps(conn: Connection, rows: Sequence[tuple[int, date | None, date | None]]) -> int:
    """Store the income projection of many participants at once ((participant, from, to) each) on their
    active cases, in one batch; return how many participants were given."""
    if rows:
        conn.execute(
            update(Enrolment).where(col(Enrolment.participant_id) == bindparam("pid"),  # no IN: executemany
                                    or_(*[col(Enrolment.status) == status for status in ACTIVE]))
            .values(gap_from=bindparam("g_from"), gap_to=bindparam("g_to")),
            [{"pid": pid, "g_from": start, "g_to": end} for pid, start, end in rows])
    return len(rows)
