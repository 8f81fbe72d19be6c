"""The home folder: where ``var/`` (the SQLite store, Prefect's database, diagrams, the secret key) and
``definitions/`` are found, whatever the current directory. ``PATHWAYS_HOME``, default the project root. And
the whole-number settings read from the environment (:func:`env_count`)."""

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


def env_count(name: str, default: int, low: int, high: int) -> int:
    """The whole number in the environment variable ``name`` (``default`` when unset or empty), from ``low`` to
    ``high``; ValueError naming the variable otherwise."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {raw!r}")
    return int(raw)
