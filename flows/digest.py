"""The summary by e-mail ("oppsummering") as a Prefect flow, and its deployment ``daglig-oppsummering``
(cron 07:00 Europe/Oslo), served beside the nightly checks by ``python -m flows.nightly`` (``pathways
run``). The flow only calls :func:`pathways.services.digest.send_digests`: all logic stays in
``pathways``, and ``pathways digest`` sends the same without Prefect. Once per user and day by the store's
natural key, so a run retried by Prefect (or started twice) sends nothing twice; a send that failed is
tried again by the next run.
"""

# No ``from __future__ import annotations``: a served run gets the flow pickled by value (see nightly.py).
from datetime import date

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from pathways.calendar import SystemClock
from pathways.services.context import Actor, Context
from pathways.services.digest import send_digests
from pathways.store.database import make_engine

__all__ = ["CRON", "DEPLOYMENT", "FLOW_NAME", "TIMEZONE", "daily_digest", "deployment"]

FLOW_NAME = "oppsummering"
DEPLOYMENT = "daglig-oppsummering"
CRON = "0 7 * * *"
TIMEZONE = "Europe/Oslo"


@task(name="send-oppsummering", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=60)
def _send(on: date) -> dict:
    engine = make_engine()  # the store of PATHWAYS_DATABASE_URL, as every other entry point
    try:
        return send_digests(Context(engine, SystemClock(), Actor.system("oppsummering")), on).as_json()
    finally:
        engine.dispose()


@flow(name=FLOW_NAME, log_prints=False)
def daily_digest(run_date: date | None = None) -> dict:
    """Send the summaries due on ``run_date`` (default: today in Europe/Oslo) not sent yet; return how
    many were sent and who failed (usernames only)."""
    on = run_date or SystemClock().today()
    report = _send(on)
    logger = get_run_logger()
    logger.info("Oppsummering %s: %d sendt, %d feilet, %d sendt før", on.isoformat(), len(report["sent"]),
                len(report["failed"]), report["already_sent"])
    if report["failed"]:
        raise RuntimeError(f"{len(report['failed'])} summaries failed; the next run tries them again")
    return report


def deployment() -> RunnerDeployment:
    """The deployment served beside the nightly checks: 07:00 Europe/Oslo, one run at a time."""
    made = daily_digest.to_deployment(name=DEPLOYMENT, schedules=[Cron(CRON, timezone=TIMEZONE)],
                                      concurrency_limit=1, entrypoint_type=EntrypointType.MODULE_PATH)
    assert isinstance(made, RunnerDeployment)  # called outside an event loop: made, not a coroutine
    return made
