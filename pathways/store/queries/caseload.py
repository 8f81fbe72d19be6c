"""The caseload's queries: one page of cases in scope, filtered and sorted, and what each row shows
(next deadline, live flags, the live income status, who is responsible now); the cohort's counts per step and outcome.

``scope`` arguments are the conditions :mod:`pathways.services.access` gives for the acting user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, String, and_, bindparam, func
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class PageStatements:
    """A caseload query's statements, made once per scope and filter shape and run with parameters: the
    search text (``q``: a LIKE pattern), the page (``offset``, ``limit``) and the rows' ids (``ids``)."""

    count: Any
    ids: Any
    rows: Any


def statements(scope: Sequence[Any], kommune: Sequence[Any], flag_scope: Sequence[Any], wanted: Wanted
               ) -> PageStatements:
    """The statements of :func:`page` for the cases matching ``scope`` (conditions on Enrolment) and
    ``wanted`` (its search text is a parameter, :func:`search_pattern`). ``kommune`` is the actor's kommune
    condition on Participant.kommune_id, ``flag_scope`` on Flag.kommune_id."""
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
        conditions.append(func.lower(Participant.name).like(bindparam("q", type_=String), escape=ESCAPE))
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
    # «ansvarlig nå» in the same query: the caseworker's account (usernames are unique) and unit, aliased so
    # that no subquery of the scope on the user table (a veileder's covers) is correlated with them
    owner, unit = aliased(User), aliased(Unit)
    return PageStatements(
        select(func.count()).select_from(cases(searching).where(*conditions).subquery()),
        cases(searching or wanted.sort == "navn").where(*conditions).order_by(*order_by, col(Enrolment.id))
        .offset(bindparam("offset", type_=Integer)).limit(bindparam("limit", type_=Integer)),
        select(Enrolment.id, Enrolment.participant_id, Participant.name, Enrolment.pathway_id,
               Enrolment.pathway_version_id, Enrolment.current_steps, Enrolment.status, Enrolment.start_date,
               Enrolment.caseworker, Enrolment.gap_from, Enrolment.gap_to, owner.name, unit.name)
        .join(Participant, join)
        .outerjoin(owner, owner.username == col(Enrolment.caseworker))
        .outerjoin(unit, unit.id == owner.unit_id)
        .where(col(Enrolment.id).in_(bindparam("ids", expanding=True)), *scope))


ESCAPE = "/"


def search_pattern(q: str | None) -> str:
    """The LIKE pattern of a search text: its lower case anywhere in the name, ``%``, ``_`` and ``/`` taken
    literally (as ``contains(…, autoescape=True)`` would)."""
    text = (q or "").strip().lower()
    for special in (ESCAPE, "%", "_"):
        text = text.replace(special, ESCAPE + special)
    return f"%{text}%"


def page(session: Session, made: PageStatements, q: str | None, page_size: int, page_no: int
         ) -> tuple[int, int, list[CaseLine]]:
    """(total, the page actually shown, its rows in order) of a caseload query (:func:`statements`)."""
    searched = {"q": search_pattern(q)} if q and q.strip() else {}
    total = session.execute(made.count, searched).scalar_one()
    pages = max(1, -(-total // page_size))
    shown = min(page_no, pages)
    ids = list(session.execute(made.ids, {**searched, "offset": (shown - 1) * page_size, "limit": page_size}
                               ).scalars())
    position = {case_id: i for i, case_id in enumerate(ids)}
    found = sorted(session.execute(made.rows, {"ids": ids}).all(), key=lambda row: position[row[0]]) if ids else []
    return total, shown, [CaseLine(*row) for row in found]


_NEXT_DEADLINES = (select(Deadline.enrolment_id, Deadline.due, Deadline.title)
                   .where(col(Deadline.enrolment_id).in_(bindparam("ids", expanding=True)), open_deadline())
                   .order_by(col(Deadline.due)))
_LIVE_FLAGS = (select(Flag.enrolment_id, Flag.kind, Flag.severity, Flag.due)
               .where(col(Flag.enrolment_id).in_(bindparam("ids", expanding=True)),
                      col(Flag.state).in_(LIVE_FLAG_STATES))
               .order_by(col(Flag.id)))


def next_deadlines(session: Session, case_ids: Sequence[int]) -> dict[int, tuple[date, str]]:
    """The earliest open or breached deadline (due, title) of each case."""
    found: dict[int, tuple[date, str]] = {}
    if not case_ids:
        return found
    for case_id, due, title in session.execute(_NEXT_DEADLINES, {"ids": list(case_ids)}):
        found.setdefault(case_id, (due, title))
    return found


def live_flags(session: Session, case_ids: Sequence[int]) -> list[tuple[int, str, str, date | None]]:
    """(case, kind, severity, due) of the live flags of the cases, in the order they were raised."""
    if not case_ids:
        return []
    return [(c or 0, k, s, d) for c, k, s, d in session.execute(_LIVE_FLAGS, {"ids": list(case_ids)})]


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
