"""The nightly checks through Prefect: the flow on a real (temporary) Prefect server, and
``pathways check``. One harness for the module, because each start costs 10–60 s; the rules
themselves are tested by calling ``pathways.checks`` directly, without Prefect."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date

import cloudpickle
import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from pathways.cli import main
from pathways.services import cases, participants
from pathways.services.context import Context
from pathways.store.tables import Flag

RUN_DATE = date(2026, 11, 22)  # the date of the `clock` fixture

# Prefect runs only against the SQLite store here: the flow is the same on PostgreSQL, and the
# sweep's PostgreSQL behaviour is tested without Prefect.
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture(scope="module")
def prefect_server() -> Iterator[None]:
    """A temporary Prefect server (its own SQLite) for the tests of this module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # no telemetry calls from the server
        from prefect.testing.utilities import prefect_test_harness

        with prefect_test_harness(server_startup_timeout=90):
            yield


@pytest.fixture
def store(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> Context:
    """The test store as the store of the flow's tasks (they read PATHWAYS_DATABASE_URL), with one
    Supported Employment case started a year ago: its first employer contact is long overdue."""
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", ctx.engine.url.render_as_string(hide_password=False))
    pid = participants.add_participant(ctx, name="Amina", born="1994-02-10", settled="2022-08-01",
                                       kommune="Asker", fields={"norwegian_oral": "A2"})
    cases.enrol(ctx, pid, "supported_employment", date(2025, 11, 22))
    return ctx


def flags(ctx: Context) -> list[Flag]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Flag)))


def test_flow_parameters_survive_pickling():
    """A served run gets the flow pickled by value; its ``date`` parameter must still validate."""
    from flows.nightly import nightly_checks

    copy = cloudpickle.loads(cloudpickle.dumps(nightly_checks))
    assert copy.validate_parameters({"run_date": "2026-11-22"}) == {"run_date": RUN_DATE}
    assert copy.validate_parameters({}) == {"run_date": None}


@sqlite_only
def test_nightly_flow_runs_one_task_per_family_and_raises_flags(prefect_server, store):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    from flows.nightly import FAMILIES, FLOW_NAME, nightly_checks

    state = nightly_checks(run_date=RUN_DATE, return_state=True)

    assert state.is_completed(), state.message
    counts = state.result()
    stored = flags(store)
    assert stored, "the overdue case raised no flag"
    assert sum(n["new"] for n in counts.values()) == len(stored)
    for kind, numbers in counts.items():
        assert numbers["open"] == sum(1 for f in stored if f.kind == kind and f.state == "open"), kind

    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        assert run.state is not None and run.state.is_completed()
        assert client.read_flow(run.flow_id).name == FLOW_NAME
        deadline, names = time.monotonic() + 20, set()
        while time.monotonic() < deadline:  # task runs reach the server as events, a moment later
            names = {t.name for t in client.read_task_runs(  # the sync client sends no defaults for these
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])), limit=50,
                sort=TaskRunSort.EXPECTED_START_TIME_ASC)}
            if len(names) == len(FAMILIES):
                break
            time.sleep(0.5)
    assert names == {f"kontroll-{family}" for family in FAMILIES}


@sqlite_only
def test_pathways_check_prints_counts_and_a_rerun_adds_nothing(prefect_server, store):
    runner = CliRunner()
    first = runner.invoke(main, ["check", "--date", RUN_DATE.isoformat(), "--json"])
    assert first.exit_code == 0, first.output
    counts = json.loads(first.stdout)
    stored = flags(store)
    assert stored
    assert all(set(numbers) == {"new", "open", "resolved"} for numbers in counts.values())
    assert sum(n["new"] for n in counts.values()) == sum(n["open"] for n in counts.values()) == len(stored)

    again = runner.invoke(main, ["check", "--date", RUN_DATE.isoformat()])
    assert again.exit_code == 0, again.output
    total = again.stdout.strip().splitlines()[-1].split()
    assert total == ["total", "0", str(len(stored)), "0"]  # nothing new, the same flags open
    assert len(flags(store)) == len(stored)
