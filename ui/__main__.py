"""``python -m ui``: serve the dashboard with uvicorn on PATHWAYS_HOST:PATHWAYS_PORT (127.0.0.1:8000).

The access log is off: URLs carry search terms (names), and personal data is never logged.
"""

from __future__ import annotations

import os

import uvicorn

from pathways.store.database import make_engine
from ui.app import create_app


def main() -> None:
    app = create_app(make_engine())
    uvicorn.run(app, host=os.environ.get("PATHWAYS_HOST", "127.0.0.1"),
                port=int(os.environ.get("PATHWAYS_PORT", "8000")),
                access_log=False, log_level=os.environ.get("PATHWAYS_LOG_LEVEL", "info"), proxy_headers=True,
                forwarded_allow_ips=os.environ.get("PATHWAYS_FORWARDED_ALLOW_IPS", "127.0.0.1"))


if __name__ == "__main__":
    main()
