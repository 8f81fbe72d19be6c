"""The NIR overview's statements: the cases of a kommune's reported pathways that ran in a year, their events
of the configured names and their absence, each read in one statement joined to the same conditions (no list
of ids); and, for the nightly check, the cases that miss a field that is due. The callers pass the
actor's scope as conditions (:mod:`pathways.services.access`); nothing here knows who is asking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from pathways.store.tables import Absence, Enrolment, Event, LivelihoodPeriod, Participant


def _cases(pathways: Sequence[str], first: date, last: date, conditions: Sequence[Any]) -> list[Any]:
    return [col(Enrolment.pathway_id).in_(list(pathways)), col(Enrolment.start_date) <= last,
            or_(col(Enrolment.ended_on).is_(None), col(Enrolment.ended_on) >= first), *conditions]


def cases(conn: Connection, pathways: Sequence[str], first: date, last: date,
          conditions: Sequence[Any]) -> Sequence[Row[Any]]:
    """(case, participant, name, birth date, legal regime, pathway, start, ended on, status) of the cases of
    ``pathways`` that ran between ``first`` and ``last``, by name and case."""
    return conn.execute(
        select(Enrolment.id, Enrolment.participant_id, Participant.name, Participant.birth_date,
               Participant.legal_regime, Enrolment.pathway_id, Enrolment.start_date, Enrolment.ended_on,
               Enrolment.status)
        .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
        .where(*_cases(pathways, first, last, conditions))
        .order_by(col(Participant.name), col(Enrolment.id))).all()


def events(conn: Connection, pathways: Sequence[str], first: date, last: date, conditions: Sequence[Any],
           names: Sequence[str], until: date) -> Sequence[Row[Any]]:
    """(case, name, effective on, values as JSON text) of the events named ``names`` up to ``until`` on the
    same cases as :func:`cases`, oldest first."""
    return conn.execute(
        select(Event.enrolment_id, Event.name, Event.effective_on, Event.values)
        .join(Enrolment, col(Enrolment.id) == col(Event.enrolment_id))
        .where(col(Event.name).in_(list(names)), col(Event.effective_on) <= until,
               *_cases(pathways, first, last, conditions))
        .order_by(col(Event.enrolment_id), col(Event.effective_on), col(Event.sequence))).all()


def absences(conn: Connection, pathways: Sequence[str], first: date, last: date, conditions: Sequence[Any]
             ) -> Sequence[Row[Any]]:
    """(case, month, approved, hours × 100) of the absence recorded in the year on the same cases."""
    return conn.execute(
        select(Absence.enrolment_id, Absence.month, Absence.approved, Absence.hours_x100)
        .join(Enrolment, col(Enrolment.id) == col(Absence.enrolment_id))
        .where(and_(col(Absence.month) >= first.replace(day=1), col(Absence.month) <= last),
               *_cases(pathways, first, last, conditions))
        .order_by(col(Absence.enrolment_id), col(Absence.month))).all()


@dataclass(frozen=True)
class Watched:
    """A field the nightly check watches: missing on a case when it is due by ``cut`` (its anchor, the case's
    start or end, at or before ``cut``) and the case has none of ``events``, unless its participant's legal
    regime is one of ``not_for``."""

    key: str
    events: tuple[str, ...]
    anchor: str  # start | end
    cut: date
    not_for: tuple[str, ...]


def lacking(conn: Connection, pathway: str, fields: Sequence[Watched], ended_since: date) -> Sequence[Row[Any]]:
    """(case, kommune, participant, start, then one 0/1 column per field: missing) of the cases of ``pathway``
    that run or ended on ``ended_since`` or later and miss at least one of ``fields``. The events are read
    once, from the index (ix_event_name_enrolment), and grouped per case with one flag per field; the cases
    are joined to that, and only those that miss something come back."""
    names = sorted({n for f in fields for n in f.events})
    has = [func.max(case((col(Event.name).in_(list(f.events)), 1), else_=0)).label(f"has_{n}")
           for n, f in enumerate(fields)]
    seen = (select(col(Event.enrolment_id).label("case_id"), *has).where(col(Event.name).in_(names))
            .group_by(col(Event.enrolment_id)).subquery("seen"))
    missing = []
    for n, f in enumerate(fields):
        anchor = col(Enrolment.start_date) if f.anchor == "start" else col(Enrolment.ended_on)
        condition = and_(anchor.is_not(None), anchor <= f.cut, func.coalesce(seen.c[f"has_{n}"], 0) == 0)
        if f.not_for:
            condition = and_(condition, col(Participant.legal_regime).not_in(list(f.not_for)))
        missing.append(condition)
    columns = [case((m, 1), else_=0) for m in missing]
    return conn.execute(
        select(Enrolment.id, Enrolment.kommune_id, Enrolment.participant_id, Enrolment.start_date, *columns)
        .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
        .outerjoin(seen, seen.c.case_id == col(Enrolment.id))
        .where(col(Enrolment.pathway_id) == pathway,
               or_(col(Enrolment.ended_on).is_(None), col(Enrolment.ended_on) >= ended_since), or_(*missing))
        .order_by(col(Enrolment.id))).all()


# -- results one year after exit ----------------------------------------------------------------------------

def _exited(pathway: str, ended_by: date, conditions: Sequence[Any]) -> list[Any]:
    """The conditions on :class:`Enrolment` of the cases of ``pathway`` that ended by ``ended_by`` (not moved
    to another pathway), in ``conditions``' scope."""
    return [col(Enrolment.pathway_id) == pathway, col(Enrolment.ended_on).is_not(None),
            col(Enrolment.ended_on) <= ended_by, col(Enrolment.status) != "transferred", *conditions]


def exits(conn: Connection, pathway: str, ended_by: date, conditions: Sequence[Any]) -> Sequence[Row[Any]]:
    """(case, participant, ended on) of the cases :func:`_exited` keeps."""
    return conn.execute(select(Enrolment.id, Enrolment.participant_id, Enrolment.ended_on)
                        .where(*_exited(pathway, ended_by, conditions))).all()


def exit_periods(conn: Connection, pathway: str, ended_by: date, conditions: Sequence[Any], sources: Sequence[str],
                 confirmed_only: bool) -> Sequence[Row[Any]]:
    """(participant, source, start, end) of the livelihood periods of ``sources`` of the participants of
    :func:`exits`, read by one join (the caller keeps those covering each participant's day)."""
    exited = select(Enrolment.participant_id).where(*_exited(pathway, ended_by, conditions))
    query = (select(LivelihoodPeriod.participant_id, LivelihoodPeriod.source, LivelihoodPeriod.start,
                    LivelihoodPeriod.end)
             .where(col(LivelihoodPeriod.participant_id).in_(exited),
                    col(LivelihoodPeriod.source).in_(list(sources))))
    if confirmed_only:
        query = query.where(col(LivelihoodPeriod.planned).is_(False))
    return conn.execute(query).all()


def exit_cases(conn: Connection, pathway: str, ended_by: date, conditions: Sequence[Any], pathways: Sequence[str]
               ) -> Sequence[Row[Any]]:
    """(participant, pathway, start, ended on) of the cases of ``pathways`` of the same participants."""
    exited = select(Enrolment.participant_id).where(*_exited(pathway, ended_by, conditions))
    later = aliased(Enrolment)
    return conn.execute(
        select(later.participant_id, later.pathway_id, later.start_date, later.ended_on)
        .where(col(later.participant_id).in_(exited), col(later.pathway_id).in_(list(pathways)))).all()
