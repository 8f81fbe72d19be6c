"""The rows the nightly rules read (:mod:`pathways.checks.rules` states the rules). Each function is one
set-based query over indexed columns: never one query per case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, and_, exists, func, or_, select

from pathways.engine.state import ACTIVE
from pathways.store.tables import Deadline, Enrolment, Event, Handoff, LivelihoodPeriod, Participant, Unit


def _shard(shard: tuple[int, int] | None) -> list[Any]:
    return [Deadline.enrolment_id % shard[1] == shard[0]] if shard else []


def deadlines_due(conn: Connection, on: date, ahead: date, shard: tuple[int, int] | None = None
                  ) -> Iterable[Row[Any]]:
    """(case, kommune, key, title, kind, recurring, due, participant) of the open or breached deadlines of
    active cases due by ``ahead``: recurring ones and breach deadlines whatever their date, reminders from
    ``on``."""
    return conn.execute(
        select(Deadline.enrolment_id, Deadline.kommune_id, Deadline.key, Deadline.title, Deadline.kind,
               Deadline.recurring, Deadline.due, Enrolment.participant_id)
        .join(Enrolment, Enrolment.id == Deadline.enrolment_id)
        .where(Deadline.status.in_(("open", "breached")), Deadline.due <= ahead, Enrolment.status == "active",
               or_(Deadline.recurring, Deadline.kind == "breach", Deadline.due >= on), *_shard(shard)))


def programme_ends(conn: Connection, on: date, widest: date, end_deadlines: Mapping[str, str]) -> list[Row[Any]]:
    """(case, kommune, due, participant, pathway) of the end deadlines (``end_deadlines``: pathway → key)
    due from ``on`` to ``widest`` on cases running on ``on`` and still to meet then (as of ``on``, also a
    past date: a case ended or a deadline met after it counts as it was)."""
    conditions = [and_(Enrolment.pathway_id == pathway, Deadline.key == key) for pathway, key in end_deadlines.items()]
    running = and_(Enrolment.start_date <= on, or_(Enrolment.status.in_(ACTIVE), Enrolment.ended_on > on))
    to_meet = or_(Deadline.status.in_(("open", "breached")), and_(Deadline.status == "met", Deadline.met_on > on),
                  and_(Deadline.status == "waived", Enrolment.ended_on > on))
    return list(conn.execute(
        select(Deadline.enrolment_id, Deadline.kommune_id, Deadline.due, Enrolment.participant_id,
               Enrolment.pathway_id)
        .join(Enrolment, Enrolment.id == Deadline.enrolment_id)
        .where(Deadline.status.in_(("open", "breached", "met", "waived")), Deadline.due >= on,
               Deadline.due <= widest, or_(*conditions), running, to_meet)).all())


def cases_with_event(conn: Connection, events: Sequence[str], by: date, case_ids: Sequence[int]) -> set[int]:
    """Those of ``case_ids`` with one of ``events`` effective on or before ``by``."""
    return set(conn.execute(select(Event.enrolment_id).where(
        Event.name.in_(events), Event.effective_on <= by, Event.enrolment_id.in_(list(case_ids) or [-1]))).scalars())


def active_case_states(conn: Connection, shard: tuple[int, int] | None = None) -> Iterable[Row[Any]]:
    """(participant, case, kommune, start, version, state, gap from, gap to) of every active case, or of
    the participants in ``shard`` (ids ≡ i mod n)."""
    return conn.execute(
        select(Enrolment.participant_id, Enrolment.id, Enrolment.kommune_id, Enrolment.start_date,
               Enrolment.pathway_version_id, Enrolment.state, Enrolment.gap_from, Enrolment.gap_to)
        .where(Enrolment.status.in_(ACTIVE), *_by_participant(Enrolment.participant_id, shard)))


def periods_starting_by(conn: Connection, last: date, shard: tuple[int, int] | None = None) -> Iterable[Row[Any]]:
    """(participant, source, start, end, planned, id) of the livelihood periods starting by ``last`` of the
    participants with an active case (in ``shard``, or all): the others' periods are not read at all."""
    active = select(Enrolment.participant_id).where(Enrolment.status.in_(ACTIVE))
    return conn.execute(select(LivelihoodPeriod.participant_id, LivelihoodPeriod.source, LivelihoodPeriod.start,
                               LivelihoodPeriod.end, LivelihoodPeriod.planned, LivelihoodPeriod.id)
                        .where(LivelihoodPeriod.start <= last, LivelihoodPeriod.participant_id.in_(active),
                               *_by_participant(LivelihoodPeriod.participant_id, shard)))


def _by_participant(column: Any, shard: tuple[int, int] | None) -> list[Any]:
    return [column % shard[1] == shard[0]] if shard else []


def born_between(conn: Connection, pathways: Sequence[str], after: date, by: date) -> Iterable[Row[Any]]:
    """(case, kommune, participant, born) of active cases on ``pathways`` of those born after ``after``
    and by ``by``."""
    return conn.execute(
        select(Enrolment.id, Enrolment.kommune_id, Enrolment.participant_id, Participant.birth_date)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .where(Enrolment.status.in_(ACTIVE), Enrolment.pathway_id.in_(pathways),
               Participant.birth_date <= by, Participant.birth_date > after))


def settled_undecided(conn: Connection, since: date, decision_pathway: str, undecided_steps: Sequence[str]
                      ) -> Iterable[Row[Any]]:
    """(participant, kommune, settled) of those settled from ``since`` with no case on the decision
    pathway past its undecided steps."""
    decided = exists().where(Enrolment.participant_id == Participant.id,
                             Enrolment.pathway_id == decision_pathway,
                             ~or_(*[Enrolment.current_steps == s for s in undecided_steps]))
    return conn.execute(select(Participant.id, Participant.kommune_id, Participant.settlement_date)
                        .where(Participant.settlement_date.is_not(None), Participant.settlement_date >= since,
                               ~decided))


def caseworkers_over(conn: Connection, pathways: Sequence[str], most: int) -> Iterable[Row[Any]]:
    """(kommune, caseworker, active cases) of caseworkers with more than ``most`` active cases on ``pathways``."""
    return conn.execute(
        select(Enrolment.kommune_id, Enrolment.caseworker, func.count())
        .where(Enrolment.status.in_(ACTIVE), Enrolment.pathway_id.in_(pathways), Enrolment.caseworker.is_not(None))
        .group_by(Enrolment.kommune_id, Enrolment.caseworker).having(func.count() > most))


def active_in_steps(conn: Connection, pathway: str, steps: Sequence[str]) -> Iterable[Row[Any]]:
    """(case, kommune, participant, state) of active cases on ``pathway`` in one of ``steps``."""
    return conn.execute(
        select(Enrolment.id, Enrolment.kommune_id, Enrolment.participant_id, Enrolment.state)
        .where(Enrolment.status == "active", Enrolment.pathway_id == pathway,
               or_(*[Enrolment.current_steps.contains(s) for s in steps])))


def in_steps_without_income(conn: Connection, pathways: Sequence[str], steps: Sequence[str],
                            sources: Sequence[str], on: date) -> Iterable[Row[Any]]:
    """(case, kommune, participant) of active cases on ``pathways`` in one of ``steps`` whose participant
    has no livelihood period of ``sources`` covering ``on``."""
    covered = exists().where(LivelihoodPeriod.participant_id == Enrolment.participant_id,
                             LivelihoodPeriod.source.in_(sources), LivelihoodPeriod.start <= on,
                             or_(LivelihoodPeriod.end.is_(None), LivelihoodPeriod.end >= on))
    return conn.execute(
        select(Enrolment.id, Enrolment.kommune_id, Enrolment.participant_id)
        .where(Enrolment.status == "active", Enrolment.pathway_id.in_(pathways),
               or_(*[Enrolment.current_steps.contains(s) for s in steps]), ~covered))


def active_versions(conn: Connection) -> list[int]:
    """The published versions that have an active case."""
    return list(conn.execute(select(Enrolment.pathway_version_id).where(Enrolment.status == "active")
                             .distinct()).scalars())


def breach_deadlines_passed(conn: Connection, before: date, keys: Sequence[str]) -> list[tuple[int, str, int]]:
    """(case, deadline key, version) of the one-off breach deadlines of ``keys`` still open or breached and
    due before ``before`` on active cases, by case and key."""
    return [(c, k, v) for c, k, v in conn.execute(
        select(Deadline.enrolment_id, Deadline.key, Enrolment.pathway_version_id)
        .join(Enrolment, Enrolment.id == Deadline.enrolment_id)
        .where(Enrolment.status == "active", Deadline.kind == "breach", Deadline.recurring == False,  # noqa: E712
               Deadline.status.in_(("open", "breached")), Deadline.due < before, Deadline.key.in_(list(keys)))
        .order_by(Deadline.enrolment_id, Deadline.key))]


def handoffs_pending(conn: Connection, sent_by: date) -> list[Row[Any]]:
    """(hand-off, case, kommune, participant, receiving unit's name, sent on, planned on) of the hand-offs
    sent on or before ``sent_by`` and still waiting for their receiver."""
    return list(conn.execute(
        select(Handoff.id, Handoff.enrolment_id, Handoff.kommune_id, Enrolment.participant_id, Unit.name,
               Handoff.sent_on, Handoff.planned_on)
        .join(Enrolment, Enrolment.id == Handoff.enrolment_id).join(Unit, Unit.id == Handoff.to_unit_id)
        .where(Handoff.status == "pending", Handoff.sent_on <= sent_by)).all())


def handoffs_without_income(conn: Connection, on: date, by: date) -> list[Row[Any]]:
    """(hand-off, case, kommune, participant, receiving unit's name, planned on) of the hand-offs waiting or
    accepted whose planned date is from ``on`` to ``by`` and on which no livelihood period (planned or
    confirmed) of the participant runs."""
    covered = exists().where(LivelihoodPeriod.participant_id == Enrolment.participant_id,
                             LivelihoodPeriod.start <= Handoff.planned_on,
                             or_(LivelihoodPeriod.end.is_(None), LivelihoodPeriod.end >= Handoff.planned_on))
    return list(conn.execute(
        select(Handoff.id, Handoff.enrolment_id, Handoff.kommune_id, Enrolment.participant_id, Unit.name,
               Handoff.planned_on)
        .join(Enrolment, Enrolment.id == Handoff.enrolment_id).join(Unit, Unit.id == Handoff.to_unit_id)
        .where(Handoff.status.in_(("pending", "accepted")), Handoff.planned_on >= on, Handoff.planned_on <= by,
               ~covered)).all())
