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


FORBIDDEN = ("sqlalchemy", "sqlmodel", "pathways.store")


def _imports(path: Path) -> list[tuple[int, str]]:
    import ast

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            if node.module == "pathways":  # from pathways import store
                found += [(node.lineno, f"pathways.{alias.name}") for alias in node.names]
    return found


def test_no_ui_module_imports_the_store_or_sql() -> None:
    """SQL lives in the store (issue 12): ``ui`` asks the services, and imports nothing from sqlalchemy,
    sqlmodel or pathways.store, at the top of a module or inside a function."""
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in sorted((ROOT / "ui").rglob("*.py"))
             for line, name in _imports(path)
             if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN)]
    assert not wrong, "\n".join(wrong)


def test_the_import_rule_finds_a_forbidden_import(tmp_path: Path) -> None:
    """The check above can fail: it sees every form of import."""
    probe = tmp_path / "probe.py"
    probe.write_text("import sqlalchemy.orm\nfrom sqlmodel import Session\nfrom pathways import store\n"
                     "def f():\n    from pathways.store.tables import Flag\n", encoding="utf-8")
    assert [name for _, name in _imports(probe)] == ["sqlalchemy.orm", "sqlmodel", "pathways", "pathways.store",
                                                     "pathways.store.tables"]


def _routes(path: Path):
    import ast
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and isinstance(d.func.value, ast.Name)
                and d.func.value.id in ("router", "app") for d in node.decorator_list):
            yield node


def test_no_route_does_its_work_on_the_event_loop() -> None:
    """Issue 16: CPU-bound work in a route (a service, a forecast, the rendering) runs in the thread pool, so
    the other requests of the worker do not wait for it. A route is a plain ``def`` (FastAPI runs it in the
    thread pool; its form comes read and CSRF-checked by the ``Posted`` dependency). An ``async def`` route is
    for a route that awaits more than the form (an upload read in chunks, the identity provider over HTTP)
    and is named here with what it awaits."""
    import ast
    awaiting = {"import_start": "the upload, read in chunks", "start": "the identity provider's discovery",
                "answer": "the identity provider's token endpoint", "logout": "the identity provider's discovery"}
    found = {}
    for path in sorted([*(ROOT / "ui").glob("*.py"), *(ROOT / "ui" / "pages").glob("*.py")]):
        for node in _routes(path):
            if isinstance(node, ast.AsyncFunctionDef):
                found[node.name] = f"{path.relative_to(ROOT)}:{node.lineno}"
    assert set(found) == set(awaiting), f"async routes: {found}"
