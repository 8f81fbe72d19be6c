"""The case commands of the CLI: a stable contract with JSON output, and clear errors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from pathways.calendar import SystemClock
from pathways.cli import main
from tests.conftest import DEFINITIONS


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("PATHWAYS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()

    def run(*args: str, ok: bool = True) -> str:
        result = runner.invoke(main, [str(a) for a in args])
        assert (result.exit_code == 0) == ok, result.output + result.stderr
        return result.stdout if ok else result.stderr

    return run


def test_commands_need_an_initialised_database(cli):
    assert "run 'pathways init'" in cli("show", "1", ok=False)


def test_a_case_from_the_command_line(cli, tmp_path):
    assert "12 newly published" in cli("init", "--definitions", DEFINITIONS)
    assert "0 newly published" in cli("init", "--definitions", DEFINITIONS)  # idempotent
    pid = json.loads(cli("participants", "add", "--name", "Amina Hassan", "--born", "1994-02-10", "--settled",
                         "2022-08-01", "--kommune", "Lørenskog", "--field", "norwegian_oral=A2", "--json"))["id"]
    case = json.loads(cli("enrol", pid, "supported_employment", "--start", "2025-09-01", "--json"))["case"]
    moved = json.loads(cli("advance", case, "samarbeidsavtale_signert", "--on", "2025-09-10", "--set",
                           "avtaledato=2025-09-10", "--set", "programslutt_dato=2026-07-31", "--json"))
    assert moved["steps"] == ["yrkeskartlegging"] and moved["status"] == "active"
    period = json.loads(cli("income", "add", pid, "introduksjonsstonad", "--from", "2025-09-01", "--to",
                            "2026-07-31", "--json"))["id"]
    assert period >= 1
    shown = json.loads(cli("show", case, "--as-of", "2026-06-01", "--json"))
    assert shown["steps"][0]["id"] == "yrkeskartlegging"
    assert {d["id"] for d in shown["deadlines"]} >= {"nav_dialog_for_programslutt", "programslutt_uten_inntekt"}
    assert any(a["event"] == "karriereplan_utarbeidet" for a in shown["allowed_events"])
    # 2G a year from the G table for a participant over 25
    benefit = shown["introduksjonsstonad"]
    assert float(benefit["yearly"]) == 2 * benefit["g"] and benefit["period_end"] == "2026-07-31"
    gaps = json.loads(cli("gaps", pid, "--as-of", "2026-06-01", "--horizon", "90", "--json"))
    assert gaps == [{"start": "2026-08-01", "end": "2026-08-30", "days": 30, "open_ended": True, "kind": "projected",
                     "reason": gaps[0]["reason"], "trigger": gaps[0]["trigger"]}]
    assert "Introduksjonsstønad slutter 31.07.2026" in gaps[0]["reason"]
    cli("income", "add", pid, "sosialhjelp", "--from", "2026-08-01", "--to", "2026-09-30")
    shown = json.loads(cli("show", case, "--as-of", "2026-06-01", "--json"))
    assert shown["gaps"] == [] and [s["start"] for s in shown["social_assistance_only"]] == ["2026-08-01"]
    text = cli("show", case, "--as-of", "2026-06-01")
    assert "nå: Trinn 2" in text and "Inntektsgap:" in text


@pytest.mark.parametrize("args, message", [
    (["participants", "add", "--name", "X", "--born", "1990-01-01", "--kommune", "Asker", "--field", "x"],
     "is not KEY=VALUE"),
    (["participants", "add", "--name", "X", "--born", "01.01.1990", "--kommune", "Asker"],
     "is not a date: write it YYYY-MM-DD"),
    (["enrol", "1", "supportd_employment", "--start", "2025-01-01"], "did you mean 'supported_employment'"),
    (["advance", "99", "fullfort", "--on", "2025-01-01"], "no case 99"),
    (["income", "add", "1", "lønn", "--from", "2025-01-01"], "unknown livelihood source"),
    (["gaps", "1", "--as-of", "2025-01-01", "--horizon", "-3"], "-3"),
])
def test_bad_input_gets_a_clear_error(cli, args, message):
    cli("init", "--definitions", DEFINITIONS)
    cli("participants", "add", "--name", "A", "--born", "1990-01-01", "--kommune", "Asker")
    assert message in cli(*args, ok=False)


def test_import_reports_row_errors_as_json(cli, tmp_path):
    cli("init", "--definitions", DEFINITIONS)
    path = tmp_path / "p.csv"
    path.write_text("name,born,settled,kommune\nA,1990-01-01,,Asker\nB,1990-02-31,,Asker\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["participants", "import", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"errors": [{"line": 3, "field": "born", "message": json.loads(
        result.stdout)["errors"][0]["message"]}]}
    path.write_text("name,born,settled,kommune\nA,1990-01-01,,Asker\nB,1990-02-21,2020-01-01,Asker\n",
                    encoding="utf-8")
    assert json.loads(cli("participants", "import", path, "--json"))["imported"] == 2


def test_import_checks_and_imports_an_xlsx_with_norwegian_headers(cli, tmp_path):
    from openpyxl import Workbook

    cli("init", "--definitions", DEFINITIONS)
    book = Workbook()
    sheet = book.active
    for row in (["Navn", "Fødselsdato", "Bosatt", "Kommune"], ["Åse Berg", "31.12.1990", "01.03.2025", "Asker"],
                ["Ola Dahl", "1985-02-03", None, "Bærum"]):
        sheet.append(row)
    path = tmp_path / "liste.xlsx"
    book.save(path)
    checked = json.loads(cli("participants", "import", path, "--check", "--json"))
    assert (checked["kind"], checked["count"], checked["failed"]) == ("xlsx", 2, 0)
    assert checked["sample"][0] == {"line": 2, "name": "Åse Berg", "born": "1990-12-31", "settled": "2025-03-01",
                                    "kommune": "Asker"}
    assert json.loads(cli("participants", "import", path, "--json"))["imported"] == 2


def test_a_livelihood_period_from_registration_to_deletion(cli):
    """Every change the case page's livelihood section makes, from the command line too: confirm, extend,
    end, correct (checked as one period: an overlap is refused, naming the field) and delete with a reason.
    The commands work on today's date (the system clock): the dates here are counted from it."""
    def day(offset: int) -> str:
        return (SystemClock().today() + timedelta(days=offset)).isoformat()

    cli("init", "--definitions", DEFINITIONS)
    pid = json.loads(cli("participants", "add", "--name", "A", "--born", "1990-01-01", "--kommune", "Asker",
                         "--settled", day(-100), "--json"))["id"]
    cli("enrol", pid, "introduksjonsprogram", "--start", day(-90))
    first = json.loads(cli("income", "add", pid, "introduksjonsstonad", "--from", day(-90), "--to", day(20),
                           "--planned", "--amount", "18000", "--note", "vedtak kommer", "--json"))["id"]
    second = json.loads(cli("income", "add", pid, "lonn", "--from", day(60), "--json"))["id"]

    def listed() -> tuple[dict[int, dict], list[dict]]:
        found = json.loads(cli("income", "list", pid, "--json"))
        return {p["id"]: p for p in found["periods"]}, found["gaps"]

    assert listed()[0][first]["planned"] and listed()[0][first]["amount_kr"] == 18000
    assert [g["start"] for g in listed()[1]] == [day(-90), day(21)]  # planned, not confirmed: no income yet
    cli("income", "confirm", first)
    assert not listed()[0][first]["planned"] and [g["start"] for g in listed()[1]] == [day(21)]
    assert cli("income", "confirm", first, ok=False).startswith("Error: planned:")
    cli("income", "extend", first, "--to", day(59))
    assert listed()[0][first]["to"] == day(59) and listed()[1] == []  # lønn follows on
    assert cli("income", "extend", first, "--to", day(10), ok=False).startswith("Error: to:")
    third = json.loads(cli("income", "add", pid, "introduksjonsstonad", "--from", day(120), "--json"))["id"]
    assert cli("income", "correct", third, "--from", day(30), ok=False).startswith("Error: from:")  # overlap
    cli("income", "end", first, "--on", day(40))
    assert [g["start"] for g in listed()[1]] == [day(41)]
    cli("income", "correct", second, "--from", day(41), "--note", "startet tidligere")
    periods, gaps = listed()
    assert periods[second]["from"] == day(41) and periods[second]["note"] == "startet tidligere" and gaps == []
    assert "nothing to correct" in cli("income", "correct", second, ok=False)
    assert cli("income", "delete", second, "--reason", " ", ok=False).startswith("Error: reason:")
    cli("income", "delete", second, "--reason", "registrert på feil person")
    assert set(listed()[0]) == {first, third}
