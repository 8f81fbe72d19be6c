"""The administrator's authoring pages: versions, the editor's live check, publishing, the diff and the
migration of the kommune's running cases; every other role is refused and nothing changes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from pathways.store.tables import Enrolment, PathwayVersion
from tests.conftest import table_counts
from tests.services.test_authoring import into_band, law_2025
from tests.ui.test_routes import wait_for_job

PID = "introduksjonsprogram"


def line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


@pytest.mark.parametrize("user", ["kari", "lise", "per"])
def test_only_administrators_reach_the_authoring_pages_and_nothing_changes(browser, world, user):
    staff = browser(user)
    before = table_counts(world.ctx)
    for url in ["/admin/lop", f"/admin/lop/{PID}/rediger", f"/admin/lop/{PID}/endringer?fra=1&til=1",
                f"/admin/lop/{PID}/endringer.svg?fra=1&til=1", f"/admin/lop/{PID}/flytt?fra=1&til=1"]:
        assert staff.get(url).status_code == 403, url
    for url, data in [(f"/admin/lop/{PID}/sjekk", {"document": law_2025()}),
                      (f"/admin/lop/{PID}/utkast", {"document": law_2025(), "base": "1"}),
                      (f"/admin/lop/{PID}/publiser", {"document": law_2025(), "base": "1", "note": "x"}),
                      (f"/admin/lop/{PID}/flytt", {"fra": "1", "til": "1", "handling": "flytt"})]:
        assert staff.post(url, data).status_code == 403, url
    assert table_counts(world.ctx) == before


def test_the_editor_checks_as_you_type_with_the_problem_at_its_line(browser, world):
    anne = browser("anne")
    versions = anne.get("/admin/lop")
    assert versions.status_code == 200 and "Introduksjonsprogrammet" in versions.text
    editor = anne.get(f"/admin/lop/{PID}/rediger")
    assert editor.status_code == 200 and "version: 2" in editor.text and "ace/ace.js" in editor.text
    broken = law_2025().replace("to: program_videregaende", "to: program_videregaend", 1)
    answer = anne.post(f"/admin/lop/{PID}/sjekk", {"document": broken}).json()
    line = line_of(broken, "to: program_videregaend\n")
    assert answer["problems"][0]["line"] == line and answer["svg"] is None
    assert answer["problems"][0]["message"] == ("ukjent steg «program_videregaend» – mente du "
                                                "«program_videregaende»?")  # the catalogue's bokmål
    good = anne.post(f"/admin/lop/{PID}/sjekk", {"document": law_2025()}).json()
    assert good["problems"] == [] and good["svg"].lstrip().startswith("<?xml") and "inntil 4 år" in good["svg"]
    renamed = law_2025().replace("id: introduksjonsprogram", "id: x", 1)
    other = anne.post(f"/admin/lop/{PID}/sjekk", {"document": renamed})
    assert "editoren for «introduksjonsprogram»" in other.json()["problems"][0]["message"]


def test_publish_refuses_a_bad_draft_or_a_missing_note_then_publishes_and_shows_the_diff(browser, world):
    anne = browser("anne")
    before = table_counts(world.ctx)
    broken = law_2025().replace("to: program_videregaende", "to: program_videregaend", 1)
    saved = anne.post(f"/admin/lop/{PID}/utkast", {"document": broken, "base": "1"})
    assert saved.status_code == 200 and "Utkastet er lagret, men har feil" in saved.text
    assert "program_videregaend" in anne.get(f"/admin/lop/{PID}/rediger").text  # the draft comes back
    refused = anne.post(f"/admin/lop/{PID}/publiser", {"document": broken, "base": "1", "note": "2025"})
    assert refused.status_code == 422 and "kan ikke publiseres" in refused.text
    assert f"linje {line_of(broken, 'to: program_videregaend')}" in refused.text
    no_note = anne.post(f"/admin/lop/{PID}/publiser", {"document": law_2025(), "base": "1", "note": " "})
    assert no_note.status_code == 422 and 'id="note-error"' in no_note.text
    assert table_counts(world.ctx)["pathwayversion"] == before["pathwayversion"]

    published = anne.post(f"/admin/lop/{PID}/publiser", {"document": law_2025(), "base": "1",
                                                         "note": "Prop. 81 L (2024–2025)"})
    assert published.status_code == 303
    assert published.headers["location"] == f"/admin/lop/{PID}/endringer?fra=1&til=2"
    stale = anne.post(f"/admin/lop/{PID}/publiser", {"document": law_2025().replace("version: 2", "version: 3", 1),
                                                     "base": "1", "note": "samtidig"})
    assert stale.status_code == 409
    assert "er publisert som versjon 2 etter at du startet fra versjon 1" in stale.text
    assert table_counts(world.ctx)["pathwayversion"] == before["pathwayversion"] + 1  # version 2, no version 3
    diff = anne.get(published.headers["location"])
    assert diff.status_code == 200 and "program_vgo" in diff.text and "maks_varighet_vgo" in diff.text
    assert '<svg role="img" aria-label="Diagram over versjon 2' in diff.text and "FJERNET" in diff.text  # inline
    svg = anne.get(f"/admin/lop/{PID}/endringer.svg?fra=1&til=2")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "FJERNET" in svg.text and "NY" in svg.text
    assert "Prop. 81 L" in anne.get("/admin/lop").text


def test_migration_dry_run_then_a_job_moves_only_the_kommunes_cases(browser, world):
    anne = browser("anne")
    vgo = into_band(world.ctx, world.clock, "fullfore_vgo", date(2028, 6, 30), kommune="Asker").case
    world.clock.set(date(2026, 11, 22))
    anne.post(f"/admin/lop/{PID}/publiser", {"document": law_2025(), "base": "1", "note": "2025"})
    page = anne.get(f"/admin/lop/{PID}/flytt?fra=1&til=2")
    assert page.status_code == 200 and 'name="steg_program_vgo"' in page.text
    before = table_counts(world.ctx)
    dry = anne.post(f"/admin/lop/{PID}/flytt", {"fra": "1", "til": "2", "handling": "provekjor"})
    assert dry.status_code == 200 and "3 saker kan flyttes" not in dry.text
    assert "2 saker kan flyttes, 1 kan ikke" in dry.text and "program_vgo" in dry.text
    mapped = anne.post(f"/admin/lop/{PID}/flytt", {"fra": "1", "til": "2", "handling": "provekjor",
                                                   "steg_program_vgo": "program_videregaende"})
    assert "3 saker kan flyttes, 0 kan ikke" in mapped.text and "→ <strong>program_videregaende</strong>" in mapped.text
    bad = anne.post(f"/admin/lop/{PID}/flytt", {"fra": "1", "til": "2", "handling": "flytt",
                                                "steg_program_vgo": "finnes_ikke"})
    assert bad.status_code == 422 and "finnes_ikke" in bad.text
    assert table_counts(world.ctx) == before  # dry runs and a refused mapping change nothing

    started = anne.post(f"/admin/lop/{PID}/flytt", {"fra": "1", "til": "2", "handling": "flytt",
                                                    "steg_program_vgo": "program_videregaende"})
    assert started.status_code == 303
    html = wait_for_job(anne, started.headers["location"])
    assert "3 saker flyttet" in html
    with Session(world.ctx.engine) as session:
        v2 = session.exec(select(PathwayVersion.id).where(PathwayVersion.pathway_id == PID,
                                                          PathwayVersion.version == 2)).one()
        moved = dict(session.exec(select(Enrolment.id, Enrolment.pathway_version_id).where(
            col(Enrolment.id).in_([world.amina, world.yonas, world.olena, vgo]))).all())
    assert moved[world.amina] == moved[world.yonas] == moved[vgo] == v2
    assert moved[world.olena] != v2  # Bærum's case is not Anne's to move
    case_page = browser("kari").get(f"/saker/{world.amina}")
    assert case_page.status_code == 200 and "versjon 2" in case_page.text
    assert "Flyttet til ny versjon av løpet" in case_page.text


def test_the_forecast_compares_the_draft_with_the_published_version(browser, world):
    anne = browser("anne")
    slower = law_2025().replace("duration: {min: P1W, expected: P1M, max: P1M}",
                                "duration: {min: P5M, expected: P6M, max: P7M}", 1)
    answer = anne.post(f"/admin/lop/{PID}/prognose", {"document": slower})
    assert answer.status_code == 200 and "versjon 1 mot utkastet" in answer.text and "Inntektsgap" in answer.text
    broken = anne.post(f"/admin/lop/{PID}/prognose", {"document": slower.replace("to: program_videregaende",
                                                                                "to: x_y", 1)})
    assert "rett dem for å se prognosen" in broken.text
    assert browser("lise").post(f"/admin/lop/{PID}/prognose", {"document": slower}).status_code == 403


def test_a_draft_outdated_by_someone_elses_publication_is_kept_and_flagged(browser, world):
    anne = browser("anne")
    mine = law_2025().replace("inntil 4 år)", "inntil 4 år, Annes utkast)", 1)
    assert anne.post(f"/admin/lop/{PID}/utkast", {"document": mine, "base": "1"}).status_code == 200
    from pathways.services import authoring
    authoring.publish(world.ctx, law_2025(), "publisert av en annen")
    editor = anne.get(f"/admin/lop/{PID}/rediger")
    assert editor.status_code == 200 and "Annes utkast" in editor.text  # not silently replaced
    assert "bygger på versjon 1, men versjon 2 er publisert" in editor.text
    fresh = anne.get(f"/admin/lop/{PID}/rediger?ny=1")
    assert "version: 3" in fresh.text and "Annes utkast" not in fresh.text
    refused = anne.post(f"/admin/lop/{PID}/publiser", {"document": mine, "base": "1", "note": "mitt"})
    assert refused.status_code == 409
