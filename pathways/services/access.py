"""Who may see and change what, written once; every service that reads or writes a participant, case,
flag, livelihood period or note goes through here with the :class:`~pathways.services.context.Actor`
of its context, so no page, API route or command filters by hand.

The rule: a user sees their own kommune only; a veileder only their own cases (those where they are
the caseworker) and, while they cover for an absent colleague (a :class:`~pathways.store.tables.Cover`
in force: not ended, its last day today or later), that colleague's cases; the flags of those cases and
about themselves, and the participants of those cases plus the intake (participants on no pathway yet);
a leder reads every case of the kommune; only a veileder changes them. A leder or an administrator
decides who works which cases (moves cases, sets covers), without reading them for that. A system
actor (the CLI, the nightly checks) sees every kommune. A user of a unit outside the refugee service (NAV,
adult education, a school, another kommune's service: ``Actor.unit_scoped``) sees only the cases handed to
their unit (a hand-off pending or accepted), and those cases' participants; no notes or other cases. Once a
hand-off is accepted and its planned date has come (*in force*), the receiving unit works the case: its
veileder changes it and its users see its flags (:func:`worked`); the sending side keeps read access to the
case's status and dates only (no changes, flags, notes or facts: :func:`works` tells the pages). A refugee
service of another kommune receives by the same rule, beside its own kommune's cases (``Actor.elsewhere``:
only such users get the wider conditions). Something outside the actor's scope is reported
as not found, the same answer as something that does not exist, so ids of other kommuner's cases
cannot be probed.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, exists, false, literal, or_
from sqlmodel import Session, col, select

from pathways.services.context import SYSTEM, Actor, NotFound, ServiceError
from pathways.store.tables import Cover, Enrolment, Flag, Handoff, LivelihoodPeriod, Participant, Task, User


class Forbidden(ServiceError):
    """The actor's role may not do this."""


def reading(actor: Actor) -> Actor:
    """``actor`` when their role reads cases and participants, else Forbidden."""
    if not actor.reads_cases:
        raise Forbidden("no_case_access", "role")
    return actor


def writing(actor: Actor) -> Actor:
    """``actor`` when their role changes cases and participants, else Forbidden."""
    if not actor.writes_cases:
        raise Forbidden("read_only_cases" if actor.reads_cases else "no_case_access", "role")
    return actor


def administering(actor: Actor) -> Actor:
    """``actor`` when their role publishes and migrates pathways and reads the audit trail, else Forbidden."""
    if not actor.administers:
        raise Forbidden("administrators_only", "role")
    return actor


def leading(actor: Actor) -> Actor:
    """``actor`` when their role decides who works which cases (a leder or an administrator), else
    Forbidden."""
    if actor.role not in ("leder", "administrator") and not actor.is_system:
        raise Forbidden("leaders_only", "role")
    return actor


def in_kommune(actor: Actor, kommune_id: int | None) -> bool:
    """Whether something of ``kommune_id`` is in the actor's kommune (every kommune for a system actor)."""
    return (actor.is_system and actor.kommune_id is None) or kommune_id == actor.kommune_id


def kommune(actor: Actor, column: Any) -> list[Any]:
    """The condition on ``column`` (a kommune id) for the actor's kommune; none for a system actor."""
    if actor.is_system and actor.kommune_id is None:
        return []
    return [column == actor.kommune_id]


# -- conditions, for the queries that list -------------------------------------------------------------


def covered(actor: Actor) -> Any:
    """The usernames of the colleagues the actor covers for today: the covers in force (not ended, their
    last day today or later, by the actor's clock), as a subquery."""
    return (select(User.username).join(Cover, col(Cover.absent_user_id) == col(User.id))
            .where(Cover.covering_user_id == actor.user_id, Cover.kommune_id == actor.kommune_id,
                   col(Cover.until) >= actor.today(), col(Cover.ended_at).is_(None)))


def caseworkers(actor: Actor) -> Any:
    """Whose cases a veileder works today: their own username and those of :func:`covered`, as a
    subquery for ``Enrolment.caseworker IN (…)`` (one condition: the caseworker index is used)."""
    return select(literal(actor.name)).union_all(covered(actor))


HANDED = ("pending", "accepted")
"""The states of a hand-off in which its receiving unit sees the case."""


def handed(actor: Actor) -> Any:
    """The ids of the cases handed to the actor's unit (pending or accepted), as a subquery."""
    return select(Handoff.enrolment_id).where(Handoff.to_unit_id == actor.unit_id,
                                              col(Handoff.status).in_(HANDED))


def in_force(today: date) -> list[Any]:
    """The conditions on :class:`Handoff` of an accepted hand-off whose planned date has come by ``today``."""
    return [Handoff.status == "accepted", col(Handoff.planned_on) <= today]


def received(actor: Actor) -> Any:
    """The ids of the cases the actor's unit has taken over (an accepted hand-off to it in force), as a
    subquery."""
    return select(Handoff.enrolment_id).where(Handoff.to_unit_id == actor.unit_id, *in_force(actor.today()))


def not_handed_over(actor: Actor, case_id: Any) -> Any:
    """The condition that the case ``case_id`` (a column) has not been taken over by a receiving unit (no
    accepted hand-off of it in force): the sending side works it. A correlated NOT EXISTS, one probe of
    the (enrolment, status) index per case (a NOT IN list would read every kommune's hand-offs each time)."""
    return ~exists().where(col(Handoff.enrolment_id) == case_id, *in_force(actor.today()))


def handed_over_in(actor: Actor) -> Any:
    """The ids of the actor's kommune's cases taken over by a receiving unit, as a subquery (a few: counted
    apart from the kommune's index-only counts)."""
    return select(Handoff.enrolment_id).where(Handoff.kommune_id == actor.kommune_id, *in_force(actor.today()))


def receives(actor: Actor) -> bool:
    """Whether the actor's refugee service is also the receiving side of another kommune's hand-off (pending
    or accepted: ``Actor.elsewhere``, read with the account). A unit-scoped user receives through
    :func:`cases` itself; for everyone else the kommune's conditions stand alone, and keep its indexes."""
    return actor.elsewhere and actor.unit_id is not None and not actor.is_system and not actor.unit_scoped


def _or_received(actor: Actor, conditions: list[Any], column: Any, ids: Any) -> list[Any]:
    """``conditions``, or, for an actor who :func:`receives`, ``column`` in ``ids`` (the other kommune's cases
    handed to their unit)."""
    if not receives(actor) or not conditions:
        return conditions
    return [or_(and_(*conditions), col(column).in_(ids))]


def _own_kommune(actor: Actor) -> list[Any]:
    conditions = kommune(actor, Enrolment.kommune_id)
    if actor.own_cases_only:
        conditions.append(col(Enrolment.caseworker).in_(caseworkers(actor)))
    return conditions


def cases(actor: Actor) -> list[Any]:
    """The conditions on :class:`Enrolment` that keep the actor's cases."""
    reading(actor)
    if actor.unit_scoped:  # the receiving unit may be of another kommune (by agreement)
        return [col(Enrolment.id).in_(handed(actor))]
    return _or_received(actor, _own_kommune(actor), Enrolment.id, handed(actor))


def worked(actor: Actor) -> list[Any]:
    """The conditions on :class:`Enrolment` that keep the cases the actor works (is responsible for): their
    worklist, their flags, the cases they may change. Of :func:`cases`, those not handed over; for a
    receiving unit, those it has taken over (accepted, in force)."""
    reading(actor)
    if actor.is_system:
        return cases(actor)
    if actor.unit_scoped:
        return [col(Enrolment.id).in_(received(actor))]
    return _or_received(actor, [*_own_kommune(actor), not_handed_over(actor, Enrolment.id)],
                        Enrolment.id, received(actor))


def participants(actor: Actor) -> list[Any]:
    """The conditions on :class:`Participant` that keep those the actor sees: for a veileder, the
    participants of their own cases and those on no pathway yet (the intake)."""
    reading(actor)
    if actor.unit_scoped:
        return [exists().where(col(Enrolment.participant_id) == col(Participant.id),
                               col(Enrolment.id).in_(handed(actor)))]
    conditions = kommune(actor, Participant.kommune_id)
    if actor.own_cases_only:
        conditions.append(or_(
            exists().where(col(Enrolment.participant_id) == col(Participant.id),
                           col(Enrolment.caseworker).in_(caseworkers(actor)),
                           not_handed_over(actor, Enrolment.id)),
            ~exists().where(col(Enrolment.participant_id) == col(Participant.id))))
    return _or_received(actor, conditions, Participant.id,
                        select(Enrolment.participant_id).where(col(Enrolment.id).in_(handed(actor))))


def flags(actor: Actor) -> list[Any]:
    """The conditions on :class:`Flag`: for a veileder, the flags of their own cases and the caseload flag
    about themselves."""
    from pathways.checks.rules import caseload_flag_key  # the checks read livelihood, which comes here
    conditions = kommune(reading(actor), Flag.kommune_id)
    if actor.unit_scoped:  # the cases taken over: before, the flags are the sending service's work
        return [col(Flag.enrolment_id).in_(received(actor))]
    if not actor.is_system:  # a case handed over is the receiving unit's work
        conditions.append(not_handed_over(actor, Flag.enrolment_id))
    if actor.own_cases_only:
        owned = select(Enrolment.id).where(Enrolment.kommune_id == actor.kommune_id,
                                           col(Enrolment.caseworker).in_(caseworkers(actor)),
                                           not_handed_over(actor, Enrolment.id))
        conditions.append(or_(col(Flag.enrolment_id).in_(owned),
                              col(Flag.natural_key) == caseload_flag_key(actor.kommune_id or 0, actor.name)))
    return _or_received(actor, conditions, Flag.enrolment_id, received(actor))


# -- one object, for the services that read or change it -----------------------------------------------


def case(session: Session, actor: Actor, case_id: int) -> Enrolment:
    """The case when the actor sees it, else NotFound. Within a page's one read session
    (:class:`~pathways.services.context.Reads`), looked up once for the page's every service call."""
    seen = session.info.get("cases") if session.info.get("reads") else None
    found = seen.get((actor, case_id)) if seen is not None else None
    if found is None:
        found = session.exec(_one_case(actor, actor.today()), params={"case_id": case_id}).first()
    if found is None:
        raise NotFound("no_case", "case", id=case_id)
    if seen is not None:
        seen[(actor, case_id)] = found
    return found


@lru_cache(maxsize=1024)
def _one_case(actor: Actor, today: date) -> Any:
    """The statement of :func:`case` for an actor on a day, made once: building it and its cache key cost
    more than running it (measured: 1.9 ms of a 2 ms lookup); the case's id is its parameter."""
    return select(Enrolment).where(Enrolment.id == bindparam("case_id"), *cases(actor))


def changer(actor: Actor) -> Actor:
    """``actor`` when their role changes the cases they work (a veileder of any unit: :func:`worked`), else
    Forbidden. (:func:`writing` is the refugee service's veileder, who also adds and imports participants.)"""
    if actor.role not in ("veileder", SYSTEM):
        raise Forbidden("read_only_cases" if actor.reads_cases else "no_case_access", "role")
    return actor


def changing(actor: Actor) -> list[Any]:
    """The conditions on :class:`Enrolment` for one case the actor may change (:func:`worked_case`, in a
    writer's own statement; when it finds nothing, :func:`worked_case` says why)."""
    return worked(changer(actor))


@lru_cache(maxsize=1024)
def _one_worked(actor: Actor, today: date) -> Any:
    """The statement of :func:`works` for an actor on a day, made once."""
    return select(Enrolment.id).where(Enrolment.id == bindparam("case_id"), *worked(actor))


def works(session: Session, actor: Actor, case_id: int) -> bool:
    """Whether the actor works the case (:func:`worked`): else, where they see it, they read its status and
    dates only (the sending side after a hand-off in force; a receiving unit before). Asked once per page."""
    seen = session.info.setdefault("works", {}) if session.info.get("reads") else None
    if seen is not None and (actor, case_id) in seen:
        return bool(seen[(actor, case_id)])
    found = session.connection().execute(_one_worked(actor, actor.today()), {"case_id": case_id}).first() is not None
    if seen is not None:
        seen[(actor, case_id)] = found
    return found


def worked_case(session: Session, actor: Actor, case_id: int) -> Enrolment:
    """The case when the actor may change it: a veileder (of the refugee service, or of the unit that has
    taken the case over) on a case they work; NotFound when they do not see it, Forbidden when they see but
    do not work it (a hand-off pending to their unit, or the case handed over by theirs)."""
    found = case(session, changer(actor), case_id)
    if not works(session, actor, case_id):
        raise Forbidden("case_handed_over" if actor.unit_id is None or (not actor.unit_scoped and
                        found.kommune_id == actor.kommune_id) else "case_not_taken_over", "case")
    return found


def managed_case(session: Session, actor: Actor, case_id: int) -> Enrolment:
    """The case when it is in the kommune of a leder or an administrator (:func:`leading`), for moving it
    to another veileder, else NotFound."""
    found = session.exec(select(Enrolment).where(Enrolment.id == case_id,
                                                 *kommune(leading(actor), Enrolment.kommune_id))).first()
    if found is None:
        raise NotFound("no_case", "case", id=case_id)
    return found


def participant(session: Session, actor: Actor, participant_id: int) -> Participant:
    """The participant when the actor sees them, else NotFound."""
    found = session.exec(_one_participant(actor, actor.today()), params={"participant_id": participant_id}).first()
    if found is None:
        raise NotFound("no_participant", "participant", id=participant_id)
    return found


@lru_cache(maxsize=1024)
def _one_participant(actor: Actor, today: date) -> Any:
    """The statement of :func:`participant` for an actor on a day (the covers and hand-offs in force are the
    day's), made once: building it and its cache key cost more than running it (every change of income)."""
    return select(Participant).where(Participant.id == bindparam("participant_id"), *participants(actor))


def flag(session: Session, actor: Actor, flag_id: int) -> Flag:
    """The flag when the actor sees it, else NotFound."""
    found = session.exec(select(Flag).where(Flag.id == flag_id, *flags(actor))).first()
    if found is None:
        raise NotFound("no_flag", "flag", id=flag_id)
    return found


def worked_participant(session: Session, actor: Actor, participant_id: int) -> Participant:
    """The participant when the actor may change their facts and livelihood: a veileder who sees them and
    works one of their cases, or has them in the intake (for a receiving unit: one of their cases taken over);
    NotFound when the actor does not see them, Forbidden when they only read them."""
    found = participant(session, changer(actor), participant_id)
    if actor.is_system:
        return found
    if session.connection().execute(_one_worked_participant(actor, actor.today()),
                                    {"participant_id": participant_id}).first() is None:
        raise Forbidden("case_not_taken_over" if actor.unit_scoped else "case_handed_over", "participant")
    return found


@lru_cache(maxsize=1024)
def _one_worked_participant(actor: Actor, today: date) -> Any:
    """The statement of :func:`worked_participant`'s second test for an actor on a day, made once."""
    taken = exists().where(col(Enrolment.participant_id) == col(Participant.id),
                           col(Enrolment.id).in_(received(actor)))
    conditions = [taken] if actor.unit_scoped else [or_(and_(*participants(actor)), taken)]
    return select(Participant.id).where(Participant.id == bindparam("participant_id"), *conditions)


def period(session: Session, actor: Actor, period_id: int, *, changing: bool = False) -> LivelihoodPeriod:
    """The livelihood period when the actor sees its participant (``changing``: may change their
    livelihood, :func:`worked_participant`), else NotFound."""
    found = session.get(LivelihoodPeriod, period_id)
    try:
        if found is not None:
            (worked_participant if changing else participant)(session, actor, found.participant_id)
    except NotFound:
        found = None
    if found is None:
        raise NotFound("no_period", "period", id=period_id)
    return found


# -- tasks (oppgaver) ------------------------------------------------------------------------------------


def own_unit(actor: Actor) -> Any:
    """The actor's unit, as a scalar subquery (the actor carries no unit: a move between units takes effect
    at once)."""
    return select(User.unit_id).where(User.id == actor.user_id).scalar_subquery()


def assigned_tasks(actor: Actor) -> list[Any]:
    """The conditions on :class:`Task` that keep the tasks given to the actor or to their unit (what their
    worklist lists and what they may complete), in their kommune; none for an actor without an account."""
    if actor.user_id is None:
        return [false()]
    return [*kommune(actor, Task.kommune_id),
            or_(col(Task.assignee_user_id) == actor.user_id, col(Task.assignee_unit_id) == own_unit(actor))]


def tasks(actor: Actor) -> list[Any]:
    """The conditions on :class:`Task` that keep the tasks the actor sees: for a veileder those given to
    them or their unit, those they gave, and those about their cases; a leder or an administrator every
    task of their kommune; a system actor every task."""
    if actor.role is None:
        raise Forbidden("no_case_access", "role")
    conditions = kommune(actor, Task.kommune_id)
    if actor.own_cases_only:
        mine = select(Enrolment.id).where(Enrolment.kommune_id == actor.kommune_id,
                                          col(Enrolment.caseworker).in_(caseworkers(actor)))
        conditions.append(or_(*assigned_tasks(actor)[-1:], col(Task.created_by) == actor.name,
                              col(Task.enrolment_id).in_(mine)))
    return conditions


def task(session: Session, actor: Actor, task_id: int, *, assigned: bool = False) -> Task:
    """The task when the actor sees it (with ``assigned``: when it is given to them or their unit; a system
    actor every task), else NotFound."""
    conditions = assigned_tasks(actor) if assigned and not actor.is_system else tasks(actor)
    found = session.exec(select(Task).where(Task.id == task_id, *conditions)).first()
    if found is None:
        raise NotFound("no_task", "task", id=task_id)
    return found
