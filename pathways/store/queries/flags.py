"""The flags' queries: the header's counts, the flag list, and what the nightly sweep reconciles
(the stored flags of the kinds a rule family owns, and the bulk updates of the ones that changed)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, and_, bindparam, func, or_, select, update
from sqlmodel import Session, col

from pathways.store import bulk
from pathways.store.tables import Enrolment, Flag, Participant

LIVE_FLAG_STATES = ("open", "acknowledged", "snoozed")
FLAG_COLUMNS = ("natural_key", "kommune_id", "enrolment_id", "participant_id", "kind", "severity", "due", "message",
                "state", "created_at", "updated_at")


# -- the dashboard ---------------------------------------------------------------------------------


def open_by_severity(kommune: Sequence[Any], cases: Sequence[Any] | None = None) -> Select[Any]:
    """(severity, count) of the open flags: of the kommune (``kommune``: conditions on Flag, its kommune
    and the cases not handed over: :func:`pathways.services.access.flags`), or, with ``cases`` (conditions
    on Enrolment), of those cases only (a veileder's few hundred)."""
    if cases is None:
        query = select(Flag.severity, func.count()).where(*kommune, Flag.state == "open")
    else:
        query = (select(Flag.severity, func.count()).join(Enrolment, col(Enrolment.id) == col(Flag.enrolment_id))
                 .where(*cases, Flag.state == "open"))
    return query.group_by(col(Flag.severity))


def open_severity_by_key(natural_key: str) -> Select[Any]:
    """The severity of the open flag with this natural key (unique: one index lookup)."""
    return select(Flag.severity).where(Flag.natural_key == natural_key, Flag.state == "open")


def listing(session: Session, conditions: Sequence[Any], page_size: int, page: int
            ) -> tuple[int, int, list[tuple[Flag, str | None]]]:
    """(total, the page shown, its flags with their participant's name), the most severe first."""
    total = session.execute(select(func.count()).select_from(Flag).where(*conditions)).scalar_one()
    pages = max(1, -(-total // page_size))
    page = max(1, min(page, pages))
    rows = session.execute(
        select(Flag, Participant.name).outerjoin(Participant, col(Participant.id) == col(Flag.participant_id))
        .where(*conditions)
        .order_by((Flag.severity == "high").desc(), (Flag.severity == "medium").desc(), col(Flag.due),
                  col(Flag.id)).offset((page - 1) * page_size).limit(page_size)).all()
    return total, page, [(f, n) for f, n in rows]


def live(state: str) -> Any:
    """The condition on Flag.state for a listing: ``aktive`` is every live state."""
    return col(Flag.state).in_(LIVE_FLAG_STATES) if state == "aktive" else Flag.state == state


_FLAG_TABLE = Flag.__table__
_LIVE_OF_PARTICIPANT = select(_FLAG_TABLE.c.id, _FLAG_TABLE.c.natural_key, _FLAG_TABLE.c.kommune_id,
                              _FLAG_TABLE.c.due).where(
    _FLAG_TABLE.c.enrolment_id.in_(select(Enrolment.__table__.c.id).where(
        Enrolment.__table__.c.participant_id == bindparam("pid"))),
    _FLAG_TABLE.c.participant_id == bindparam("pid"), _FLAG_TABLE.c.kind == bindparam("kind"),
    _FLAG_TABLE.c.state.in_(LIVE_FLAG_STATES))
_LIVE_OF_CASES = select(_FLAG_TABLE.c.id, _FLAG_TABLE.c.natural_key, _FLAG_TABLE.c.kommune_id, _FLAG_TABLE.c.due,
                        _FLAG_TABLE.c.kind, _FLAG_TABLE.c.enrolment_id, _FLAG_TABLE.c.participant_id).where(
    _FLAG_TABLE.c.enrolment_id.in_(select(Enrolment.__table__.c.id).where(
        Enrolment.__table__.c.participant_id == bindparam("pid"))),
    _FLAG_TABLE.c.state.in_(LIVE_FLAG_STATES))
_RESOLVE_NOW = (update(_FLAG_TABLE).where(_FLAG_TABLE.c.id.in_(bindparam("ids", expanding=True)))
                .values(state="resolved", resolved_at=bindparam("now"), resolved_by=bindparam("by"),
                        resolution=bindparam("resolution"), updated_at=bindparam("now")))


def live_of_participant(session: Session, participant_id: int, kind: str) -> list[tuple[int, str, int, date | None]]:
    """(id, natural key, kommune, due) of the participant's live flags of ``kind``, found through their
    cases (index on flag.enrolment_id: a participant's flags hang on one of their cases)."""
    return [(i, k, m, d) for i, k, m, d in session.connection().execute(
        _LIVE_OF_PARTICIPANT, {"pid": participant_id, "kind": kind})]


class LiveFlag(NamedTuple):
    id: int
    natural_key: str
    kommune_id: int
    due: date | None
    kind: str
    case_id: int | None
    participant_id: int | None


def live_of_cases(session: Session, participant_id: int) -> list[LiveFlag]:
    """The live flags on the participant's cases: what recording an event reads once for the case's deadline
    flags and the participant's gap flags."""
    return [LiveFlag(*row) for row in session.connection().execute(_LIVE_OF_CASES, {"pid": participant_id})]


def resolve_now(session: Session, flag_ids: Sequence[int], by: str, resolution: str, now: datetime) -> None:
    """Resolve the flags in the caller's transaction (a change of the data that ends their condition)."""
    if flag_ids:
        session.connection().execute(_RESOLVE_NOW, {"ids": list(flag_ids), "now": now, "by": by,
                                                    "resolution": resolution})


# -- the nightly sweep -----------------------------------------------------------------------------


StoredRow = tuple[int, str, str, str, str, str, date | None, date | None, str | None]


KEYS_PER_QUERY = 500  # natural keys per lookup of the resolved flags a sweep finds again


def owned(connection: Connection, kinds: Sequence[str], error_prefix: str | None,
          shard: tuple[int, int] | None, by_participant: bool = False,
          keys: Collection[str] | None = None) -> list[StoredRow]:
    """(id, natural key, kind, state, severity, message, due, snoozed until, resolved by) of the stored
    flags of ``kinds`` and the data errors whose key starts with ``error_prefix``, of the cases in
    ``shard`` (ids ≡ i mod n; with ``by_participant``, the participants) or all. With ``keys`` (the flags
    the sweep finds), the live ones and, of the resolved ones, only those whose key is among ``keys``: a
    resolved flag not found again changes nothing, and they pile up night after night (a year of nights
    leaves several resolved flags for every live one), so a night's work stays that of the live flags."""
    column = Flag.participant_id if by_participant else Flag.enrolment_id
    condition: Any = Flag.kind.in_(kinds)
    if error_prefix is not None:
        condition = or_(condition, and_(Flag.kind == error_prefix.split(":", 1)[0],
                                        Flag.natural_key.startswith(error_prefix, autoescape=True)))
    columns = (Flag.id, Flag.natural_key, Flag.kind, Flag.state, Flag.severity, Flag.message, Flag.due,
               Flag.snoozed_until, Flag.resolved_by)
    in_shard = [column % shard[1] == shard[0]] if shard else []
    if keys is None:
        return [tuple(row) for row in connection.execute(select(*columns).where(condition, *in_shard))]
    found: list[StoredRow] = [tuple(row) for row in connection.execute(
        select(*columns).where(condition, Flag.state != "resolved", *in_shard))]
    wanted = sorted(keys)
    for start in range(0, len(wanted), KEYS_PER_QUERY):  # by the unique index on the natural key
        found += [tuple(row) for row in connection.execute(select(*columns).where(
            Flag.natural_key.in_(wanted[start:start + KEYS_PER_QUERY]), Flag.state == "resolved", condition))]
    return found


def insert_open(connection: Connection, rows: Sequence[tuple[Any, ...]], now: datetime) -> None:
    """New open flags, in bulk: (natural key, kommune, case, participant, kind, severity, due, message) each."""
    bulk.copy_rows(connection, "flag", FLAG_COLUMNS, ((*row, "open", now, now) for row in rows))


def update_changed(connection: Connection, changed: Sequence[dict[str, Any]], now: datetime) -> None:
    """Flags whose state, severity, message or due changed (dicts with flag_id and those, plus resolved_*)."""
    if changed:
        connection.execute(
            update(Flag).where(Flag.id == bindparam("flag_id")).values(
                state=bindparam("state"), severity=bindparam("severity"), message=bindparam("message"),
                due=bindparam("due"), resolved_at=bindparam("resolved_at"), resolved_by=bindparam("resolved_by"),
                updated_at=now), list(changed))


def resolve(connection: Connection, flag_ids: Sequence[int], by: str, resolution: str, now: datetime) -> None:
    if flag_ids:
        connection.execute(
            update(Flag).where(Flag.id == bindparam("flag_id")).values(
                state="resolved", resolved_at=now, resolved_by=by, resolution=resolution, updated_at=now),
            [{"flag_id": i} for i in flag_ids])
