"""The nightly sweep: run rule families and reconcile their flags with the store.

Per family, in one transaction: compute the flags that should exist (set-based, :mod:`rules`), insert
the new ones in bulk, refresh the ones still true, and resolve the ones whose condition no longer
holds (state ``resolved``, by ``system``, with the reason kept). A flag staff resolved stays resolved;
one the system resolved comes back if its condition returns; a snooze ends on its date. Running a
family twice on the same date changes nothing the second time, so a sweep killed halfway and run
again ends where an uninterrupted run does.

:func:`plan` cuts a sweep into units (a family, or a share of a family's cases); :func:`run_checks` runs
them one after the other in this process, the nightly flow (:mod:`flows.nightly`) as Prefect tasks in
parallel, and both must end with the same flags.

After the families, the sweep refreshes the planner statistics of the tables it rewrote and of every
table the caseload, the case page and the worklist read (:data:`PAGE_TABLES`: the day's new participants,
periods and events move their statistics too, and nothing else analyses them) with
:func:`pathways.store.bulk.refresh_statistics`, so the first pages of the day are planned on the store as
it now is. The SQL is the store's (:mod:`pathways.store.queries.flags`, :mod:`pathways.store.bulk`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine

from pathways.calendar import Clock, SystemClock
from pathways.checks.breach import KIND as BREACH_KIND
from pathways.checks.breach import perform_breaches
from pathways.checks.config import ChecksConfig, load_config
from pathways.checks.rules import DATA_ERROR, RULES, SHARDED, Candidate
from pathways.store import bulk
from pathways.store.queries import flags as flag_rows

FAMILIES: tuple[str, ...] = tuple(RULES)
AUTO_RESOLUTION = "Forholdet gjelder ikke lenger (lukket automatisk av nattlig kontroll)"
# seconds per family on 100 000 demo participants (53 355 active cases, SQLite, measured 2026-12-08), to order
# the units heaviest first; the rest take a few hundredths
WEIGHTS = {"income_gaps": 2.6, "programme_end": 0.45, "nir": 0.3, "deadlines": 0.15, "settlement": 0.15,
           "birthday": 0.1}


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
               config: ChecksConfig | None = None, partitions: int = 1, clock: Clock | None = None) -> SweepReport:
    """Run the named rule families (default: all) for ``on`` in this process, one partition after the
    other, each in its own transaction: the reference the nightly flow's partitions (run in parallel by
    a Prefect task runner, :mod:`flows.nightly`) must equal. ``clock`` stamps the flags written (default:
    the system clock)."""
    clock = clock or SystemClock()
    config = config or load_config()
    chosen = checked(families)
    report = SweepReport(on)
    if "deadlines" in chosen:  # deadlines that force a step first: the flags then see where the cases are
        report.add(BREACH_KIND, new=perform_breaches(engine, on, clock))
    for unit in plan(chosen, partitions):
        report.merge(run_unit(engine, on, unit, config, clock))
    finish(engine, chosen, report)
    return report


def checked(families: Iterable[str] | None) -> list[str]:
    """``families`` (default: all), refused when one is not a rule family."""
    chosen = list(families) if families is not None else list(FAMILIES)
    unknown = [f for f in chosen if f not in RULES]
    if unknown:
        raise ValueError(f"unknown rule family '{unknown[0]}' (families: {', '.join(FAMILIES)})")
    return chosen


def plan(families: Iterable[str], partitions: int) -> list[Unit]:
    """The units of work of a sweep of ``families`` in ``partitions`` parts: a family, or for the families
    that can split their work (:data:`SHARDED`) one unit per share of case or participant ids; heaviest first by the
    measured :data:`WEIGHTS`, so a pool of workers that takes them in order ends at about the same time."""
    if partitions < 1:
        raise ValueError(f"partitions must be at least 1, not {partitions}")
    units: list[Unit] = [(f, (i, partitions)) for f in families if f in SHARDED and partitions > 1
                         for i in range(partitions)]
    units += [(f, None) for f in families if f not in SHARDED or partitions == 1]
    return sorted(units, key=lambda u: -_weight(u))


def run_unit(engine: Engine, on: date, unit: Unit, config: ChecksConfig, clock: Clock) -> SweepReport:
    """One unit of :func:`plan`: its rule's flags computed and reconciled with the store in one
    transaction (idempotent: run twice on the same date, the second run changes nothing)."""
    family, shard = unit
    rule, kinds = RULES[family]
    report = SweepReport(on)
    with engine.begin() as connection:
        found = rule(connection, config, on, shard) if shard else rule(connection, config, on)
        reconcile(connection, kinds, found, on, report, shard, family, clock.now())
    return report


def finish(engine: Engine, families: Iterable[str], report: SweepReport) -> None:
    """After the units of a sweep: the planner statistics of the tables it rewrote and of the pages'."""
    bulk.refresh_statistics(engine, {*rewritten(families, report), *PAGE_TABLES})


def rewritten(families: Iterable[str], report: SweepReport) -> list[str]:
    """The tables a sweep of ``families`` rewrote, whose planner statistics it refreshes after: the
    flags; the cases' income projection (income gaps); the moved cases' events and deadlines."""
    tables = {"flag"}
    if "income_gaps" in families:
        tables.add("enrolment")
    if report.counts.get(BREACH_KIND, {}).get("new"):
        tables |= {"enrolment", "event", "deadline"}
    return sorted(tables)


PAGE_TABLES = ("enrolment", "participant", "flag", "deadline", "event", "note", "livelihoodperiod", "user", "cover",
               "task")
"""The tables the caseload, the case page and the worklist read, analysed after every sweep."""

Unit = tuple[str, tuple[int, int] | None]  # a rule family, and the share of its cases (or all)


def _weight(unit: Unit) -> float:
    family, shard = unit
    return WEIGHTS.get(family, 0.05) / (shard[1] if shard else 1)


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


def reconcile(connection: Connection, kinds: tuple[str, ...], candidates: list[Candidate], on: date,
              report: SweepReport, shard: tuple[int, int] | None, family: str | None, now: datetime) -> None:
    """Make the stored flags of ``kinds`` (of the cases in ``shard``), and the data errors of ``family``,
    match ``candidates`` (bulk statements, no query per flag); ``now`` stamps the rows written."""
    wanted = {c.natural_key: c for c in candidates}
    stored = {row[1]: _Stored(*row) for row in flag_rows.owned(
        connection, kinds, f"{DATA_ERROR}:{family}:" if family is not None else None, shard,
        by_participant=SHARDED.get(family or "", False), keys=wanted.keys())}
    new = [c for key, c in wanted.items() if key not in stored]
    changed, resolved = [], []
    for key, row in stored.items():
        candidate = wanted.get(key)
        if candidate is None:
            if row.state != "resolved":
                resolved.append(row.id)
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
    flag_rows.insert_open(connection, [(c.natural_key, c.kommune_id, c.enrolment_id, c.participant_id, c.kind,
                                        c.severity, c.due, c.message) for c in new], now)
    flag_rows.update_changed(connection, changed, now)
    flag_rows.resolve(connection, resolved, "system", AUTO_RESOLUTION, now)
    for kind, count in Counter(c.kind for c in new).items():
        report.add(kind, new=count)
    open_now = Counter(c.kind for key, c in wanted.items()
                       if key not in stored or stored[key].state != "resolved" or stored[key].resolved_by == "system")
    for kind in set(kinds) | set(open_now):
        report.add(kind, open=open_now.get(kind, 0))
