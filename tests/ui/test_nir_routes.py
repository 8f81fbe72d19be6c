"""The NIR overview page and its downloads (issue 15): a leder sees the kommune's participants with what is
missing, a veileder their own, a user of another kommune nothing of Asker's; the year is checked; the CSV,
Excel and JSON downloads have the same rows; the command line writes the same report."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook

from tests.test_cli_users import cli  # noqa: F401  (the fixture)


def test_the_leder_sees_what_is_missing_and_downloads_it(world, browser):
    lise = browser("lise")
    page = lise.get("/rapporter/nir?aar=2026")
    assert page.status_code == 200
    text = page.text
    assert "NIR-oversikt 2026 for Asker" in text and "<strong>2</strong> mangler noe" in text
    assert f'href="/saker/{world.amina}"' in text and f'href="/saker/{world.yonas}"' in text
    assert "⚠ mangler, over fristen for etterregistrering" in text  # Amina's vedtak
    assert 'href="/rapporter/nir"' in text and "aria-current" in text  # the menu's NIR item
    csv = lise.get("/rapporter/nir.csv?aar=2026")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Sak;Deltaker;Født;Løp;Regelverk;Start;Slutt;Vedtak;Sluttmål")
    assert len(lines) == 3 and any(line.startswith(f"{world.amina};Amina Ali;04.03.1990") for line in lines)
    book = load_workbook(io.BytesIO(lise.get("/rapporter/nir.xlsx?aar=2026").content))
    assert book.active.max_row == 3 and book.active["H1"].value == "Vedtak"
    data = lise.get("/rapporter/nir.json?aar=2026").json()
    assert {p["case"] for p in data["participants"]} == {world.amina, world.yonas}


def test_the_veileder_sees_their_own_and_bad_years_are_refused(world, browser):
    kari = browser("kari")
    assert f'href="/saker/{world.yonas}"' not in kari.get("/rapporter/nir?aar=2026&vis=alle").text
    assert f'href="/saker/{world.amina}"' in kari.get("/rapporter/nir?aar=2026&vis=alle").text
    assert kari.get("/rapporter/nir?aar=1700").status_code == 422
    assert kari.get("/rapporter/nir?aar=tjue").status_code == 422
    assert kari.get("/rapporter/nir.pdf?aar=2026").status_code == 404
    per = browser("per").get("/rapporter/nir.json?aar=2026").json()
    assert [p["case"] for p in per["participants"]] == [world.olena]
    assert browser("anne").get("/rapporter/nir").status_code == 403  # the administrator reads no cases
    assert browser(None).get("/rapporter/nir").status_code == 303  # to the sign-in


def test_a_year_without_cases_says_so(world, browser):
    page = browser("lise").get("/rapporter/nir?aar=2024&vis=alle").text
    assert "Ingen deltakere i løp som rapporteres til NIR i 2024." in page


def test_the_command_line_writes_the_report(cli, tmp_path):  # noqa: F811
    cli("participants", "add", "--name", "Amina Ali", "--born", "1990-03-04", "--settled", "2026-05-01",
        "--kommune", "Asker")
    rows = json.loads(cli("report", "nir", "--kommune", "Asker", "--year", "2026", "--format", "json"))
    assert rows["kommune"] == "Asker" and rows["participants"] == []  # no case yet
    out = tmp_path / "nir.xlsx"
    cli("report", "nir", "--kommune", "Asker", "--year", "2026", "--format", "xlsx", "--out", out)
    assert load_workbook(out).active["A1"].value == "Sak"
    assert "kommune: no kommune called 'Atlantis'" in cli("report", "nir", "--kommune", "Atlantis", "--year",
                                                           "2026", ok=False)
    assert "--format xlsx needs --out" in cli("report", "nir", "--kommune", "Asker", "--year", "2026", "--format",
                                              "xlsx", ok=False)


def test_the_command_line_writes_the_results(cli, tmp_path):  # noqa: F811
    cli("participants", "add", "--name", "Amina Ali", "--born", "1990-03-04", "--settled", "2026-05-01",
        "--kommune", "Asker")
    data = json.loads(cli("report", "results", "--pathway", "introduksjonsprogram", "--format", "json"))
    assert data["kommune"] == "alle kommuner" and data["years"] == []
    out = tmp_path / "resultater.svg"
    cli("report", "results", "--pathway", "introduksjonsprogram", "--kommune", "Asker", "--format", "svg",
        "--out", out)
    assert "For få avsluttede til å vise andeler" in out.read_text("utf-8")
    assert "kommune: no kommune called 'Atlantis'" in cli("report", "results", "--pathway", "introduksjonsprogram",
                                                           "--kommune", "Atlantis", ok=False)
