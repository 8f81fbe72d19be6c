"""``python -m ui``: serve the dashboard with uvicorn on PATHWAYS_HOST:PATHWAYS_PORT (127.0.0.1:8000),
in PATHWAYS_WORKERS processes (default: one per CPU core, at most 4).

Pages are rendered in Python, so one process is bound by one core (measured: 73 pages/s on 100 000
participants); the worker processes share everything through the store (sessions, sign-in failures and
job progress are rows), so any of them can answer any request.

The access log is off: URLs carry search terms (names), and personal data is never logged.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from the proxies listed in
PATHWAYS_FORWARDED_ALLOW_IPS (addresses or networks, comma-separated; empty by default): otherwise anyone
could pick the address the sign-in throttle counts by rotating the header.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any

import uvicorn
from fastapi import FastAPI

from pathways.services.context import open_engine
from ui.app import create_app
from ui.security import secret_key


def app() -> FastAPI:
    """The factory each worker process calls."""
    return create_app(open_engine())


def workers() -> int:
    wanted = os.environ.get("PATHWAYS_WORKERS")
    if wanted:
        return max(1, int(wanted))
    return max(1, min(4, len(os.sched_getaffinity(0))))


def proxy_options(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """uvicorn's options for forwarded headers: trusted only from PATHWAYS_FORWARDED_ALLOW_IPS."""
    allowed = [a.strip() for a in environ.get("PATHWAYS_FORWARDED_ALLOW_IPS", "").split(",") if a.strip()]
    for address in allowed:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise SystemExit(f"PATHWAYS_FORWARDED_ALLOW_IPS: '{address}' is not an IP address or network "
                             "(e.g. 10.0.0.5 or 10.0.0.0/24)") from None
    return {"proxy_headers": bool(allowed), "forwarded_allow_ips": allowed}


def main() -> None:
    secret_key()  # made once here, before the workers start, so that they all read the same key
    uvicorn.run("ui.__main__:app", factory=True, workers=workers(),
                host=os.environ.get("PATHWAYS_HOST", "127.0.0.1"), port=int(os.environ.get("PATHWAYS_PORT", "8000")),
                access_log=False, log_level=os.environ.get("PATHWAYS_LOG_LEVEL", "info"), **proxy_options())


if __name__ == "__main__":
    main()
