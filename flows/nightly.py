"""The nightly checks ("nattlig kontroll") as a Prefect flow, and its served deployment.

One task per rule family of :mod:`pathways.checks.sweep`; each task only calls ``run_checks`` for its
family and returns the counts, so all logic stays in ``pathways`` and the same sweep can be run and
tested without Prefect. A family is idempotent and runs in its own transaction: a failed family does
not stop the others, is retried once, and fails the flow run at the end.

The case state lives in our tables, not in Prefect (ARCHITECTURE.md, decision 1): a flow run is a
short set-based sweep over all active cases, never one run per case.

``python -m flows.nightly`` serves the deployment ``nattlig-kontroll/nattlig`` (cron 02:00
Europe/Oslo) against the Prefect server named by ``PREFECT_API_URL``; ``pathways run`` starts a local
server and this together, ``pathways check`` runs the flow once on demand.
"""

# No ``from __future__ import annotations`` here: a served run gets the flow pickled by value, and
# pydantic then cannot resolve the string annotation ``date`` when it validates the parameters.
from datetime import date

from prefect import flow, get_run_logger, task
from prefect import serve as prefect_serve
from prefect.cache_policies import NO_CACHE
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.states import State
from prefect.types.entrypoint import EntrypointType

from pathways.calendar import SystemClock
from pathways.checks.sweep import FAMILIES, SweepReport, run_checks
from pathways.store.database import make_engine

__all__ = ["CRON", "DEPLOYMENT", "FLOW_NAME", "TIMEZONE", "deployment", "family_task", "nightly_checks", "serve"]

FLOW_NAME = "nattlig-kontroll"
DEPLOYMENT = "nattlig"
CRON = "0 2 * * *"
TIMEZONE = "Europe/Oslo"

Counts = dict[str, dict[str, int]]


def _check_family(family: str, on: date) -> Counts:
    engine = make_engine()  # the store of PATHWAYS_DATABASE_URL, as every other entry point
    try:
        return run_checks(engine, on, families=[family]).counts
    finally:
        engine.dispose()


# One task per family, each with its own name, so the Prefect UI shows which family ran, how long it
# took and which failed. No caching: a sweep must look at the store every time it runs.
family_task = {
    family: task(name=f"kontroll-{family}", task_run_name=f"kontroll-{family}",
                 cache_policy=NO_CACHE, retries=1, retry_delay_seconds=10)(_check_family)
    for family in FAMILIES
}


@flow(name=FLOW_NAME, log_prints=False)
def nightly_checks(run_date: date | None = None) -> Counts:
    """Run every rule family for ``run_date`` (default: today in Europe/Oslo); return the merged counts
    of new, open and resolved flags per kind."""
    on = run_date or SystemClock().today()
    logger = get_run_logger()
    logger.info("Nattlig kontroll for %s: %s", on.isoformat(), ", ".join(FAMILIES))
    report = SweepReport(on)
    failed: list[str] = []
    for family in FAMILIES:
        state: State = family_task[family](family, on, return_state=True)
        if state.is_completed():
            report.merge(SweepReport(on, state.result()))
        else:
            logger.error("kontroll-%s failed: %s", family, state.message)
            failed.append(family)
    for kind, numbers in sorted(report.counts.items()):
        logger.info("%s: %d nye, %d åpne, %d lukket", kind, numbers["new"], numbers["open"], numbers["resolved"])
    if failed:
        raise RuntimeError(f"rule families failed: {', '.join(failed)} (the others ran and are committed)")
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
    """Serve the nightly deployment and, beside it, the morning summary (:mod:`flows.digest`,
    ``daglig-oppsummering`` at 07:00): poll the Prefect server of ``PREFECT_API_URL`` and run each on
    its schedule. Blocks until interrupted; the schedules stay active when this process stops
    (``pause_on_shutdown=False``), so a restarted server or runner picks them up again."""
    from flows.digest import deployment as digest_deployment

    prefect_serve(deployment(), digest_deployment(), pause_on_shutdown=False, limit=2)


if __name__ == "__main__":
    # Import through the package so the flow's module is flows.nightly, not __main__ (the module-path
    # entrypoint of the deployment is built from it).
    from flows.nightly import serve as serve_nightly

    serve_nightly()
