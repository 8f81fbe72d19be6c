"""The hand-offs' queries: one hand-off with its checklist, the hand-offs a scope lets through (an inbox,
an outbox, a case's), and who is responsible for a page of cases by an accepted hand-off in force."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, Select, bindparam, exists
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from pathways.store.tables import Enrolment, Handoff, HandoffItem, Participant, Unit, User

_FROM, _TO = aliased(Unit, name="from_unit"), aliased(Unit, name="to_unit")  # made once: aliasing is slow


def items(session: Session, handoff_ids: Sequence[int]) -> dict[int, list[HandoffItem]]:
    """hand-off id → its checklist, in the order it was made."""
    found: dict[int, list[HandoffItem]] = {i: [] for i in handoff_ids}
    if handoff_ids:
        for item in session.exec(select(HandoffItem).where(col(HandoffItem.handoff_id).in_(list(handoff_ids)))
                                 .order_by(col(HandoffItem.id))):
            found[item.handoff_id].append(item)
    return found


def listing(conditions: Sequence[Any], limit: int = 500) -> Select[Any]:
    """The statement of :func:`listed`."""
    return (select(Handoff, _FROM, _TO, Enrolment, Participant)
            .join(_FROM, col(_FROM.id) == col(Handoff.from_unit_id))
            .join(_TO, col(_TO.id) == col(Handoff.to_unit_id))
            .join(Enrolment, col(Enrolment.id) == col(Handoff.enrolment_id))
            .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
            .where(*conditions).order_by(col(Handoff.id).desc()).limit(limit))


def listed(session: Session, conditions: Sequence[Any], limit: int = 500
           ) -> list[tuple[Handoff, Unit, Unit, Enrolment, Participant]]:
    """The hand-offs ``conditions`` (on Handoff, Enrolment) let through with their units, case and
    participant, the newest first."""
    return list(session.exec(listing(conditions, limit)).all())


# made once (read on every case page): a case's hand-offs, the case as the parameter ``case``; most cases
# have none, which one index lookup tells before the entities are read
OF_CASE = listing([col(Handoff.enrolment_id) == bindparam("case")])
_ANY_OF_CASE = select(Handoff.id).where(col(Handoff.enrolment_id) == bindparam("case")).limit(1)


def of_case(session: Session, case_id: int) -> list[tuple[Handoff, Unit, Unit, Enrolment, Participant]]:
    """The case's hand-offs, as :func:`listed` (by statements made once)."""
    if session.connection().execute(_ANY_OF_CASE, {"case": case_id}).first() is None:
        return []
    return [tuple(row) for row in session.execute(OF_CASE, {"case": case_id}).all()]


def pending_of(session: Session, case_id: int) -> Handoff | None:
    """The case's hand-off waiting for its receiver, if any."""
    return session.exec(select(Handoff).where(Handoff.enrolment_id == case_id, Handoff.status == "pending")).first()


def from_elsewhere(unit_id: Any, kommune_id: Any) -> Any:
    """Whether a hand-off of another kommune's case to the unit is pending or accepted (the unit is then a
    receiver beside its own kommune's caseload: :func:`pathways.services.access.receives`), as a scalar
    EXISTS (one lookup on the inbox index)."""
    return exists().where(col(Handoff.to_unit_id) == unit_id, col(Handoff.status).in_(("pending", "accepted")),
                          col(Handoff.kommune_id) != kommune_id)


def receives_elsewhere(session: Session, unit_id: int | None, kommune_id: int) -> bool:
    return unit_id is not None and bool(session.execute(select(from_elsewhere(unit_id, kommune_id))).scalar())


def members(session: Session, unit_id: int) -> list[User]:
    """The active users of a unit, by name."""
    return list(session.exec(select(User).where(User.unit_id == unit_id, col(User.active).is_(True))
                             .order_by(col(User.name))))


# made once (read on every case page and caseload page): the accepted hand-offs in force on ``today``
_IN_FORCE = (select(Handoff.enrolment_id, Handoff.responsible, Handoff.planned_on, User.name, Unit.name,
                    Handoff.to_unit_id)
             .join(Unit, col(Unit.id) == col(Handoff.to_unit_id))
             .outerjoin(User, col(User.username) == col(Handoff.responsible))
             .where(col(Handoff.enrolment_id).in_(bindparam("cases", expanding=True)), Handoff.status == "accepted",
                    col(Handoff.planned_on) <= bindparam("today", type_=Date))
             .order_by(col(Handoff.planned_on), col(Handoff.id)))


def responsible(session: Session, case_ids: Sequence[int], today: date
                ) -> dict[int, tuple[str, str | None, str, date, int]]:
    """case id → (username, full name, unit name, since, unit id) of whoever an accepted hand-off in force
    made responsible for it (the latest one), for a page of cases in one query."""
    if not case_ids:
        return {}
    rows = session.execute(_IN_FORCE, {"cases": sorted(set(case_ids)), "today": today}).all()
    return {case: (username, name, unit, since, unit_id) for case, username, since, name, unit, unit_id in rows}
