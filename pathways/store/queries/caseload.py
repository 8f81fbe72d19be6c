"""The caseload's queries: one page of cases in scope, filtered and sorted, and what each row shows
(next deadline, live flags, the live income status, who is responsible now); the cohort's counts per step and outcome.

``scope`` arguments are the conditions :mod:`pathways.services.access` gives for the acting user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from pathways.engine.state import ACTIVE
from pathways.store.queries.flags import LIVE_FLAG_STATES
from pathways.store.tables import Deadline, Enrolment, Flag, Participant, Unit, User


def open_deadline() -> Any:
    """Deadline status open or breached, written so that no planner picks the (status, due) index for a
    lookup by case: that index walks every open deadline of every case (measured: 38 s for 159 cases)."""
    return func.coalesce(Deadline.status, "").in_(("open", "breached"))


def live_flag_count() -> Any:
    """The live flags of the row's case, correlated (index on flag.enrolment_id): cheaper than grouping
    the kommune's flags when a page needs only the order of the cases in scope."""
    return (select(func.count()).where(Flag.enrolment_id == Enrolment.id, col(Flag.state).in_(LIVE_FLAG_STATES))
            .correlate(Enrolment).scalar_subquery())


@dataclass
class Wanted:
    """A caseload query, checked by the service: the filters as values, the order as a sort key."""

    status: str = "aktive"  # aktive | alle | avsluttet
    pathway: str | None = None
    step: str | None = None
    flag_kind: str | None = None
    due_by: date | None = None
    q: str | None = None
    caseworker: str | None = None  # the username a veileder's cases carry
    sort: str = "frist"  # navn | løp | steg | frist | flagg | start
    descending: bool = False


@dataclass
class CaseLine:
    """One row of a caseload page as stored."""

    id: int
    participant_id: int
    name: str
    pathway_id: str
    pathway_version_id: int
    current_steps: str
    status: str
    start_date: date
    caseworker: str | None
    gap_from: date | None
    gap_to: date | None
    responsible_name: str | None = None  # «ansvarlig nå»: the caseworker's full name and unit
    responsible_unit: str | None = None


def page(session: Session, scope: Sequence[Any], kommune: Sequence[Any], flag_scope: Sequence[Any],
         wanted: Wanted, page_size: int, page_no: int) -> tuple[int, int, list[CaseLine]]:
    """(total, the page actually shown, its rows in order) of the cases matching ``scope`` (conditions on
    Enrolment) and ``wanted``. ``kommune`` is the actor's kommune condition on Participant.kommune_id,
    ``flag_scope`` on Flag.kommune_id."""
    conditions = list(scope)
    if wanted.status == "aktive":
        conditions.append(col(Enrolment.status).in_(ACTIVE))
    elif wanted.status == "avsluttet":
        conditions.append(col(Enrolment.status).not_in(ACTIVE))
    if wanted.pathway:
        conditions.append(Enrolment.pathway_id == wanted.pathway)
    if wanted.step:
        conditions.append(("," + col(Enrolment.current_steps) + ",").contains(f",{wanted.step},", autoescape=True))
    if wanted.flag_kind:  # driven from the kommune's flags (index kommune_id, state), not one lookup per case
        conditions.append(col(Enrolment.id).in_(select(Flag.enrolment_id).where(
            *flag_scope, Flag.kind == wanted.flag_kind, col(Flag.state).in_(LIVE_FLAG_STATES))))
    if wanted.due_by is not None:  # next_due is the earliest open deadline of the case
        conditions.append(col(Enrolment.next_due) <= wanted.due_by)
    if wanted.caseworker is not None:
        conditions.append(Enrolment.caseworker == wanted.caseworker)
    searching = bool(wanted.q and wanted.q.strip())
    if searching:
        conditions.append(func.lower(Participant.name).contains((wanted.q or "").strip().lower(), autoescape=True))
    join = and_(col(Participant.id) == col(Enrolment.participant_id), *kommune)

    def cases(by_name: bool) -> Any:  # the participant table only where the name is needed (index-only counts)
        query = select(Enrolment.id).select_from(Enrolment)
        return query.join(Participant, join) if by_name else query

    order = {"navn": col(Participant.name), "løp": col(Enrolment.pathway_id), "steg": col(Enrolment.current_steps),
             "frist": col(Enrolment.next_due), "start": col(Enrolment.start_date),
             "flagg": live_flag_count()}[wanted.sort]
    if wanted.sort == "frist":  # cases without a deadline last either way
        order_by = [order.is_(None), order.desc() if wanted.descending else order]
    else:
        order_by = [order.desc() if wanted.descending else order]
    total = session.exec(select(func.count()).select_from(cases(searching).where(*conditions).subquery())).one()
    pages = max(1, -(-total // page_size))
    shown = min(page_no, pages)
    ids = list(session.exec(cases(searching or wanted.sort == "navn").where(*conditions)
                            .order_by(*order_by, col(Enrolment.id))
                            .offset((shown - 1) * page_size).limit(page_size)).all())
    position = {case_id: i for i, case_id in enumerate(ids)}
    # «ansvarlig nå» in the same query: the caseworker's account (usernames are unique) and unit, aliased so
    # that no subquery of the scope on the user table (a veileder's covers) is correlated with them
    owner, unit = aliased(User), aliased(Unit)
    found = sorted(session.exec(
        select(Enrolment.id, Enrolment.participant_id, Participant.name, Enrolment.pathway_id,
               Enrolment.pathway_version_id, Enrolment.current_steps, Enrolment.status, Enrolment.start_date,
               Enrolment.caseworker, Enrolment.gap_from, Enrolment.gap_to, owner.name, unit.name)
        .join(Participant, join)
        .outerjoin(owner, owner.username == col(Enrolment.caseworker))
        .outerjoin(unit, unit.id == owner.unit_id)
        .where(col(Enrolment.id).in_(ids), *scope)
    ).all(), key=lambda row: position[row[0]])
    return total, shown, [CaseLine(*row) for row in found]


def next_deadlines(session: Session, case_ids: Sequence[int]) -> dict[int, tuple[date, str]]:
    """The earliest open or breached deadline (due, title) of each case."""
    found: dict[int, tuple[date, str]] = {}
    if not case_ids:
        return found
    for case_id, due, title in session.exec(
            select(Deadline.enrolment_id, Deadline.due, Deadline.title)
            .where(col(Deadline.enrolment_id).in_(case_ids), open_deadline())
            .order_by(col(Deadline.due))):
        found.setdefault(case_id, (due, title))
    return found


def live_flags(session: Session, case_ids: Sequence[int]) -> list[tuple[int, str, str, date | None]]:
    """(case, kind, severity, due) of the live flags of the cases, in the order they were raised."""
    if not case_ids:
        return []
    return [(c or 0, k, s, d) for c, k, s, d in session.exec(
        select(Flag.enrolment_id, Flag.kind, Flag.severity, Flag.due)
        .where(col(Flag.enrolment_id).in_(case_ids), col(Flag.state).in_(LIVE_FLAG_STATES))
        .order_by(col(Flag.id)))]


def steps_count(session: Session, kommune: Sequence[Any], pathway_id: str) -> list[tuple[str, int]]:
    """(current steps, active cases) of a pathway in the kommune (``kommune``: conditions on Enrolment)."""
    return [(s, n) for s, n in session.exec(
        select(Enrolment.current_steps, func.count()).where(
            *kommune, Enrolment.pathway_id == pathway_id,
            col(Enrolment.status).in_(ACTIVE)).group_by(col(Enrolment.current_steps)))]


def outcome_count(session: Session, kommune: Sequence[Any], pathway_id: str) -> list[tuple[str | None, int]]:
    """(outcome, cases) of the ended cases of a pathway in the kommune."""
    return [(o, n) for o, n in session.exec(
        select(Enrolment.outcome, func.count()).where(
            *kommune, Enrolment.pathway_id == pathway_id,
            col(Enrolment.outcome).is_not(None)).group_by(col(Enrolment.outcome)))]


def veileder_username(session: Session, user_id: int, kommune: Sequence[Any]) -> str | None:
    """The username of the veileder ``user_id`` among the users ``kommune`` lets through, else None."""
    return session.exec(select(User.username).where(User.id == user_id, User.role == "veileder", *kommune)).first()
