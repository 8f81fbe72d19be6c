"""``python -m ui``: serve the dashboard with uvicorn on PATHWAYS_HOST:PATHWAYS_PORT (127.0.0.1:8000),
in PATHWAYS_WORKERS processes (default: one per CPU core, at most 4).

Pages are rendered in Python, so one process is bound by one core (measured: 73 pages/s on 100 000
participants); the worker processes share everything through the store (sessions are signed cookies,
sign-in failures and job progress are rows), so any of them can answer any request.

The access log is off: URLs carry search terms (names), and personal data is never logged.
"""

from __future__ import annotations

import os

import uvicorn
from fastapi import FastAPI

from pathways.store.database import make_engine
from ui.app import create_app
from ui.security import secret_key


def app() -> FastAPI:
    """The factory each worker process calls."""
    return create_app(make_engine())


def workers() -> int:
    wanted = os.environ.get("PATHWAYS_WORKERS")
    if wanted:
        return max(1, int(wanted))
    return max(1, min(4, len(os.sched_getaffinity(0))))


def main() -> None:
    secret_key()  # made once here, before the workers start, so that they all read the same key
    uvicorn.run("ui.__main__:app", factory=True, workers=workers(),
                host=os.environ.get("PATHWAYS_HOST", "127.0.0.1"), port=int(os.environ.get("PATHWAYS_PORT", "8000")),
                access_log=False, log_level=os.environ.get("PATHWAYS_LOG_LEVEL", "info"), proxy_headers=True,
                forwarded_allow_ips=os.environ.get("PATHWAYS_FORWARDED_ALLOW_IPS", "127.0.0.1"))


if __name__ == "__main__":
    main()
