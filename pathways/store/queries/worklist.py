"""The statements behind the worklist («I dag»), each one set-based over indexed columns: the deadlines
due or breached on the actor's active cases, the live flags in scope, the staff decisions on deadline
flags (acknowledged, snoozed, resolved by a person), and the inputs of the live income gaps.

The callers pass the actor's scope as conditions (:mod:`pathways.services.access`); nothing here knows
who is asking.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlmodel import col

from pathways.engine.state import ACTIVE
from pathways.store.tables import Deadline, Enrolment, Flag, LivelihoodPeriod, Participant


def _columns(*columns: Any) -> list[Any]:
    return [col(c) for c in columns]


DEADLINE_FLAG_KINDS = ("frist_brudd", "frist_nar", "frist_paminnelse", "oppfolging_forfalt")


def deadlines(case_scope: Sequence[Any], today: date, ahead: date, late_since: date) -> Select[Any]:
    """Deadlines on active cases in scope: open or breached and due by ``ahead`` (a reminder only from
    today on: once passed, the breach deadline it prepares for takes over), and those met after their due
    date on or after ``late_since`` (shown as met late)."""
    due = and_(col(Deadline.status).in_(("open", "breached")), col(Deadline.due) <= ahead,
               or_(col(Deadline.recurring), col(Deadline.kind) == "breach", col(Deadline.due) >= today))
    late = and_(col(Deadline.status) == "met", col(Deadline.met_on) > col(Deadline.due),
                col(Deadline.met_on) >= late_since)
    return (select(*_columns(Deadline.enrolment_id, Deadline.key, Deadline.title, Deadline.kind, Deadline.recurring,
                   Deadline.due, Deadline.status, Deadline.met_on, Enrolment.participant_id,
                   Enrolment.pathway_version_id, Participant.name))
            .join(Enrolment, col(Enrolment.id) == col(Deadline.enrolment_id))
            .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
            .where(*case_scope, col(Enrolment.status) == "active", or_(due, late)))


def live_flags(flag_scope: Sequence[Any], today: date) -> Select[Any]:
    """Flags in scope that ask for action today (open, or snoozed until today or earlier), and the staff
    decisions on deadline and gap flags (acknowledged, snoozed, resolved by a person) that keep a live deadline
    off the list."""
    # acknowledged and snoozed flags of every kind come along (few); those of other kinds than deadlines and
    # gaps are dropped by the caller. Written as two index ranges: (kommune, state) and (kommune, kind, state)
    live = col(Flag.state).in_(("open", "snoozed", "acknowledged"))
    resolved = and_(col(Flag.kind).in_((*DEADLINE_FLAG_KINDS, "inntektsgap")), col(Flag.state) == "resolved",
                    col(Flag.resolved_by) != "system")
    return (select(*_columns(Flag.id, Flag.natural_key, Flag.kind, Flag.severity, Flag.due, Flag.message, Flag.state,
                   Flag.snoozed_until, Flag.enrolment_id, Flag.participant_id, Participant.name))
            .outerjoin(Participant, col(Participant.id) == col(Flag.participant_id))
            .where(*flag_scope, or_(live, resolved)))


def gap_cases(case_scope: Sequence[Any], participants: Sequence[int] | None) -> Select[Any]:
    """The active cases of the participants whose gaps are computed live: every participant of the cases
    in scope (``participants`` None), or the ones named."""
    query = (select(*_columns(Enrolment.participant_id, Enrolment.id, Enrolment.start_date,
                              Enrolment.pathway_version_id, Enrolment.state, Participant.name))
             .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
             .where(col(Enrolment.status).in_(ACTIVE)))
    if participants is None:
        return query.where(*case_scope)
    return query.where(col(Enrolment.participant_id).in_(participants), *case_scope)


def periods(participants: Sequence[int], case_scope: Sequence[Any]) -> Select[Any]:
    """The livelihood periods of the participants of the cases in scope (by start, then id, as the gap
    library reads them)."""
    scoped = select(col(Enrolment.participant_id)).where(*case_scope, col(Enrolment.status).in_(ACTIVE))
    if participants:
        scoped = scoped.where(col(Enrolment.participant_id).in_(participants))
    return (select(*_columns(LivelihoodPeriod.participant_id, LivelihoodPeriod.source, LivelihoodPeriod.start,
                   LivelihoodPeriod.end, LivelihoodPeriod.planned, LivelihoodPeriod.id))
            .where(col(LivelihoodPeriod.participant_id).in_(scoped))
            .order_by(col(LivelihoodPeriod.participant_id), col(LivelihoodPeriod.start), col(LivelihoodPeriod.id)))
