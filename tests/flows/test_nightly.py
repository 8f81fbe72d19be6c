"""The nightly checks through Prefect: the flow on a real (temporary) Prefect server, and
``pathways check``. One harness for the module, because each start costs 10–60 s; the rules
themselves are tested by calling ``pathways.checks`` directly, without Prefect."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

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
    assert copy.validate_parameters({"run_date": "2026-11-22"}) == {"run_date": RUN_DATE, "families": None}
    assert copy.validate_parameters({}) == {"run_date": None, "families": None}


@sqlite_only
def test_nightly_flow_runs_one_task_per_partition_and_raises_flags(prefect_server, store, monkeypatch):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    from flows.nightly import FAMILIES, FLOW_NAME, nightly_checks

    monkeypatch.setenv("PATHWAYS_CHECK_PARTITIONS", "2")
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
        # the deadlines and the income gaps in two shares of ids, every other family whole, the breaches
        # before them and the statistics after
        expected = {f"kontroll-{family}" for family in FAMILIES if family not in ("deadlines", "income_gaps")} | {
            "kontroll-deadlines-1av2", "kontroll-deadlines-2av2", "kontroll-income_gaps-1av2",
            "kontroll-income_gaps-2av2", "kontroll-frister-brutt", "kontroll-statistikk", "tilgangslogg-rydding",
            "oppbevaring-plan"}
        deadline, names = time.monotonic() + 20, set()
        while time.monotonic() < deadline:  # task runs reach the server as events, a moment later
            names = {t.name for t in client.read_task_runs(  # the sync client sends no defaults for these
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])), limit=50,
                sort=TaskRunSort.EXPECTED_START_TIME_ASC)}
            if len(names) == len(expected):
                break
            time.sleep(0.5)
    assert names == expected


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


@sqlite_only
def test_partitions_on_a_dask_cluster_give_the_flags_of_one_process(prefect_server, store, monkeypatch):
    """The partitions run by prefect-dask on a local Dask cluster of two worker processes end where the
    sweep in one process does, flag for flag."""
    from distributed import LocalCluster
    from prefect_dask import DaskTaskRunner
    from sqlalchemy import delete

    from flows.nightly import nightly_checks, task_runner
    from pathways.checks.sweep import run_checks
    from pathways.demo import generate

    generate(store.engine, 120, seed=11, today=RUN_DATE)
    run_checks(store.engine, RUN_DATE, partitions=1)
    alone = snapshot(store)
    assert len(alone) > 50
    with store.engine.begin() as connection:
        connection.execute(delete(Flag))

    monkeypatch.setenv("PATHWAYS_CHECK_PARTITIONS", "3")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        monkeypatch.setenv("PATHWAYS_DASK_ADDRESS", cluster.scheduler_address)
        runner = task_runner()
        assert isinstance(runner, DaskTaskRunner)
        state = nightly_checks.with_options(task_runner=runner)(run_date=RUN_DATE, return_state=True)
        assert state.is_completed(), state.message
        workers = {address for address, tasks in cluster.scheduler.workers.items()}
        assert len(workers) == 2
    assert snapshot(store) == alone
    counts = state.result()
    assert sum(n["open"] for n in counts.values()) == len([f for f in alone if f[2] != "resolved"])


def snapshot(ctx: Context) -> list[tuple]:
    """Every flag as (natural key, kind, state, severity, message, due), in key order."""
    return sorted((f.natural_key, f.kind, f.state, f.severity, f.message, f.due) for f in flags(ctx))


def test_partitions_setting_is_checked(monkeypatch):
    from flows.nightly import partitions

    monkeypatch.setenv("PATHWAYS_CHECK_PARTITIONS", "4")
    assert partitions() == 4
    for bad in ("0", "-1", "zwei", "2000"):
        monkeypatch.setenv("PATHWAYS_CHECK_PARTITIONS", bad)
        with pytest.raises(ValueError, match="PATHWAYS_CHECK_PARTITIONS"):
            partitions()


def test_the_backup_deployment_runs_at_half_past_one():
    from flows.backup import deployment

    made = deployment()
    schedule = made.schedules[0].schedule
    assert (made.name, made.entrypoint) == ("nattlig-sikkerhetskopi", "flows.backup.nightly_backup")
    assert (schedule.cron, schedule.timezone, made.concurrency_limit) == ("30 1 * * *", "Europe/Oslo", 1)


@sqlite_only
def test_the_nightly_backup_flow_writes_a_backup_and_keeps_the_newest(prefect_server, store, monkeypatch, tmp_path):
    from flows.backup import nightly_backup
    from pathways.services.backup import read_manifest

    folder = tmp_path / "kopier"
    folder.mkdir()
    older = [folder / f"pathways-2026110{d}T013000Z.tar" for d in range(1, 4)]
    for path in older:
        path.write_bytes(b"old")
    monkeypatch.setenv("PATHWAYS_BACKUP_DIR", str(folder))
    monkeypatch.setenv("PATHWAYS_BACKUP_KEEP", "2")
    state = nightly_backup(return_state=True)
    assert state.is_completed(), state.message
    report = state.result()
    made = read_manifest(Path(report["file"]))
    assert made.counts["enrolment"] == 1 and report["rows"] == sum(made.counts.values())
    assert report["removed"] == [str(p) for p in older[:2]]
    assert sorted(p.name for p in folder.iterdir()) == sorted([older[2].name, Path(
        report["file"]).name])

    monkeypatch.setenv("PATHWAYS_BACKUP_KEEP", "none")
    failed = nightly_backup(return_state=True)
    assert failed.is_failed() and "PATHWAYS_BACKUP_KEEP" in str(failed.message)
    assert len(list(folder.iterdir())) == 2  # nothing written
