"""The command line against bad input and a bad environment: a wrong database URL, a store never
initialised, impossible dates, a diagram file of the wrong kind, and another current folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from pathways.cli import main
from pathways.home import PROJECT_ROOT
from tests.conftest import FIXTURES, POSTGRES_URL


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# -- item 5: a database that cannot be used is one line and exit 1 -----------------------------------

@pytest.mark.parametrize(("url", "message"), [
    ("notaurl", "PATHWAYS_DATABASE_URL 'notaurl' is not a database URL: use sqlite:///"),
    ("mysql://user:secret@db.example/pathways", "names a mysql database, which pathways does not support"),
    ("postgresql://postgres@127.0.0.1:1/pathways", "no PostgreSQL server answers on 127.0.0.1:1: start it"),
])
def test_a_wrong_database_url_is_one_line_and_exit_one(monkeypatch, url, message):
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", url)
    for command in (("show", "1"), ("init",)):
        code, out, err = run(*command)
        assert code == 1 and out == ""
        assert message in err and len(err.strip().splitlines()) == 1, err
        assert "secret" not in err and "Traceback" not in err


@pytest.mark.skipif(not POSTGRES_URL, reason="PATHWAYS_TEST_POSTGRES_URL is not set")
def test_a_missing_postgresql_database_says_how_to_create_it(monkeypatch):
    url = make_url(POSTGRES_URL)
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", url.set(database="pathways_nonexistent").render_as_string(False))
    for command in (("show", "1"), ("init",)):
        code, _, err = run(*command)
        assert code == 1 and len(err.strip().splitlines()) == 1, err
        assert f"database 'pathways_nonexistent' does not exist on {url.host}:{url.port or 5432}: create it " \
               "with createdb" in err and err.strip().endswith(" pathways_nonexistent")


def test_show_on_a_store_never_initialised_creates_no_file(monkeypatch, tmp_path):
    path = tmp_path / "var" / "pathways.db"
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", f"sqlite:///{path}")
    code, _, err = run("show", "1")
    assert code == 1 and f"there is no database at {path}: run 'pathways init'" in err
    assert not path.exists() and not path.parent.exists()


# -- item 22: impossible dates ------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "message"), [
    ("2025-02-30", "--born: 30 February 2025 does not exist"),
    ("2026-02-29", "--born: 29 February 2026 does not exist"),
    ("2025-13-01", "--born: '2025-13-01': there is no month 13"),
    ("01.02.2025", "--born: '01.02.2025' is not a date: write it YYYY-MM-DD"),
])
def test_an_impossible_date_says_what_is_wrong_and_exits_one(value, message):
    code, _, err = run("participants", "add", "--name", "X", "--kommune", "Asker", "--born", value)
    assert code == 1 and message in err, err
    assert "does not match the format" not in err


# -- item 21: render writes what the file name says, into a folder that exists ------------------------

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "defs").mkdir()
    shutil.copy(FIXTURES / "complete.yaml", tmp_path / "defs" / "komplett.yaml")
    return tmp_path / "defs"


@pytest.mark.parametrize(("name", "fmt", "message"), [
    ("x.pdf", None, "'.pdf' is not a format pathways renders; name the file .svg, .png, .dot"),
    ("x.svg", "png", "--format png does not match the extension '.svg'"),
])
def test_render_refuses_a_file_name_of_another_format(folder, tmp_path, name, fmt, message):
    code, _, err = run("render", "komplett", "--definitions", folder, "-o", tmp_path / name,
                       *(("--format", fmt) if fmt else ()))
    assert code == 1 and message in err, err
    assert not (tmp_path / name).exists()


def test_render_refuses_a_missing_folder(folder, tmp_path):
    target = tmp_path / "nonexistent" / "dir" / "x.svg"
    code, _, err = run("render", "komplett", "--definitions", folder, "-o", target)
    assert code == 1 and f"the folder {target.parent} does not exist" in err
    assert not (tmp_path / "nonexistent").exists()


def test_render_takes_the_format_from_the_extension(folder, tmp_path):
    code, _, _ = run("render", "komplett", "--definitions", folder, "-o", tmp_path / "x.PNG")
    assert code == 0 and (tmp_path / "x.PNG").read_bytes().startswith(b"\x89PNG")


# -- item 24: one home, whatever the current folder ----------------------------------------------------

def test_validate_from_another_folder_reads_the_project_catalogue(monkeypatch, tmp_path):
    monkeypatch.delenv("PATHWAYS_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    count = len(list((PROJECT_ROOT / "definitions").glob("*.yaml")))
    code, out, _ = run("validate")
    assert code == 0 and f"{count} valid pathways, 0 problems" in out


def test_pathways_home_holds_the_catalogue_and_the_store(monkeypatch, tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    (home / "definitions").mkdir(parents=True)
    elsewhere.mkdir()
    shutil.copy(FIXTURES / "complete.yaml", home / "definitions" / "komplett.yaml")
    monkeypatch.setenv("PATHWAYS_HOME", str(home))
    monkeypatch.delenv("PATHWAYS_DATABASE_URL", raising=False)
    monkeypatch.chdir(elsewhere)
    code, out, _ = run("init")
    assert code == 0 and f"database ready at sqlite:///{home / 'var' / 'pathways.db'}" in out, out
    assert "komplett@1" in out
    code, out, _ = run("--help")
    # the help wraps at 80 columns, at spaces and after hyphens (a temporary path has those): compare unwrapped
    assert code == 0 and f"Home:{home},PATHWAYS_HOME." in "".join(out.split())
    assert list(elsewhere.iterdir()) == []


def test_help_names_the_default_home(monkeypatch):
    monkeypatch.delenv("PATHWAYS_HOME", raising=False)
    _, out, _ = run("--help")
    assert f"Home: {PROJECT_ROOT}, the project folder" in " ".join(out.split())


# -- item 23: what --help and --version show ----------------------------------------------------------

def test_version_and_income_sources():
    assert run("--version")[1].strip() == "pathways, version 0.1.0"
    _, out, _ = run("income", "add", "--help")
    assert "introduksjonsstonad" in out and "kvalifiseringsstonad" in out


def test_the_console_script_runs_from_any_folder(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pathways.cli", "validate"], cwd=tmp_path, capture_output=True,
                            text=True, env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "var").exists()


def test_importing_the_command_line_imports_neither_flows_nor_prefect():
    """pathways/ may not import flows/ (ARCHITECTURE.md): `run` starts `python -m flows.nightly` and `check`
    imports it inside the command, so the package itself (and its command modules) loads without either."""
    code = ("import pathways.cli, sys; "
            "print('flows' in sys.modules, 'prefect' in sys.modules, sorted(pathways.cli.main.commands))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    flows, prefect, commands = result.stdout.split(" ", 2)
    assert (flows, prefect) == ("False", "False")
    assert all(name in commands for name in ("'check'", "'enrol'", "'publish'", "'run'", "'serve'", "'users'",
                                             "'validate'"))


def test_prefect_and_the_secret_key_live_under_the_home(monkeypatch, tmp_path):
    from pathways.run import _prefect_defaults_for_check, _prefect_environment
    from ui.security import secret_key

    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("PATHWAYS_HOME", str(home))
    for name in ("PREFECT_HOME", "PREFECT_API_URL", "PREFECT_SERVER_ANALYTICS_ENABLED",
                 "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "PATHWAYS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(elsewhere)
    assert _prefect_environment({}).env["PREFECT_HOME"] == str(home / "var" / "prefect")  # pathways run
    monkeypatch.delitem(sys.modules, "prefect", raising=False)
    _prefect_defaults_for_check()  # pathways check
    assert os.environ["PREFECT_HOME"] == str(home / "var" / "prefect") and (home / "var" / "prefect").is_dir()
    key = secret_key()
    assert (home / "var" / "secret_key").read_text() == key
    assert list(elsewhere.iterdir()) == []
