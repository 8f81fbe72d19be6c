"""The nightly checks ("nattlig kontroll") as a Prefect flow, and its served deployment.

The sweep of :mod:`pathways.checks.sweep` is cut into partitions (a rule family, or a family × a share
of the case ids for the families that can split: :func:`pathways.checks.sweep.plan`), and each
partition is a Prefect task submitted through the flow's task runner: by default Prefect's
``ProcessPoolTaskRunner`` (one process per core of this machine), or, with ``PATHWAYS_DASK_ADDRESS``
set, ``prefect-dask``'s ``DaskTaskRunner`` on that Dask scheduler, which runs them on as many machines
as the cluster has. Each task only calls ``run_unit`` and returns the counts, so all logic stays in
``pathways``, and ``run_checks`` (the same partitions one after the other in one process) is the
reference the flow must equal. A partition is idempotent and runs in its own transaction: a failed
one does not stop the others, is retried once, and fails the flow run at the end.

The case state lives in our tables, not in Prefect (ARCHITECTURE.md, decision 1): a flow run is a
short set-based sweep over all active cases, never one run per case.

``python -m flows.nightly`` serves the deployment ``nattlig-kontroll/nattlig`` (cron 02:00
Europe/Oslo) against the Prefect server named by ``PREFECT_API_URL``; ``pathways run`` starts a local
server and this together, ``pathways check`` runs the flow once on demand.
"""

# No ``from __future__ import annotations`` here: a served run gets the flow pickled by value, and
# pydantic then cannot resolve the string annotation ``date`` when it validates the parameters.
import os
from datetime import date
from typing import Any

from prefect import flow, get_run_logger, task
from prefect import serve as prefect_serve
from prefect.cache_policies import NO_CACHE
from prefect.deployments.runner import RunnerDeployment
from prefect.futures import PrefectFuture
from prefect.schedules import Cron
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner
from prefect.types.entrypoint import EntrypointType

from pathways.calendar import FixedClock, SystemClock
from pathways.checks.breach import KIND as BREACH_KIND
from pathways.checks.breach import perform_breaches
from pathways.checks.config import load_config
from pathways.checks.sweep import FAMILIES, SweepReport, Unit, checked, finish, plan, run_unit
from pathways.home import env_count
from pathways.services import readlog, retention
from pathways.services.context import Actor, Context
from pathways.store.database import make_engine

__all__ = ["CRON", "DEPLOYMENT", "FAMILIES", "FLOW_NAME", "TIMEZONE", "deployment", "nightly_checks", "partition_name",
           "serve", "task_runner"]

FLOW_NAME = "nattlig-kontroll"
DEPLOYMENT = "nattlig"
CRON = "0 2 * * *"
TIMEZONE = "Europe/Oslo"
DASK_ADDRESS = "PATHWAYS_DASK_ADDRESS"
PARTITIONS = "PATHWAYS_CHECK_PARTITIONS"

Counts = dict[str, dict[str, int]]


def task_runner() -> TaskRunner[Any]:
    """The runner of the partitions: the Dask scheduler at ``PATHWAYS_DASK_ADDRESS`` (``tcp://host:8786``)
    when set, else a pool of local processes, one per core (``PREFECT_TASKS_RUNNER_PROCESS_POOL_MAX_WORKERS``
    sets another number)."""
    address = os.environ.get(DASK_ADDRESS, "").strip()
    if address:
        from prefect_dask import DaskTaskRunner

        return DaskTaskRunner(address=address)
    return ProcessPoolTaskRunner()


def partitions() -> int:
    """How many shares the families that can split are cut into: ``PATHWAYS_CHECK_PARTITIONS``, default the
    number of cores here (a Dask cluster with more workers wants more)."""
    return env_count(PARTITIONS, os.cpu_count() or 1, 1, 1024)


def partition_name(unit: Unit) -> str:
    """``kontroll-deadlines`` or, for a share, ``kontroll-deadlines-2av4``: what the Prefect UI shows."""
    family, shard = unit
    return f"kontroll-{family}" + (f"-{shard[0] + 1}av{shard[1]}" if shard else "")


# No caching: a sweep must look at the store every time it runs. Each task opens its own engine on the
# store of PATHWAYS_DATABASE_URL, as every other entry point (the runner passes the environment on).
@task(name="kontroll-frister-brutt", task_run_name="kontroll-frister-brutt", cache_policy=NO_CACHE, retries=1,
      retry_delay_seconds=10)
def breaches(on: date) -> int:
    """Deadlines that force a step, performed before the families: the flags then see where the cases are."""
    engine = make_engine()
    try:
        return perform_breaches(engine, on, SystemClock())
    finally:
        engine.dispose()


@task(name="kontroll", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)
def partition(unit: Unit, on: date) -> Counts:
    """One partition of the sweep, reconciled in one transaction; its counts of new, open and resolved flags."""
    engine = make_engine()
    try:
        return run_unit(engine, on, unit, load_config(), SystemClock()).counts
    finally:
        engine.dispose()


@task(name="kontroll-statistikk", task_run_name="kontroll-statistikk", cache_policy=NO_CACHE)
def statistics(families: list[str], counts: Counts, on: date) -> None:
    """The planner statistics of the tables the sweep rewrote and the pages read."""
    engine = make_engine()
    try:
        finish(engine, families, SweepReport(on, counts))
    finally:
        engine.dispose()


@task(name="tilgangslogg-rydding", task_run_name="tilgangslogg-rydding", cache_policy=NO_CACHE)
def purge_read_log(on: date) -> int:
    """The read log's entries older than its retention (the retention policy's read_log, default 5 years)."""
    engine = make_engine()
    try:
        return readlog.purge(engine, on)
    finally:
        engine.dispose()


@task(name="oppbevaring-plan", task_run_name="oppbevaring-plan", cache_policy=NO_CACHE)
def retention_due(on: date) -> dict[str, int]:
    """How many participants have data past the retention policy's time, per data class (counts only: the
    leder sees the list under «Oppbevaring og sletting» and confirms it; nothing is deleted here)."""
    engine = make_engine()
    try:
        found = retention.plan(Context(engine, FixedClock(on), Actor.system("nattlig-kontroll")))
        return {"participants": len(found.due), **found.counts()}
    finally:
        engine.dispose()


@flow(name=FLOW_NAME, log_prints=False, task_runner=task_runner())
def nightly_checks(run_date: date | None = None, families: list[str] | None = None) -> Counts:
    """Run the rule families (default: all) for ``run_date`` (default: today in Europe/Oslo), their
    partitions in parallel on the flow's task runner; return the merged counts of new, open and resolved
    flags per kind."""
    on = run_date or SystemClock().today()
    chosen = checked(families)
    units = plan(chosen, partitions())
    logger = get_run_logger()
    logger.info("Nattlig kontroll for %s: %d deler av %s", on.isoformat(), len(units), ", ".join(chosen))
    report = SweepReport(on)
    if "deadlines" in chosen:
        report.add(BREACH_KIND, new=breaches(on))
    futures: list[tuple[Unit, PrefectFuture[Counts]]] = [
        (unit, partition.with_options(task_run_name=partition_name(unit)).submit(unit, on)) for unit in units]
    failed: list[str] = []
    for unit, future in futures:
        future.wait()
        if future.state.is_completed():
            report.merge(SweepReport(on, future.result()))
        else:
            logger.error("%s failed: %s", partition_name(unit), future.state.message)
            failed.append(partition_name(unit))
    statistics(chosen, report.counts, on)
    if families is None:
        purged = purge_read_log(on)
        due = retention_due(on)
        logger.info("Tilgangslogg: %d oppslag eldre enn oppbevaringstiden slettet. Oppbevaring: %d deltakere har "
                    "opplysninger som har passert tiden (venter på lederens bekreftelse)", purged, due["participants"])
    for kind, numbers in sorted(report.counts.items()):
        logger.info("%s: %d nye, %d åpne, %d lukket", kind, numbers["new"], numbers["open"], numbers["resolved"])
    if failed:
        raise RuntimeError(f"partitions failed: {', '.join(failed)} (the others ran and are committed)")
    return dict(sorted(report.counts.items()))


def deployment() -> RunnerDeployment:
    """The nightly deployment: 02:00 Europe/Oslo, one run at a time."""
    made = nightly_checks.to_deployment(
        name=DEPLOYMENT,
        schedules=[Cron(CRON, timezone=TIMEZONE)],
        concurrency_limit=1,
        # Runs load the flow as flows.nightly.nightly_checks (the package is installed), not from a
        # file path relative to whatever directory the runner was started in.
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    assert isinstance(made, RunnerDeployment)  # called outside an event loop: made, not a coroutine
    return made


def serve() -> None:
    """Serve the nightly deployment and, beside it, the nightly backup (:mod:`flows.backup`,
    ``nattlig-sikkerhetskopi`` at 01:30) and the morning summary (:mod:`flows.digest`,
    ``daglig-oppsummering`` at 07:00): poll the Prefect server of ``PREFECT_API_URL`` and run each on
    its schedule. Blocks until interrupted; the schedules stay active when this process stops
    (``pause_on_shutdown=False``), so a restarted server or runner picks them up again."""
    from flows.backup import deployment as backup_deployment
    from flows.digest import deployment as digest_deployment

    prefect_serve(deployment(), backup_deployment(), digest_deployment(), pause_on_shutdown=False, limit=2)


if __name__ == "__main__":
    # Import through the package so the flow's module is flows.nightly, not __main__ (the module-path
    # entrypoint of the deployment is built from it).
    from flows.nightly import serve as serve_nightly

    serve_nightly()
