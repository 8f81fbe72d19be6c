"""The statements behind the worklist («I dag»): per source (live deadlines, flags of the nightly checks,
live income gaps) the items ranked in SQL — the first ``limit`` by rank, date and name, with how many
there are in all — and the counts alone for the header; the deadlines met late; the flags behind the
rows shown.

What leaves the list is decided here too, so that the count and the first rows agree without building
the rest: a deadline or gap whose flag staff acknowledged, snoozed (until a day still to come) or
resolved; a flag snoozed until a day still to come; a «vedtak mangler» flag whose participant has a
listed deadline (the deadline says it).

The callers pass the actor's scope as conditions (:mod:`pathways.services.access`) and the ranks as
numbers; nothing here knows who is asking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, String, and_, bindparam, case, cast, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import col

from pathways.engine.state import ACTIVE
from pathways.store.tables import Deadline, Enrolment, Flag, LivelihoodPeriod, Participant

_DECIDED = aliased(Flag, name="decided")  # the flag a staff decision was made on (made once: aliasing is slow)
DEADLINE_FLAG_KINDS = ("frist_brudd", "frist_nar", "frist_paminnelse", "oppfolging_forfalt")
GAP_KIND = "inntektsgap"
SAID_BY_DEADLINE = ("vedtak_mangler", "botid_2_ar")  # said once: by the case's own deadline when it has one


def _columns(*columns: Any) -> list[Any]:
    return [col(c) for c in columns]


def by_code_point(column: Any, dialect: str) -> Any:
    """``column`` ordered by code point, as Python orders strings (PostgreSQL's locale would not)."""
    return column.collate("C") if dialect == "postgresql" else column


def active_flag(flag: Any, today: date) -> Any:
    """A flag that asks for action today: open, or snoozed until today or earlier (the states said as a
    list first: index ranges)."""
    return and_(flag.state.in_(("open", "snoozed")),
                or_(flag.state == "open", and_(flag.state == "snoozed", flag.snoozed_until <= today)))


def _decided_flag(flag: Any, today: date) -> Any:
    """A flag staff decided on: acknowledged, snoozed (to a day still to come), resolved by a person."""
    return or_(flag.state == "acknowledged",
               and_(flag.state == "snoozed", or_(flag.snoozed_until.is_(None), flag.snoozed_until > today)),
               and_(flag.state == "resolved", flag.resolved_by != "system"))


# -- live deadlines --------------------------------------------------------------------------------------


def deadline_flag_kind(today: date) -> Any:
    """The flag kind of a live deadline, as the nightly check would flag it today."""
    recurring, breach, passed = col(Deadline.recurring), col(Deadline.kind) == "breach", col(Deadline.due) < today
    return case((and_(recurring, passed), "oppfolging_forfalt"), (and_(breach, passed), "frist_brudd"),
                (or_(breach, recurring), "frist_nar"), else_="frist_paminnelse")


def deadline_flag_key(today: date) -> Any:
    """The natural key of the flag the nightly check raises for a live deadline (``kind:case:key:due``)."""
    return (deadline_flag_kind(today) + ":" + cast(col(Deadline.enrolment_id), String) + ":" + col(Deadline.key)
            + ":" + cast(col(Deadline.due), String))


@dataclass(frozen=True)
class Scope:
    """Whose worklist, on which day: ``cases`` the conditions on :class:`Enrolment` and ``flags`` on
    :class:`Flag` (:mod:`pathways.services.access`); ``wide`` when that is a whole kommune (read by the
    kommune's indexes; a veileder's few cases are read from the cases); deadlines listed up to ``ahead``."""

    cases: tuple[Any, ...]
    flags: tuple[Any, ...]
    wide: bool
    today: date
    ahead: date
    dialect: str
    whole_kommune: int | None = None
    """The kommune when the scope is exactly its cases (a leder's): then said on :class:`Deadline` too, so
    that the deadlines are read by their own index and their case by its key."""
    handed_over: tuple[Any, ...] = ()
    """With ``whole_kommune``: the condition on :class:`Enrolment` that leaves out the cases handed over."""


def _of_case(scope: Scope) -> Any:
    """A deadline's case; for a whole kommune the kommune is said on the deadline too, so that the planner
    reads the kommune's deadlines by their own index (a veileder's are read from their cases)."""
    same = col(Enrolment.id) == col(Deadline.enrolment_id)
    return and_(same, col(Enrolment.kommune_id) == col(Deadline.kommune_id)) if scope.wide else same


def _status(scope: Scope) -> Any:
    """The deadline's status; for a veileder's cases written so that no planner picks the (status, due)
    index, which walks every kommune's deadlines (measured: 0.4 s), instead of starting from the cases."""
    return col(Deadline.status) if scope.wide else func.coalesce(col(Deadline.status), "")


def _listed_deadline(scope: Scope) -> Any:
    """A deadline the worklist lists: open or breached, due by ``ahead`` (a reminder only from today on:
    once passed, the breach deadline it prepares for takes over), its flag not decided by staff."""
    today, ahead = scope.today, scope.ahead
    if scope.whole_kommune is not None:  # the kommune's decided flags read once, not one lookup per deadline
        decided = deadline_flag_key(today).not_in(
            select(col(_DECIDED.natural_key)).where(col(_DECIDED.kommune_id) == scope.whole_kommune,
                                                    _decided_flag(_DECIDED, today)))
    else:
        decided = ~select(literal(1)).where(col(_DECIDED.natural_key) == deadline_flag_key(today),
                                            _decided_flag(_DECIDED, today)).exists()
    return and_(_status(scope).in_(("open", "breached")), col(Deadline.due) <= ahead,
                or_(col(Deadline.recurring), col(Deadline.kind) == "breach", col(Deadline.due) >= today), decided)


def _deadline_where(scope: Scope) -> list[Any]:
    if scope.whole_kommune is not None:
        # the kommune said on the deadline (its case is of the same kommune: :func:`_of_case`), and the case's
        # status written so that no planner starts from the kommune's active cases and looks up each one's
        # deadlines: SQLite did after the sweep's ANALYZE (a kommune's 2 500 listed deadlines: 13 ms, 4 ms)
        return [col(Deadline.kommune_id) == scope.whole_kommune, func.coalesce(col(Enrolment.status), "") == "active",
                _listed_deadline(scope), *scope.handed_over]
    return [*scope.cases, col(Enrolment.status) == "active", _listed_deadline(scope)]


def deadline_items(scope: Scope, ranks: Mapping[str, int], limit: int | None) -> Select[Any]:
    """The listed deadlines of the active cases in scope, the first ``limit`` (all: None) by rank (``ranks``
    per flag kind), due date and name; each row: rank, due, name, deadline (narrow rows: what the rows
    shown say comes from :func:`deadline_details`; how many there are, from :func:`deadline_count`: a
    window count would make SQLite keep and sort every row instead of the first ``limit``, measured 27 ms
    against 14 for a kommune's 3 000)."""
    rank = case(dict(ranks), value=deadline_flag_kind(scope.today))
    query = (select(rank, col(Deadline.due), col(Participant.name), col(Deadline.id))
             .select_from(Deadline)
             .join(Enrolment, _of_case(scope))
             .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
             .where(*_deadline_where(scope))
             .order_by(rank, col(Deadline.due), by_code_point(col(Participant.name), scope.dialect),
                       col(Deadline.id)))
    return query if limit is None else query.limit(limit)


# The statements of the rows shown take the ids or keys as an expanding parameter (``ids``, ``keys``) and
# are made once (per day where the day is in them): building a statement with its IN list and computing its
# cache key on every page cost more than running it.


@lru_cache(maxsize=4)
def deadline_details(today: date) -> Select[Any]:
    """(deadline, case, key, title, flag kind, participant, pathway version) of the deadlines named by the
    parameter ``ids``."""
    return (select(col(Deadline.id), col(Deadline.enrolment_id), col(Deadline.key), col(Deadline.title),
                   deadline_flag_kind(today), col(Enrolment.participant_id), col(Enrolment.pathway_version_id))
            .join(Enrolment, col(Enrolment.id) == col(Deadline.enrolment_id))
            .where(col(Deadline.id).in_(bindparam("ids", expanding=True))))


def deadline_count(scope: Scope) -> Select[Any]:
    return (select(func.count()).select_from(Deadline).join(Enrolment, _of_case(scope))
            .where(*_deadline_where(scope)))


def met_late(scope: Scope, since: date, limit: int | None) -> Select[Any]:
    """Deadlines of active cases in scope met after their due date, on ``since`` or later, the latest first,
    the first ``limit`` (all: None): case, name, title, due, met on, and how many there are in all."""
    query = (select(*_columns(Deadline.enrolment_id, Participant.name, Deadline.title, Deadline.due,
                              Deadline.met_on), func.count().over())
             .join(Enrolment, _of_case(scope))
             .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
             .where(*scope.cases, col(Enrolment.status) == "active", _status(scope) == "met",
                    col(Deadline.met_on) >= since, col(Deadline.met_on) > col(Deadline.due))
             .order_by(col(Deadline.met_on).desc(), col(Deadline.enrolment_id).desc(), col(Deadline.id)))
    return query if limit is None else query.limit(limit)


# -- flags of the nightly checks -------------------------------------------------------------------------


def _flag_where(scope: Scope, kinds: Sequence[str]) -> list[Any]:
    """Active flags in scope of ``kinds``, those only the nightly run knows (not deadlines or gaps: those
    come live), without a «vedtak mangler» whose participant has a listed deadline in scope. The kinds as
    a list: a kommune's flags are read by (kommune, kind, state) ranges."""
    has_deadline = (select(literal(1)).select_from(Deadline)
                    .join(Enrolment, col(Enrolment.id) == col(Deadline.enrolment_id))
                    .where(col(Enrolment.participant_id) == col(Flag.participant_id),
                           *_deadline_where(replace(scope, whole_kommune=None)))  # from the participant's cases
                    .correlate(Flag).exists())
    return [*scope.flags, col(Flag.kind).in_([k for k in kinds if k not in (*DEADLINE_FLAG_KINDS, GAP_KIND)]),
            active_flag(Flag, scope.today),
            or_(col(Flag.kind).not_in(SAID_BY_DEADLINE), ~has_deadline)]


def flag_items(scope: Scope, ranks: Mapping[str, int], limit: int | None) -> Select[Any]:
    """The active flags of the kinds ranked by ``ranks`` (rank per kind), the first ``limit`` (all: None) by
    rank, date (due, else today) and name; each row: rank, date, name, flag, kind, severity, message, case,
    participant, and how many rows there are in all."""
    rank = case(dict(ranks), value=col(Flag.kind))
    on = func.coalesce(col(Flag.due), scope.today)
    query = (select(rank, on, col(Participant.name), col(Flag.id), col(Flag.kind), col(Flag.severity),
                    col(Flag.message), col(Flag.enrolment_id), col(Flag.participant_id), func.count().over())
             .select_from(Flag)
             .outerjoin(Participant, col(Participant.id) == col(Flag.participant_id))
             .where(*_flag_where(scope, list(ranks)))
             .order_by(rank, on, by_code_point(func.coalesce(col(Participant.name), ""), scope.dialect),
                       col(Flag.id)))
    return query if limit is None else query.limit(limit)


def flag_count(scope: Scope, kinds: Sequence[str]) -> Select[Any]:
    return select(func.count()).select_from(Flag).where(*_flag_where(scope, kinds))


@lru_cache(maxsize=4)
def flag_ids(today: date) -> Select[Any]:
    """(natural key, id) of the active flags among the natural keys of the parameter ``keys``: the flag
    behind a row shown."""
    return (select(col(Flag.natural_key), col(Flag.id))
            .where(col(Flag.natural_key).in_(bindparam("keys", expanding=True)), active_flag(Flag, today)))


# -- live income gaps ------------------------------------------------------------------------------------


def gap_flag_key() -> Any:
    """The natural key of the nightly gap flag for the projection's gap (``inntektsgap:participant:from``)."""
    return GAP_KIND + ":" + cast(col(Enrolment.participant_id), String) + ":" + cast(col(Enrolment.gap_from), String)


def _gap_where(scope: Scope) -> list[Any]:
    """Active cases in scope whose participant has a gap not over by the live projection
    (``enrolment.gap_from``/``gap_to``: the first gap not over), its flag not decided by staff."""
    return [*scope.cases, col(Enrolment.status).in_(ACTIVE), col(Enrolment.gap_from).is_not(None),
            or_(col(Enrolment.gap_to).is_(None), col(Enrolment.gap_to) >= scope.today),
            ~select(literal(1)).where(col(_DECIDED.natural_key) == gap_flag_key(),
                                      _decided_flag(_DECIDED, scope.today)).exists()]


def gap_items(scope: Scope, now_rank: int, coming_rank: int, limit: int | None) -> Select[Any]:
    """One row per participant with a gap, the first ``limit`` (all: None) by rank (``now_rank`` when the gap
    runs today, else ``coming_rank``), its first day and name; each row: rank, from, name, participant,
    their first case in scope, and how many rows there are in all."""
    rank = case((col(Enrolment.gap_from) <= scope.today, now_rank), else_=coming_rank)
    query = (select(rank, col(Enrolment.gap_from), col(Participant.name), col(Enrolment.participant_id),
                    func.min(col(Enrolment.id)), func.count().over())
             .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
             .where(*_gap_where(scope))
             .group_by(col(Enrolment.participant_id), col(Enrolment.gap_from), col(Participant.name))
             .order_by(rank, col(Enrolment.gap_from), by_code_point(col(Participant.name), scope.dialect),
                       col(Enrolment.participant_id)))
    return query if limit is None else query.limit(limit)


def gap_count(scope: Scope) -> Select[Any]:
    return select(func.count(func.distinct(col(Enrolment.participant_id)))).where(*_gap_where(scope))


# -- the inputs of a gap computed in full (the rows shown) -----------------------------------------------


@lru_cache(maxsize=1)
def gap_cases() -> Select[Any]:
    """The active cases of the participants named by the parameter ``ids``, as the live projection reads
    them (participant, case, start, version, state, name)."""
    return (select(*_columns(Enrolment.participant_id, Enrolment.id, Enrolment.start_date,
                             Enrolment.pathway_version_id, Enrolment.state, Participant.name))
            .join(Participant, col(Participant.id) == col(Enrolment.participant_id))
            .where(col(Enrolment.participant_id).in_(bindparam("ids", expanding=True)),
                   col(Enrolment.status).in_(ACTIVE)))


@lru_cache(maxsize=1)
def periods() -> Select[Any]:
    """The livelihood periods of the participants named by the parameter ``ids`` (by start, then id, as the
    gap library reads them)."""
    return (select(*_columns(LivelihoodPeriod.participant_id, LivelihoodPeriod.source, LivelihoodPeriod.start,
                             LivelihoodPeriod.end, LivelihoodPeriod.planned, LivelihoodPeriod.id))
            .where(col(LivelihoodPeriod.participant_id).in_(bindparam("ids", expanding=True)))
            .order_by(col(LivelihoodPeriod.participant_id), col(LivelihoodPeriod.start), col(LivelihoodPeriod.id)))


# -- the counts of many veiledere at once (the morning summary) ------------------------------------------


def counts_by_caseworker(scope: Scope, flag_kinds: Sequence[str]) -> tuple[Select[Any], Select[Any], Select[Any]]:
    """The worklist's three counts (listed deadlines, flags, gaps) of every caseworker of ``scope``'s cases
    at once, each as rows (caseworker, count): the same conditions as :func:`deadline_count`,
    :func:`flag_count` and :func:`gap_count`, grouped by the case's caseworker. ``scope`` is a whole
    kommune's (``wide``); a flag without a case (the caseload flag about a jobbspesialist) is left out:
    the caller counts it by its key."""
    caseworker = col(Enrolment.caseworker)
    deadlines = (select(caseworker, func.count()).select_from(Deadline).join(Enrolment, _of_case(scope))
                 .where(*_deadline_where(scope)).group_by(caseworker))
    flags = (select(caseworker, func.count()).select_from(Flag)
             .join(Enrolment, col(Enrolment.id) == col(Flag.enrolment_id))
             .where(*_flag_where(scope, flag_kinds)).group_by(caseworker))
    gaps = (select(caseworker, func.count(func.distinct(col(Enrolment.participant_id))))
            .where(*_gap_where(scope)).group_by(caseworker))
    return deadlines, flags, gaps


def caseless_flags(scope: Scope, flag_kinds: Sequence[str]) -> Select[Any]:
    """(natural key, kind) of the active flags of ``flag_kinds`` in scope without a case (counted by whom
    their key names)."""
    return (select(col(Flag.natural_key), col(Flag.kind))
            .where(*_flag_where(scope, flag_kinds), col(Flag.enrolment_id).is_(None)))
