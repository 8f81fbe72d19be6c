"""Every row the store keeps about one participant, table by table: what their right of access (innsyn,
:mod:`pathways.services.innsyn`) shows them.

One statement per table whatever the number of cases and events, each through an index: the cases by
``participant_id``, what hangs on a case by ``enrolment_id`` among the cases' ids, the livelihood, absence
and audit rows by ``participant_id``. Flags have no index of their own on the participant: they are looked
up within the participant's kommune (``ix_flag_kommune_state``), those of the cases and those about the
person alone (a missing vedtak before any case).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_
from sqlmodel import Session, col, select

from pathways.store.tables import (
    Absence,
    AuditEntry,
    Deadline,
    Enrolment,
    Event,
    Flag,
    Handoff,
    HandoffItem,
    LivelihoodPeriod,
    Note,
    Task,
    Unit,
    User,
)


@dataclass
class Kept:
    """The rows, each list in the order a reader follows: cases by id, events by case and sequence, the
    rest by date."""

    cases: list[Enrolment] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    handoffs: list[Handoff] = field(default_factory=list)
    items: list[HandoffItem] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    absence: list[Absence] = field(default_factory=list)
    periods: list[LivelihoodPeriod] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)


def kept(session: Session, participant_id: int, kommune_id: int) -> Kept:
    """Everything about the participant ``participant_id`` of ``kommune_id`` (no access check: the caller
    has made it)."""
    found = Kept()
    found.cases = list(session.exec(select(Enrolment).where(Enrolment.participant_id == participant_id)
                                    .order_by(col(Enrolment.id))))
    ids = [c.id for c in found.cases]
    if ids:
        found.events = list(session.exec(select(Event).where(col(Event.enrolment_id).in_(ids))
                                         .order_by(col(Event.enrolment_id), col(Event.sequence))))
        found.deadlines = list(session.exec(select(Deadline).where(col(Deadline.enrolment_id).in_(ids))
                                            .order_by(col(Deadline.enrolment_id), col(Deadline.due),
                                                      col(Deadline.key))))
        found.notes = list(session.exec(select(Note).where(col(Note.enrolment_id).in_(ids))
                                        .order_by(col(Note.enrolment_id), col(Note.created_at), col(Note.id))))
        found.handoffs = list(session.exec(select(Handoff).where(col(Handoff.enrolment_id).in_(ids))
                                           .order_by(col(Handoff.enrolment_id), col(Handoff.id))))
        found.tasks = list(session.exec(select(Task).where(col(Task.enrolment_id).in_(ids))
                                        .order_by(col(Task.enrolment_id), col(Task.due), col(Task.id))))
    if found.handoffs:
        found.items = list(session.exec(select(HandoffItem).where(
            col(HandoffItem.handoff_id).in_([h.id for h in found.handoffs]))
            .order_by(col(HandoffItem.handoff_id), col(HandoffItem.id))))
    found.absence = list(session.exec(select(Absence).where(Absence.participant_id == participant_id)
                                      .order_by(col(Absence.month), col(Absence.approved).desc())))
    found.periods = list(session.exec(select(LivelihoodPeriod).where(LivelihoodPeriod.participant_id == participant_id)
                                      .order_by(col(LivelihoodPeriod.start), col(LivelihoodPeriod.id))))
    about = [col(Flag.participant_id) == participant_id] + ([col(Flag.enrolment_id).in_(ids)] if ids else [])
    found.flags = list(session.exec(select(Flag).where(Flag.kommune_id == kommune_id, or_(*about))
                                    .order_by(col(Flag.created_at), col(Flag.id))))
    found.audit = list(session.exec(select(AuditEntry).where(AuditEntry.participant_id == participant_id)
                                    .order_by(col(AuditEntry.at), col(AuditEntry.id))))
    return found


def unit_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Unit ids → their names (the hand-offs' senders and receivers, the units given a task)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {int(i or 0): n for i, n in session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(wanted)))}


def usernames(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """User ids → their usernames (the colleagues given a task)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {int(i or 0): n for i, n in session.exec(select(User.id, User.username)
                                                    .where(col(User.id).in_(wanted)))}
