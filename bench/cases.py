"""Benchmark: ``advance`` through the service layer (event row, projection, deadlines, gap recomputation).

Targets (issue 3): p50 ≤ 5 ms on SQLite and ≤ 10 ms on PostgreSQL, p95 ≤ 3 × p50. Runs on a fresh
SQLite file and, when PATHWAYS_TEST_POSTGRES_URL (or --postgres URL) is set, on a fresh PostgreSQL schema.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from bench._timing import postgres_schema  # noqa: E402
from pathways.calendar import FixedClock  # noqa: E402
from pathways.services import cases, livelihood, participants  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.services.publishing import publish_folder  # noqa: E402
from pathways.store.database import make_engine, migrate  # noqa: E402

CASES, EVENTS_PER_CASE = 100, 10


def advances(engine: Engine) -> list[float]:
    """The scenario on a migrated store: CASES supported_employment cases, then EVENTS_PER_CASE rounds of
    «arbeidsgiverkontakt» on each; the time of each of those ``advance`` calls in ms (bench/peers.py too)."""
    ctx = Context(engine, FixedClock(date(2026, 11, 22)), actor=Actor.system("bench"))
    publish_folder(ctx, ROOT / "definitions")
    ids = []
    for n in range(CASES):
        pid = participants.add_participant(ctx, name=f"Bench {n}", born="1992-03-04", settled="2024-01-10",
                                           kommune="Bærum", fields={"norwegian_oral": "B1"})
        livelihood.add_income(ctx, pid, "introduksjonsstonad", date(2025, 1, 1), date(2026, 12, 31))
        case = cases.enrol(ctx, pid, "supported_employment", date(2025, 1, 6))
        cases.advance(ctx, case, "samarbeidsavtale_signert", date(2025, 1, 10),
                      {"avtaledato": "2025-01-10", "programslutt_dato": "2026-12-31"})
        cases.advance(ctx, case, "karriereplan_utarbeidet", date(2025, 2, 1), {"karriereveiledning_gjennomfort": "ja"})
        ids.append(case)
    timings = []
    for round_ in range(EVENTS_PER_CASE):
        on = date(2025, 3, 1) + timedelta(days=7 * round_)
        for case in ids:
            started = time.perf_counter()
            cases.advance(ctx, case, "arbeidsgiverkontakt", on,
                          {"kontaktdato": on.isoformat(), "arbeidsgiver": "Kiwi", "kontakttype": "jobbsnekring"},
                          step="finne_jobb")
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def run(engine: Engine, label: str, targets: tuple[float, float]) -> None:
    migrate(engine)
    timings = advances(engine)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95)]
    print(f"{label:<11} advance × {len(timings)}: p50 {p50:6.2f} ms (target {targets[0]:g}, ratio "
          f"{p50 / targets[0]:.2f})   p95 {p95:6.2f} ms   p95/p50 {p95 / p50:.2f} (target ≤ 3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("PATHWAYS_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        run(engine, "SQLite", (5, 15))
        engine.dispose()
    if args.postgres:
        with postgres_schema(args.postgres) as engine:
            run(engine, "PostgreSQL", (10, 30))


if __name__ == "__main__":
    main()
