"""The home folder: where ``var/`` (the SQLite store, Prefect's database, diagrams, the secret key) and
``definitions/`` are found, whatever the current directory. ``PATHWAYS_HOME``, default the project root."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def home() -> Path:
    """``PATHWAYS_HOME`` (made absolute), else the project root."""
    configured = os.environ.get("PATHWAYS_HOME")
    return Path(configured).expanduser().resolve() if configured else PROJECT_ROOT


def var_dir() -> Path:
    return home() / "var"


def definitions_dir() -> Path:
    return home() / "definitions"
