"""The command line: exit codes, JSON output, render and describe on a folder of definitions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pathways.cli import main
from tests.conftest import FIXTURES

BROKEN = Path(__file__).parent / "definition" / "broken"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "complete.yaml", tmp_path / "komplett.yaml")
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_valid_folder_exits_zero(folder):
    code, out, _ = run("validate", str(folder))
    assert code == 0 and "1 valid pathway, 0 problems" in out


def test_validate_reports_every_problem_and_exits_one(folder):
    code, _, err = run("validate", str(BROKEN / "unknown_target.yaml"), str(folder))
    assert code == 1
    assert "unknown_target.yaml:7:45: unknown step 'bb' — did you mean 'b'?" in err
    assert "1 valid pathway, 2 problems" in err


def test_validate_json_lists_file_line_column_message():
    code, out, _ = run("validate", "--json", str(BROKEN / "unknown_key_typo.yaml"))
    assert code == 1
    problems = json.loads(out)
    assert problems == [{"file": str(BROKEN / "unknown_key_typo.yaml"), "line": 10, "column": 5,
                         "message": "unknown key 'nxt' — did you mean 'next'?", "kind": "unknown-key"}]


def test_validate_an_empty_folder_is_an_error(tmp_path):
    code, out, _ = run("validate", "--json", str(tmp_path))
    assert code == 1 and json.loads(out)[0]["message"] == "no pathway files (*.yaml) found"


def test_handoff_to_a_pathway_outside_the_catalogue_is_reported(folder):
    text = (folder / "komplett.yaml").read_text().replace("pathway: komplett", "pathway: fagbrev_pa_jbb")
    (folder / "komplett.yaml").write_text(text)
    code, out, _ = run("validate", "--json", str(folder))
    assert code == 1
    [problem] = json.loads(out)
    assert problem["kind"] == "unknown-pathway" and "fagbrev_pa_jbb" in problem["message"]


@pytest.mark.parametrize("fmt, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"), ("dot", b"digraph")])
def test_render_writes_the_format(folder, tmp_path, fmt, magic):
    out = tmp_path / f"out.{fmt}"
    code, _, _ = run("render", "komplett", "--definitions", str(folder), "--highlight", "vedtak", "-o", str(out))
    assert code == 0 and out.read_bytes().startswith(magic)


def test_render_refuses_unknown_pathway_and_step(folder, tmp_path):
    code, _, err = run("render", "komplet", "--definitions", str(folder), "-o", str(tmp_path / "x.svg"))
    assert code == 1 and "did you mean 'komplett'" in err
    code, _, err = run("render", "komplett", "--definitions", str(folder), "--highlight", "x", "-o",
                       str(tmp_path / "x.svg"))
    assert code == 1 and "unknown step(s): x" in err


def test_describe_prints_steps_roles_durations_and_livelihood(folder):
    code, out, _ = run("describe", "komplett", "--definitions", str(folder))
    assert code == 0
    assert "Kartlegging [activity]" in out and "livsopphold: sosialhjelp" in out
    assert "Roller: programradgiver" in out
    assert "jobb: 17 mnd – 20 mnd" in out


def test_describe_json(folder):
    code, out, _ = run("describe", "komplett", "--definitions", str(folder), "--json")
    data = json.loads(out)
    assert code == 0 and data["anytime_outcomes"] == ["avbrutt"]
    # Arbeidstrening inherits nothing: it declares its own sources
    step = next(s for s in data["steps"] if s["id"] == "arbeidstrening")
    assert step["livelihood"] == ["lonnstilskudd", "introduksjonsstonad"] and step["depth"] == 1


def test_console_script_is_installed():
    result = subprocess.run([str(Path(sys.executable).parent / "pathways"), "--help"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0 and "validate" in result.stdout
