"""The nightly sweep: run rule families and reconcile their flags with the store.

Per family, in one transaction: compute the flags that should exist (set-based, :mod:`rules`), insert
the new ones in bulk, refresh the ones still true, and resolve the ones whose condition no longer
holds (state ``resolved``, by ``system``, with the reason kept). A flag staff resolved stays resolved;
one the system resolved comes back if its condition returns; a snooze ends on its date. Running a
family twice on the same date changes nothing the second time, so a sweep killed halfway and run
again ends where an uninterrupted run does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from multiprocessing import get_context
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, or_, select, update

from pathways.calendar import Clock, SystemClock
from pathways.checks.breach import KIND as BREACH_KIND
from pathways.checks.breach import perform_breaches
from pathways.checks.config import ChecksConfig, load_config
from pathways.checks.rules import DATA_ERROR, RULES, SHARDED, Candidate
from pathways.store.tables import Flag

FAMILIES: tuple[str, ...] = tuple(RULES)
AUTO_RESOLUTION = "Forholdet gjelder ikke lenger (lukket automatisk av nattlig kontroll)"
CHUNK = 5_000
# seconds per family on 100 000 demo participants (bench/checks.py), to share the work between processes;
# income_gaps estimated from 10 000 since it reads the steps of every case (×1.5), to be measured again
WEIGHTS = {"deadlines": 7.0, "income_gaps": 6.5, "settlement": 1.5, "programme_end": 1.0}


@dataclass
class SweepReport:
    on: date
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind → new, open, resolved

    def add(self, kind: str, **numbers: int) -> None:
        row = self.counts.setdefault(kind, {"new": 0, "open": 0, "resolved": 0})
        for key, value in numbers.items():
            row[key] += value

    def merge(self, other: SweepReport) -> None:
        for kind, numbers in other.counts.items():
            self.add(kind, **numbers)

    def as_json(self) -> dict[str, Any]:
        return {"date": self.on.isoformat(), "counts": dict(sorted(self.counts.items()))}


def run_checks(engine: Engine, on: date, families: Iterable[str] | None = None,
               config: ChecksConfig | None = None, workers: int = 1, clock: Clock | None = None) -> SweepReport:
    """Run the named rule families (default: all) for ``on``; each in its own transaction.

    With ``workers`` > 1 the work is shared between that many processes by measured weight; families
    that can (deadlines) split their cases between the processes too. Each process opens its own
    connection. ``clock`` stamps the flags written (default: the system clock).
    """
    clock = clock or SystemClock()
    config = config or load_config()
    chosen = list(families) if families is not None else list(FAMILIES)
    unknown = [f for f in chosen if f not in RULES]
    if unknown:
        raise ValueError(f"unknown rule family '{unknown[0]}' (families: {', '.join(FAMILIES)})")
    report = SweepReport(on)
    if "deadlines" in chosen:  # deadlines that force a step first: the flags then see where the cases are
        report.add(BREACH_KIND, new=perform_breaches(engine, on, clock))
    if workers > 1 and len(chosen) > 1 and engine.url.database not in (None, "", ":memory:"):
        units = [(f, (i, workers)) for f in chosen if f in SHARDED for i in range(workers)] + \
            [(f, None) for f in chosen if f not in SHARDED]
        shares: list[list[Unit]] = [[] for _ in range(workers)]
        loads = [0.0] * workers
        for unit in sorted(units, key=lambda u: -_weight(u)):  # heaviest first, to the lightest share
            lightest = loads.index(min(loads))
            shares[lightest].append(unit)
            loads[lightest] += _weight(unit)
        url = engine.url.render_as_string(hide_password=False)
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
            for part in pool.map(_run_share, [(url, on, share, config, clock) for share in shares if share]):
                report.merge(part)
        return report
    _run_units(engine, on, [(f, None) for f in chosen], config, report, clock)
    return report


Unit = tuple[str, tuple[int, int] | None]  # a rule family, and the share of its cases (or all)


def _weight(unit: Unit) -> float:
    family, shard = unit
    return WEIGHTS.get(family, 0.1) / (shard[1] if shard else 1)


def _run_units(engine: Engine, on: date, units: list[Unit], config: ChecksConfig, report: SweepReport,
               clock: Clock) -> None:
    for family, shard in units:
        rule, kinds = RULES[family]
        with engine.begin() as connection:
            found = rule(connection, config, on, shard) if shard else rule(connection, config, on)
            reconcile(connection, kinds, found, on, report, shard, family, clock.now())


def _run_share(args: tuple[str, date, list[Unit], ChecksConfig, Clock]) -> SweepReport:
    url, on, units, config, clock = args
    from pathways.store.database import make_engine

    engine = make_engine(url)
    report = SweepReport(on)
    try:
        _run_units(engine, on, units, config, report, clock)
    finally:
        engine.dispose()
    return report


@dataclass(slots=True)
class _Stored:
    """A stored flag, as much of it as reconciling needs (compact: a first night has 10⁵–10⁶ of them)."""

    id: int
    natural_key: str
    kind: str
    state: str
    severity: str
    message: str
    due: date | None
    snoozed_until: date | None
    resolved_by: str | None


_COLUMNS = ("natural_key", "kommune_id", "enrolment_id", "participant_id", "kind", "severity", "due", "message",
            "state", "created_at", "updated_at")


def _insert_new(connection: Connection, new: list[Candidate], now: datetime) -> None:
    """Bulk insert at the driver's speed: a nightly first run can add a few hundred thousand flags."""
    if not new:
        return
    if connection.dialect.name == "postgresql":  # COPY: an order of magnitude faster than INSERT batches
        raw = connection.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY flag ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for c in new:
                copy.write_row((c.natural_key, c.kommune_id, c.enrolment_id, c.participant_id, c.kind, c.severity,
                                c.due, c.message, "open", now, now))
        return
    marks = ", ".join("?" if connection.dialect.paramstyle == "qmark" else "%s" for _ in _COLUMNS)
    sql = f"INSERT INTO flag ({', '.join(_COLUMNS)}) VALUES ({marks})"
    # SQLite keeps datetimes as UTC text in SQLAlchemy's own format (sqlmodel's UTCDateTime reads it back
    # as UTC); PostgreSQL takes the aware value
    stamp: Any = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if connection.dialect.name == "sqlite" \
        else now
    rows = [(c.natural_key, c.kommune_id, c.enrolment_id, c.participant_id, c.kind, c.severity, c.due, c.message,
             "open", stamp, stamp) for c in new]
    for start in range(0, len(rows), CHUNK):
        connection.exec_driver_sql(sql, rows[start:start + CHUNK])


def reconcile(connection: Connection, kinds: tuple[str, ...], candidates: list[Candidate], on: date,
              report: SweepReport, shard: tuple[int, int] | None, family: str | None, now: datetime) -> None:
    """Make the stored flags of ``kinds`` (of the cases in ``shard``), and the data errors of ``family``,
    match ``candidates`` (bulk statements, no query per flag); ``now`` stamps the rows written."""
    wanted = {c.natural_key: c for c in candidates}
    owned = Flag.kind.in_(kinds)
    if family is not None:
        mine = Flag.natural_key.startswith(f"{DATA_ERROR}:{family}:", autoescape=True)
        owned = or_(owned, and_(Flag.kind == DATA_ERROR, mine))
    stored = {row[1]: _Stored(*row) for row in connection.execute(
        select(Flag.id, Flag.natural_key, Flag.kind, Flag.state, Flag.severity, Flag.message, Flag.due,
               Flag.snoozed_until, Flag.resolved_by).where(
            owned, *([Flag.enrolment_id % shard[1] == shard[0]] if shard else [])))}
    new = [c for key, c in wanted.items() if key not in stored]
    changed, resolved = [], []
    for key, row in stored.items():
        candidate = wanted.get(key)
        if candidate is None:
            if row.state != "resolved":
                resolved.append({"flag_id": row.id})
                report.add(row.kind, resolved=1)
            continue
        state = row.state
        if state == "resolved" and row.resolved_by == "system":
            state = "open"  # the condition is back
        elif state == "snoozed" and row.snoozed_until is not None and row.snoozed_until <= on:
            state = "open"
        if (state, candidate.severity, candidate.message, candidate.due) != (row.state, row.severity, row.message,
                                                                            row.due):
            changed.append({"flag_id": row.id, "state": state, "severity": candidate.severity,
                            "message": candidate.message, "due": candidate.due,
                            "resolved_at": None if state != "resolved" else now,
                            "resolved_by": None if state != "resolved" else row.resolved_by})
    _insert_new(connection, new, now)
    if changed:
        connection.execute(
            update(Flag).where(Flag.id == bindparam("flag_id")).values(
                state=bindparam("state"), severity=bindparam("severity"), message=bindparam("message"),
                due=bindparam("due"), resolved_at=bindparam("resolved_at"), resolved_by=bindparam("resolved_by"),
                updated_at=now), changed)
    if resolved:
        connection.execute(
            update(Flag).where(Flag.id == bindparam("flag_id")).values(
                state="resolved", resolved_at=now, resolved_by="system", resolution=AUTO_RESOLUTION, updated_at=now),
            resolved)
    for kind, count in Counter(c.kind for c in new).items():
        report.add(kind, new=count)
    open_now = Counter(c.kind for key, c in wanted.items()
                       if key not in stored or stored[key].state != "resolved" or stored[key].resolved_by == "system")
    for kind in set(kinds) | set(open_now):
        report.add(kind, open=open_now.get(kind, 0))
