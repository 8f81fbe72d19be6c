"""Who works which cases, decided by a leder (or an administrator) of the kommune: the kommune's veiledere
with their workload (:func:`workload`: active cases, open flags, cases with a breached deadline, cases with
an income gap now), moving one case or all of a veileder's active cases to another veileder
(:func:`reassign_case`, :func:`reassign_all`), and covers (vikar, :func:`set_cover`): a colleague works
an absent veileder's cases until a date, inclusive, while the absent one stays their caseworker. A cover
ends by itself: the access rule compares its date with today (:func:`pathways.services.access.covered`),
so nothing has to run for the cases to return; a leder may end it early (:func:`end_cover`).

Every change is written to the audit trail in its own transaction. The messages are bokmål: a leder
reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, bindparam, func, insert, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from pathways.engine.state import ACTIVE
from pathways.services import access
from pathways.services.audit import record
from pathways.services.context import Conflict, Context, NotFound, ServiceError, checked_date
from pathways.store.tables import AuditEntry, Cover, Deadline, Enrolment, Flag, User

MAX_COVER = timedelta(days=365)  # a cover is set for at most a year at a time: absences are reviewed
VEILEDER = "veileder"


@dataclass(frozen=True)
class Colleague:
    id: int
    username: str
    name: str
    active: bool = True


@dataclass(frozen=True)
class CoverView:
    """A cover in force: ``covering`` works ``absent``'s cases from ``start`` until ``until`` (inclusive)."""

    id: int
    absent: Colleague
    covering: Colleague
    start: date
    until: date
    created_by: str

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "absent": _colleague_json(self.absent), "covering": _colleague_json(self.covering),
                "start": self.start.isoformat(), "until": self.until.isoformat(), "created_by": self.created_by}


@dataclass
class Workload:
    """One veileder's cases and what needs attention in them."""

    veileder: Colleague
    active: int = 0  # active cases (aktiv, permisjon, midlertidig stans)
    open_flags: int = 0  # open flags on those cases (not acknowledged or snoozed)
    breaches: int = 0  # of those cases: with a breach deadline passed
    gaps_now: int = 0  # of those cases: with an income gap now
    covered_by: CoverView | None = None  # the colleague covering for them now
    covering: list[CoverView] = field(default_factory=list)  # the colleagues they cover for now

    def as_json(self) -> dict[str, object]:
        return {**_colleague_json(self.veileder), "active_cases": self.active, "open_flags": self.open_flags,
                "breaches": self.breaches, "gaps_now": self.gaps_now,
                "covered_by": self.covered_by.as_json() if self.covered_by else None,
                "covering": [c.as_json() for c in self.covering]}


def _colleague_json(who: Colleague) -> dict[str, object]:
    return {"id": who.id, "username": who.username, "name": who.name, "active": who.active}


def _colleague(user: User) -> Colleague:
    return Colleague(user.id or 0, user.username, user.name, user.active)


def _in_kommune(actor_kommune: int | None) -> list[object]:
    return [] if actor_kommune is None else [User.kommune_id == actor_kommune]


def _user(session: Session, kommune_id: int | None, user_id: int) -> User | None:
    """The user when they belong to ``kommune_id`` (any kommune for None: a system actor)."""
    user = session.get(User, user_id)
    return user if user is not None and (kommune_id is None or user.kommune_id == kommune_id) else None


def _veileder(session: Session, kommune_id: int | None, user_id: int, where: str) -> User:
    """The active veileder ``user_id`` of the kommune, to give cases to; else a ServiceError naming ``where``
    (an unknown id and another kommune's user get the same answer: ids cannot be probed)."""
    user = _user(session, kommune_id, user_id)
    if user is None:
        raise ServiceError("no_veileder_id", where, id=user_id)
    if user.role != VEILEDER:
        raise ServiceError("not_a_veileder", where, name=user.name)
    if not user.active:
        raise ServiceError("veileder_deactivated", where, name=user.name)
    return user


def _owner(session: Session, kommune_id: int | None, user_id: int) -> User:
    """The user ``user_id`` of the kommune whose cases are moved or covered, else NotFound."""
    user = _user(session, kommune_id, user_id)
    if user is None:
        raise NotFound("no_user_id", "user", id=user_id)
    return user


# -- reading --------------------------------------------------------------------------------------------


def veiledere(ctx: Context) -> list[Colleague]:
    """The kommune's active veiledere by name (who may be given cases or cover for a colleague)."""
    actor = access.leading(ctx.actor)
    with ctx.transaction() as session:
        users = session.exec(select(User).where(*_in_kommune(actor.kommune_id), User.role == VEILEDER,
                                                col(User.active).is_(True)).order_by(col(User.name))).all()
    return [_colleague(u) for u in users]


def colleague(ctx: Context, user_id: int) -> Colleague:
    """A user of the kommune by id (for a leder's messages: who got the cases), else NotFound."""
    actor = access.leading(ctx.actor)
    with ctx.transaction() as session:
        return _colleague(_owner(session, actor.kommune_id, user_id))


def caseload_veiledere(ctx: Context, covering: list[CoverView] | None = None) -> list[Colleague]:
    """The veiledere whose cases the caseload can be filtered by: every veileder of the kommune for a leder,
    and for a veileder themself and the colleagues they cover for now (none else: they see no other cases).
    ``covering``: :func:`covers_for`, when the caller has it."""
    actor = access.reading(ctx.actor)
    if not actor.own_cases_only:
        return veiledere(ctx)
    found = covers_for(ctx) if covering is None else covering
    if not found:
        return []
    return [found[0].covering, *(c.absent for c in found)]


_ABSENT, _COVERING = aliased(User, name="absent"), aliased(User, name="covering")  # made once: aliasing is slow


def _in_force(*conditions: object) -> Any:
    """The covers in force on the day ``today`` (a parameter) that ``conditions`` let through, with the
    absent and the covering user, by the absent one's name."""
    absent, covering = _ABSENT, _COVERING
    return (select(Cover, absent, covering).join(absent, col(absent.id) == col(Cover.absent_user_id))
            .join(covering, col(covering.id) == col(Cover.covering_user_id))
            .where(col(Cover.until) >= bindparam("today", type_=Date), col(Cover.ended_at).is_(None), *conditions)
            .order_by(col(absent.name), col(Cover.id)))


def _covers_of(session: Session, statement: Any, **params: object) -> list[CoverView]:
    rows = session.exec(statement, params=params).all()
    return [CoverView(c.id or 0, _colleague(a), _colleague(b), c.start, c.until, c.created_by) for c, a, b in rows]


def _covers(session: Session, today: date, *conditions: object) -> list[CoverView]:
    return _covers_of(session, _in_force(*conditions), today=today)


# made once (read on every caseload and case page): who covers for the user ``absent``; whom the user
# ``covering`` of the kommune ``kommune`` covers for
_COVERING_NOW = _in_force(Cover.absent_user_id == bindparam("absent"))
_COVERED_NOW = _in_force(Cover.covering_user_id == bindparam("covering"), Cover.kommune_id == bindparam("kommune"))
_BY_USERNAME = select(User).where(User.username == bindparam("username"))


def covers(ctx: Context) -> list[CoverView]:
    """The covers in force today in the kommune."""
    actor = access.leading(ctx.actor)
    with ctx.transaction() as session:
        return _covers(session, ctx.today(), *access.kommune(actor, Cover.kommune_id))


def covers_for(ctx: Context) -> list[CoverView]:
    """The covers in force today where the actor is the vikar (their caseload says so)."""
    actor = ctx.actor
    if actor.user_id is None:
        return []
    with ctx.transaction() as session:
        if actor.kommune_id is None:
            return _covers(session, ctx.today(), Cover.covering_user_id == actor.user_id)
        return _covers_of(session, _COVERED_NOW, today=ctx.today(), covering=actor.user_id, kommune=actor.kommune_id)


def workload(ctx: Context) -> list[Workload]:
    """Every veileder of the kommune (and a deactivated one who still has active cases) with their active
    cases, open flags, cases with a breached deadline and cases with an income gap now; the covers in force.
    Counts only: a leder and an administrator see them."""
    actor = access.leading(ctx.actor)
    today = ctx.today()
    in_kommune = access.kommune(actor, Enrolment.kommune_id)
    active = [*in_kommune, col(Enrolment.status).in_(ACTIVE), col(Enrolment.caseworker).is_not(None)]
    worker = col(Enrolment.caseworker)
    with ctx.transaction() as session:
        cases = dict(session.exec(select(worker, func.count()).where(*active).group_by(worker)).all())
        flags = dict(session.exec(
            select(worker, func.count()).join(Flag, col(Flag.enrolment_id) == col(Enrolment.id))
            .where(*active, Flag.state == "open").group_by(worker)).all())
        breaches = dict(session.exec(
            select(worker, func.count(func.distinct(Enrolment.id))).join(
                Deadline, col(Deadline.enrolment_id) == col(Enrolment.id))
            .where(*active, Deadline.kind == "breach",
                   or_(col(Deadline.status) == "breached",
                       (col(Deadline.status) == "open") & (col(Deadline.due) < today)))
            .group_by(worker)).all())
        gaps = dict(session.exec(  # the live projection, read as livelihood.income_status reads it: a gap now
            select(worker, func.count(col(Enrolment.id)))
            .where(*active, col(Enrolment.gap_from) <= today,
                   or_(col(Enrolment.gap_to).is_(None), col(Enrolment.gap_to) >= today))
            .group_by(worker)).all())
        users = session.exec(select(User).where(
            *_in_kommune(actor.kommune_id),
            or_(User.role == VEILEDER, col(User.username).in_(list(cases)))).order_by(col(User.name))).all()
        in_force = _covers(session, today, *access.kommune(actor, Cover.kommune_id))
    rows = []
    for user in users:
        if not user.active and not cases.get(user.username):
            continue
        name = user.username
        rows.append(Workload(_colleague(user), cases.get(name, 0), flags.get(name, 0), breaches.get(name, 0),
                             gaps.get(name, 0),
                             next((c for c in in_force if c.absent.id == user.id), None),
                             [c for c in in_force if c.covering.id == user.id]))
    return rows


def caseworker_of(ctx: Context, case_id: int) -> tuple[Colleague | None, CoverView | None]:
    """The veileder of a case the actor sees (None: no user has the case), and who covers for them now."""
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)
        user = session.exec(_BY_USERNAME, params={"username": case.caseworker}).first() \
            if case.caseworker else None
        if user is None:
            return None, None
        cover = _covers_of(session, _COVERING_NOW, today=ctx.today(), absent=user.id)
    return _colleague(user), (cover[0] if cover else None)


# -- moving cases ---------------------------------------------------------------------------------------


def reassign_case(ctx: Context, case_id: int, to_user_id: int, expected_version: int | None = None) -> Colleague:
    """Give a case of the kommune to another veileder (a leder or an administrator); returns the new one."""
    access.leading(ctx.actor)
    with ctx.transaction() as session:
        case = access.managed_case(session, ctx.actor, case_id)
        to = _veileder(session, case.kommune_id, to_user_id, "to")
        if expected_version is not None and expected_version != case.version:
            raise Conflict("case_changed_version", id=case_id, version=case.version, expected=expected_version)
        if case.caseworker == to.username:
            raise ServiceError("already_veileder", "to", name=to.name)
        before = session.exec(select(User).where(User.username == case.caseworker)).first() \
            if case.caseworker else None
        changed = session.execute(
            update(Enrolment).where(col(Enrolment.id) == case_id, col(Enrolment.version) == case.version)
            .values(caseworker=to.username, version=case.version + 1, updated_at=ctx.now()))
        if changed.rowcount != 1:
            raise Conflict("case_changed", id=case_id)
        record(session, ctx, "case.reassigned", kommune_id=case.kommune_id, participant_id=case.participant_id,
               user_id=to.id, detail=f"sak {case_id}" + (f", fra bruker {before.id}" if before else ""))
    return _colleague(to)


def reassign_all(ctx: Context, from_user_id: int, to_user_id: int) -> int:
    """Give every active case of one veileder to another (a leder or an administrator); returns how many."""
    actor = access.leading(ctx.actor)
    with ctx.transaction() as session:
        source = _owner(session, actor.kommune_id, from_user_id)
        to = _veileder(session, source.kommune_id, to_user_id, "to")
        if to.id == source.id:
            raise ServiceError("same_veileder", "to")
        moving = session.exec(select(Enrolment.id, Enrolment.participant_id).where(
            Enrolment.kommune_id == source.kommune_id, Enrolment.caseworker == source.username,
            col(Enrolment.status).in_(ACTIVE))).all()
        if not moving:
            return 0
        now = ctx.now()
        ids = [case_id for case_id, _ in moving]
        for start in range(0, len(ids), 500):  # bounded IN lists
            session.execute(update(Enrolment).where(col(Enrolment.id).in_(ids[start:start + 500]))
                            .values(caseworker=to.username, version=Enrolment.version + 1, updated_at=now))
        session.execute(insert(AuditEntry), [
            {"at": now, "actor": ctx.actor.name, "action": "case.reassigned", "kommune_id": source.kommune_id,
             "participant_id": pid, "user_id": to.id, "detail": f"sak {case_id}, fra bruker {source.id}"}
            for case_id, pid in moving])
    return len(moving)


# -- covers ---------------------------------------------------------------------------------------------


def set_cover(ctx: Context, absent_user_id: int, covering_user_id: int, until: date) -> int:
    """``covering`` works ``absent``'s cases from today until ``until`` (inclusive, at most a year ahead);
    a cover already in force for ``absent`` is ended by the new one. Returns the cover's id."""
    actor = access.leading(ctx.actor)
    checked_date(until, "until")
    today = ctx.today()
    if until < today:
        raise ServiceError("cover_until_past", "until", until=until)
    if until > today + MAX_COVER:
        raise ServiceError("cover_too_long", "until", latest=today + MAX_COVER)
    with ctx.transaction() as session:
        absent = _owner(session, actor.kommune_id, absent_user_id)
        if absent.role != VEILEDER:  # the path names a veileder: another user is none
            raise NotFound("no_veileder", "user", id=absent_user_id)
        covering = _veileder(session, absent.kommune_id, covering_user_id, "covering")
        if covering.id == absent.id:
            raise ServiceError("cover_self", "covering")
        now = ctx.now()
        for old in session.exec(select(Cover).where(Cover.absent_user_id == absent.id, col(Cover.until) >= today,
                                                    col(Cover.ended_at).is_(None))):
            old.ended_at, old.ended_by = now, ctx.actor.name
            record(session, ctx, "cover.ended", kommune_id=absent.kommune_id, user_id=absent.id,
                   detail=f"vikar {old.id} (bruker {old.covering_user_id}): erstattet")
        cover = Cover(kommune_id=absent.kommune_id, absent_user_id=absent.id or 0, covering_user_id=covering.id or 0,
                      start=today, until=until, created_by=ctx.actor.name, created_at=now)
        session.add(cover)
        session.flush()
        record(session, ctx, "cover.set", kommune_id=absent.kommune_id, user_id=absent.id,
               detail=f"vikar {cover.id}: bruker {covering.id} til {until.isoformat()}")
        return cover.id or 0


def end_cover(ctx: Context, cover_id: int) -> CoverView:
    """End a cover in force now (a leder or an administrator): the cases are the absent one's alone again."""
    actor = access.leading(ctx.actor)
    with ctx.transaction() as session:
        found = _covers(session, ctx.today(), Cover.id == cover_id, *access.kommune(actor, Cover.kommune_id))
        if not found:
            raise NotFound("no_cover_now", "cover", id=cover_id)
        cover = session.get(Cover, cover_id)
        assert cover is not None
        cover.ended_at, cover.ended_by = ctx.now(), ctx.actor.name
        record(session, ctx, "cover.ended", kommune_id=cover.kommune_id, user_id=cover.absent_user_id,
               detail=f"vikar {cover_id} (bruker {cover.covering_user_id}): avsluttet")
    return found[0]
