"""Shared fixtures: the catalogue folder, the complete example, a loader of inline YAML."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pathways.definition.loader import Definition, load_text

ROOT = Path(__file__).resolve().parent.parent
DEFINITIONS = ROOT / "definitions"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def complete() -> Definition:
    """A small pathway that uses every construct of the language."""
    return load_text((FIXTURES / "complete.yaml").read_bytes(), "complete.yaml")


def yaml_doc(body: str) -> str:
    """A minimal valid header followed by ``body`` (dedented)."""
    head = 'id: mini\nversion: 1\ntitle: Mini\nsources: [{seed: 002_x.txt, lines: "1-2"}]\n'
    return head + textwrap.dedent(body).lstrip("\n")
