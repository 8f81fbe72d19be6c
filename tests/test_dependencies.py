"""The pinned dependency ranges work together (ARCHITECTURE.md, "Known dependency facts")."""

from __future__ import annotations

import shutil
from importlib.metadata import version


def test_prefect_server_imports_with_the_pinned_fastapi():
    major, minor, *_ = (int(p) for p in version("fastapi").split(".")[:2])
    assert (major, minor) < (0, 155)
    from prefect.server.api.server import create_app  # fails with fastapi >= 0.155

    assert callable(create_app)
    assert version("prefect").startswith("3.8.")


def test_graphviz_dot_program_is_installed():
    assert shutil.which("dot"), "the graphviz package needs the 'dot' program (Debian package graphviz)"


def test_the_project_says_it_is_mit_licensed_in_the_file_and_the_metadata():
    import tomllib
    from importlib.metadata import metadata

    from tests.conftest import ROOT
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]  # SPDX, as PEP 639 has it
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert metadata("pathways")["License-Expression"] == "MIT"


def test_the_library_imports_nothing_from_the_dashboard_or_the_flows():
    """ARCHITECTURE.md: pathways/ may import nothing from ui/ or flows/ (the CLI and the services are used
    without them); a document the dashboard also serves (the innsyn PDF) is rendered in pathways/."""
    import ast

    from tests.conftest import ROOT
    offending = []
    for path in sorted((ROOT / "pathways").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offending += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("ui", "flows")]
    # the one exception, inside the command: `pathways check` runs the very flow the schedule runs
    assert offending == ["pathways/cli/server.py: flows.nightly"]
