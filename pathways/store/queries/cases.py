"""What the case page reads besides the case itself: its events, notes, flags and the participant's
livelihood periods; and the live income projection on the case rows (``gap_from``/``gap_to``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, bindparam, or_, update
from sqlmodel import Session, col, select

from pathways.engine.state import ACTIVE
from pathways.store.tables import Enrolment, Event, Flag, LivelihoodPeriod, Note

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
    (from, to; to None when it runs past the horizon), or None when income is secured."""
    session.execute(update(Enrolment).where(col(Enrolment.participant_id) == participant_id,
                                            col(Enrolment.status).in_(ACTIVE))
                    .values(gap_from=gap[0] if gap else None, gap_to=gap[1] if gap else None))


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


def stored_gaps(conn: Connection) -> dict[int, tuple[date | None, date | None]]:
    """(from, to) stored on the active cases, per participant (the nightly refresh writes only changes)."""
    return {pid: (start, end) for pid, start, end in conn.execute(
        select(Enrolment.participant_id, Enrolment.gap_from, Enrolment.gap_to)
        .where(col(Enrolment.status).in_(ACTIVE)))}
