"""The nightly backup ("sikkerhetskopi") as a Prefect flow, and its deployment ``nattlig-sikkerhetskopi``
(cron 01:30 Europe/Oslo, before the nightly checks), served beside them by ``python -m flows.nightly``
(``pathways run``). The flow only calls :func:`pathways.services.backup.backup` into
``PATHWAYS_BACKUP_DIR`` (default ``var/backups``) and then keeps the newest ``PATHWAYS_BACKUP_KEEP``
(default 14); ``pathways backup --keep N`` does the same without Prefect. The backup is consistent while
the dashboard writes; a failed one leaves no file that looks whole and is retried once.
"""

# No ``from __future__ import annotations``: a served run gets the flow pickled by value (see nightly.py).
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.types.entrypoint import EntrypointType

from pathways.calendar import SystemClock
from pathways.services.backup import backup_into, keep_count
from pathways.store.database import make_engine

__all__ = ["CRON", "DEPLOYMENT", "FLOW_NAME", "TIMEZONE", "deployment", "nightly_backup"]

FLOW_NAME = "sikkerhetskopi"
DEPLOYMENT = "nattlig-sikkerhetskopi"
CRON = "30 1 * * *"
TIMEZONE = "Europe/Oslo"


@task(name="ta-sikkerhetskopi", task_run_name="ta-sikkerhetskopi", cache_policy=NO_CACHE, retries=1,
      retry_delay_seconds=60)
def _backup(keep: int) -> dict:
    engine = make_engine()  # the store of PATHWAYS_DATABASE_URL, as every other entry point
    try:
        target, manifest, removed = backup_into(engine, SystemClock(), keep=keep)
    finally:
        engine.dispose()
    return {"file": str(target), "size": manifest.size, "rows": sum(manifest.counts.values()),
            "revision": manifest.revision, "removed": [str(p) for p in removed]}


@flow(name=FLOW_NAME, log_prints=False)
def nightly_backup() -> dict:
    """Back the store up into the backup folder and keep the newest backups; return the file, its size and
    rows, and the older backups removed (file names only: no personal data)."""
    report = _backup(keep_count())  # a bad setting stops the run before anything is written
    get_run_logger().info("Sikkerhetskopi %s: %d rader, %d byte; %d eldre fjernet", report["file"], report["rows"],
                          report["size"], len(report["removed"]))
    return report


def deployment() -> RunnerDeployment:
    """The deployment served beside the nightly checks: 01:30 Europe/Oslo, one run at a time."""
    made = nightly_backup.to_deployment(name=DEPLOYMENT, schedules=[Cron(CRON, timezone=TIMEZONE)],
                                        concurrency_limit=1, entrypoint_type=EntrypointType.MODULE_PATH)
    assert isinstance(made, RunnerDeployment)  # called outside an event loop: made, not a coroutine
    return made
