"""Benchmark: one transition through ``advance`` beside the smallest honest equivalent in two peer engines, in
one process run on the same store (issue 16, target 1: our p50 ≤ SpiffWorkflow's step on SQLite, ratio ≤ 1.0;
≤ 2.0 on PostgreSQL; p95/p50 ≤ 2).

Each peer step does what a case worker's click must do at least: load the case row, apply one transition, write
the state and a history row, commit. python-statemachine keeps the state name; SpiffWorkflow serializes its
workflow (JSON) into the row. Ours does that and more: the event row, the projection, the deadlines and the
income gaps (bench/cases.py's scenario, the same code: supported_employment cases recording «arbeidsgiverkontakt»).

Installs nothing: the peers run when they are importable (``pip install -e '.[bench]'``), else only ours.

    python bench/peers.py [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, Text, insert, select, update  # noqa: E402

from bench._timing import postgres_schema  # noqa: E402
from bench.cases import CASES, EVENTS_PER_CASE, advances  # noqa: E402
from pathways.store.database import make_engine, migrate  # noqa: E402

STEPS = EVENTS_PER_CASE
META = MetaData()
PEER_CASE = Table("peer_case", META, Column("id", Integer, primary_key=True), Column("state", Text, nullable=False))
PEER_HISTORY = Table("peer_history", META, Column("id", Integer, primary_key=True),
                     Column("case_id", Integer, nullable=False), Column("transition", String(64), nullable=False),
                     Column("at", String(32), nullable=False))


def percentiles(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95)]


def _peer(engine: Engine, first: str, step: Callable[[str], tuple[str, str]]) -> list[float]:
    """CASES rows in the peer table; STEPS rounds of: load the row, ``step`` (state → new state, transition),
    write the state and a history row, commit."""
    META.drop_all(engine)
    META.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(PEER_CASE), [{"id": n + 1, "state": first} for n in range(CASES)])
    timings = []
    for _round in range(STEPS):
        for case in range(1, CASES + 1):
            started = time.perf_counter()
            with engine.begin() as conn:
                state = conn.execute(select(PEER_CASE.c.state).where(PEER_CASE.c.id == case)).scalar_one()
                state, transition = step(state)
                conn.execute(update(PEER_CASE).where(PEER_CASE.c.id == case).values(state=state))
                conn.execute(insert(PEER_HISTORY).values(case_id=case, transition=transition,
                                                         at=time.strftime("%Y-%m-%dT%H:%M:%S")))
            timings.append((time.perf_counter() - started) * 1000)
    META.drop_all(engine)
    return timings


def statemachine_peer(engine: Engine) -> list[float] | None:
    try:
        from statemachine import State, StateMachine
    except ImportError:
        return None

    class Followup(StateMachine):  # a contact with an employer, again and again, as ours records it
        finding = State(initial=True)
        contacted = State()
        contact = finding.to(contacted) | contacted.to(contacted)

    def step(state: str) -> tuple[str, str]:
        machine = Followup(start_value=state)
        machine.send("contact")
        return str(machine.current_state_value), "contact"

    return _peer(engine, "finding", step)


def spiff_peer(engine: Engine) -> list[float] | None:
    try:
        from SpiffWorkflow.serializer.json import JSONSerializer
        from SpiffWorkflow.specs.Simple import Simple
        from SpiffWorkflow.specs.WorkflowSpec import WorkflowSpec
        from SpiffWorkflow.util.task import TaskState
        from SpiffWorkflow.workflow import Workflow
    except ImportError:
        return None
    spec = WorkflowSpec("case", addstart=True)
    previous = spec.start
    for n in range(STEPS + 1):
        task = Simple(spec, f"kontakt_{n}")
        previous.connect(task)
        previous = task
    serializer = JSONSerializer()

    def step(state: str) -> tuple[str, str]:
        workflow = serializer.deserialize_workflow(state)
        ready = workflow.get_tasks(state=TaskState.READY)
        ready[0].run()
        return serializer.serialize_workflow(workflow), ready[0].task_spec.name

    first = serializer.serialize_workflow(Workflow(spec))
    json.loads(first)  # it is JSON
    return _peer(engine, first, step)


def report(label: str, engine: Engine, ratio_target: float) -> None:
    migrate(engine)
    mine = advances(engine)
    p50, p95 = percentiles(mine)
    print(f"{label}: ours (advance: event, projection, deadlines, gaps) × {len(mine)}: p50 {p50:.2f} ms, "
          f"p95 {p95:.2f} ms, p95/p50 {p95 / p50:.2f} (target ≤ 2)")
    for name, run in (("python-statemachine", statemachine_peer), ("SpiffWorkflow", spiff_peer)):
        theirs = run(engine)
        if theirs is None:
            print(f"{label}: {name} is not installed (pip install -e '.[bench]'): skipped")
            continue
        q50, q95 = percentiles(theirs)
        target = f" (target ≤ {ratio_target:g})" if name == "SpiffWorkflow" else ""
        print(f"{label}: {name} (load, transition, state and history, commit) × {len(theirs)}: p50 {q50:.2f} ms, "
              f"p95 {q95:.2f} ms; ours ÷ theirs at p50: {p50 / q50:.2f}{target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", default=os.environ.get("PATHWAYS_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'peers.db'}")
        report("sqlite", engine, 1.0)
        engine.dispose()
    if args.postgres:
        with postgres_schema(args.postgres) as engine:
            report("postgresql", engine, 2.0)


if __name__ == "__main__":
    main()
