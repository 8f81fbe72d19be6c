"""The dashboard's modules import in one direction (issue 12): ``ui.app`` includes the routers, and no
router or shared helper imports ``ui.app`` back, so any of them can be imported on its own."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import ui.pages

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(f"ui.pages.{m.name}" for m in pkgutil.iter_modules(ui.pages.__path__))
LIBRARY = ["ui.rendering", "ui.authoring", "ui.api", "ui.boundary", "ui.jobs", "ui.security", "ui.messages", *PAGES]


def test_no_module_but_the_entry_points_imports_the_app() -> None:
    """In a fresh interpreter (this one has ``ui.app`` loaded already): the routers and helpers import
    without loading ``ui.app``."""
    probe = f"import sys, {', '.join(LIBRARY)}; sys.exit('ui.app' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env={"PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"importing the routers loaded ui.app or failed: {done.stderr[-2000:]}"


def test_the_app_includes_every_page_router() -> None:
    from ui import app

    included = set(map(id, app.ROUTERS))
    for name in PAGES:
        module = sys.modules.get(name) or __import__(name, fromlist=["router"])
        if hasattr(module, "router"):
            assert id(module.router) in included, f"{name}.router is not included in ui.app"
