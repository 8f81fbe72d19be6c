"""Benchmark: the nightly sweep over a demo store of 100 000 participants.

Targets (issue 4): a full sweep under 10 s on SQLite and on PostgreSQL, peak memory under 1 GB.
Reports, in the same run, the sweep divided by a plain scan of the rows it reads (how close to the I/O
limit), and the speed-up over a naive loop with one query per case and over one Prefect flow run per
case (each measured on a sample and extrapolated).

    python bench/checks.py --url sqlite:///var/bench.db --create 100000
    python bench/checks.py --url postgresql://postgres@127.0.0.1:5432/demo100k
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Connection, Engine, delete, func, select  # noqa: E402

from bench._timing import timed  # noqa: E402
from pathways.checks.sweep import run_checks  # noqa: E402
from pathways.engine.state import ACTIVE  # noqa: E402
from pathways.store.database import make_engine  # noqa: E402
from pathways.store.tables import Deadline, Enrolment, Flag, LivelihoodPeriod, Participant  # noqa: E402

ON = date(2026, 11, 22)


def plain_scan(engine: Engine) -> float:
    """Read the rows the rules read, with no processing: the floor for a set-based sweep."""
    def scan() -> int:
        rows = 0
        with engine.connect() as connection:
            for query in (
                select(Deadline.enrolment_id, Deadline.kommune_id, Deadline.key, Deadline.title, Deadline.kind,
                       Deadline.recurring, Deadline.due, Enrolment.participant_id)
                .join(Enrolment, Enrolment.id == Deadline.enrolment_id).where(Enrolment.status == "active"),
                select(LivelihoodPeriod.participant_id, LivelihoodPeriod.source, LivelihoodPeriod.start,
                       LivelihoodPeriod.end, LivelihoodPeriod.planned),
                # the income gaps explain themselves with the steps of every active case
                select(Enrolment.participant_id, Enrolment.start_date, Enrolment.state).where(
                    Enrolment.status.in_(ACTIVE)),
                select(Participant.id, Participant.kommune_id, Participant.settlement_date, Participant.birth_date),
                select(Flag.id, Flag.natural_key, Flag.state, Flag.severity, Flag.message, Flag.due),
            ):
                rows += len(connection.execute(query).all())
        return rows
    seconds, _ = timed(scan)
    return seconds


def naive_case(connection: Connection, case_id: int, on: date) -> int:
    """What a loop over cases does: a few queries for one case, then the same decisions."""
    case = connection.execute(select(Enrolment.participant_id, Enrolment.status).where(Enrolment.id == case_id)).one()
    found = 0
    for (due,) in connection.execute(select(Deadline.due).where(
            Deadline.enrolment_id == case_id, Deadline.status.in_(("open", "breached")))):
        found += due <= on + timedelta(days=14)
    connection.execute(select(LivelihoodPeriod.start, LivelihoodPeriod.end).where(
        LivelihoodPeriod.participant_id == case.participant_id)).all()
    connection.execute(select(Participant.birth_date, Participant.settlement_date).where(
        Participant.id == case.participant_id)).one()
    connection.execute(select(Flag.id).where(Flag.enrolment_id == case_id)).all()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--create", type=int, default=0, help="first fill the store with this many demo participants")
    parser.add_argument("--flow-runs", type=int, default=10, help="sample of one-flow-run-per-case (0: skip)")
    args = parser.parse_args()
    engine = make_engine(args.url)
    if args.create:
        env = {"PATHWAYS_DATABASE_URL": args.url, "PATH": str(Path(sys.executable).parent)}
        pathways = str(Path(sys.executable).parent / "pathways")
        subprocess.run([pathways, "init", "--definitions", str(ROOT / "definitions")], env=env, check=True)
        subprocess.run([pathways, "demo", "--participants", str(args.create)], env=env, check=True)
    with engine.connect() as connection:
        active = connection.execute(select(func.count()).select_from(Enrolment).where(
            Enrolment.status.in_(ACTIVE))).scalar_one()
        participants = connection.execute(select(func.count()).select_from(Participant)).scalar_one()
    print(f"store: {engine.url.render_as_string()} — {participants:,} participants, {active:,} active cases")

    with engine.begin() as connection:
        connection.execute(delete(Flag))
    cold, report = timed(lambda: run_checks(engine, ON))
    flags = sum(c["new"] for c in report.counts.values())
    warm, _ = timed(lambda: run_checks(engine, ON))
    nightly, report = timed(lambda: run_checks(engine, ON + timedelta(days=1)))
    changed = sum(c["new"] + c["resolved"] for c in report.counts.values())
    scan = plain_scan(engine)
    print("the sweep in one process (run_checks, the reference):")
    print(f"first sweep (writes {flags:,} flags)           {cold:7.2f} s   target 10 s   ratio {cold / 10:.2f}")
    print(f"re-run on the same date (no changes)          {warm:7.2f} s   target 10 s   ratio {warm / 10:.2f}")
    print(f"next night ({changed:,} flags new or resolved)    {nightly:7.2f} s   target 10 s   "
          f"ratio {nightly / 10:.2f}")
    print(f"plain scan of the rows the sweep reads        {scan:7.2f} s   sweep / scan = {nightly / scan:.1f}")

    with engine.connect() as connection:
        ids = connection.execute(select(Enrolment.id).where(Enrolment.status == "active").limit(100)).scalars().all()
        per_case, _ = timed(lambda: [naive_case(connection, case, ON) for case in ids])
    naive = per_case / len(ids) * active
    print(f"naive loop, one query set per case: {per_case / len(ids) * 1000:.2f} ms/case (100 measured) → "
          f"{naive:,.0f} s for {active:,} cases; the sweep is {naive / nightly:.0f}× faster")
    if args.flow_runs:
        from prefect import flow
        from prefect.testing.utilities import prefect_test_harness

        @flow(name="en-sak")
        def one_case(case_id: int) -> int:
            with engine.connect() as connection:
                return naive_case(connection, case_id, ON)

        with prefect_test_harness(server_startup_timeout=120):
            import os

            from flows.nightly import nightly_checks, partitions
            os.environ["PATHWAYS_DATABASE_URL"] = args.url
            flowed, _ = timed(lambda: nightly_checks(run_date=ON + timedelta(days=2)))
            print(f"the nightly flow, {partitions()} partitions on Prefect's process pool (the night after): "
                  f"{flowed:.2f} s, ratio to one process {flowed / nightly:.2f}")
            one_case(ids[0])  # the first run starts the machinery; not counted
            runs, _ = timed(lambda: [one_case(case) for case in ids[:args.flow_runs]])
        per_run = runs / args.flow_runs
        print(f"one Prefect flow run per case: {per_run * 1000:.0f} ms/case ({args.flow_runs} measured) → "
              f"{per_run * active / 3600:,.1f} h for {active:,} cases; the sweep is {per_run * active / nightly:,.0f}× "
              "faster")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {peak:,.0f} MB (this process), {children:,.0f} MB (largest worker); target 1 024 MB")


if __name__ == "__main__":
    main()
