"""The bookkeeping of migration runs: a run killed halfway is marked interrupted by the run that resumes
it, with the number of cases it did move (counted in each case's own transaction)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from sqlmodel import Session, col, select

from pathways.services import authoring
from pathways.services.context import Context
from pathways.store.tables import MigrationRun
from tests.conftest import ROOT
from tests.services.test_authoring import MAPPING, law_2025, running  # noqa: F401  (a fixture)

KILLED_HALFWAY = textwrap.dedent("""
    import os, signal, sys
    from datetime import date
    from pathways.calendar import FixedClock
    from pathways.services import authoring
    from pathways.services.context import Actor, Context
    from pathways.store.database import make_engine
    from tests.services.test_authoring import MAPPING
    ctx = Context(make_engine(sys.argv[1]), FixedClock(date.fromisoformat(sys.argv[2])), actor=Actor.system("migrator"))
    # kill -9 after the first case: no handler runs, nothing is tidied up
    authoring.migrate(ctx, "introduksjonsprogram", 1, 2, MAPPING, batch=1,
                      progress=lambda *_: os.kill(os.getpid(), signal.SIGKILL))
""")


def runs(ctx: Context) -> list[MigrationRun]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(MigrationRun).order_by(col(MigrationRun.id))).all())


def test_a_run_killed_halfway_is_marked_interrupted_when_the_next_run_resumes_it(ctx, clock, running):  # noqa: F811
    """The killed process reaches the store through its URL (on PostgreSQL the test's schema is in it)."""
    authoring.publish(ctx, law_2025(), "2025-revisjonen")
    killed = subprocess.run([sys.executable, "-c", KILLED_HALFWAY, ctx.engine.url.render_as_string(hide_password=False),
                             clock.today().isoformat()],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9, killed.stderr
    [first] = runs(ctx)
    assert first.finished_at is None and first.moved == 1 and first.report is None

    second = authoring.migrate(ctx, "introduksjonsprogram", 1, 2, MAPPING)
    assert len(second.moved) == 2 and second.already == 1 and second.resumed == [first.id]
    assert f"resumes the interrupted run(s) {first.id}" in "\n".join(second.lines())
    first, done = runs(ctx)
    assert first.finished_at is None and first.moved == 1
    assert json.loads(first.report or "") == {"interrupted": True, "resumed_by": second.run_id, "cannot_move": []}
    assert done.finished_at and done.moved == 2
    assert authoring.migrate(ctx, "introduksjonsprogram", 1, 2, MAPPING).resumed == []  # marked once


def test_a_run_stopped_by_an_error_is_marked_at_once_and_resumed(ctx, running):  # noqa: F811
    authoring.publish(ctx, law_2025(), "2025-revisjonen")

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        authoring.migrate(ctx, "introduksjonsprogram", 1, 2, MAPPING, batch=1, progress=interrupt)
    [first] = runs(ctx)
    assert first.moved == 1 and json.loads(first.report or "")["interrupted"] is True
    second = authoring.migrate(ctx, "introduksjonsprogram", 1, 2, MAPPING)
    assert second.resumed == [first.id] and len(second.moved) == 2
    assert json.loads(runs(ctx)[0].report or "")["resumed_by"] == second.run_id
