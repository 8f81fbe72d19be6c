"""In a real browser (issue 13, items 4–6): a refused event explains itself in bokmål, the fact is fixed on
the participant form with its widgets, the event is recorded and its values read in words in the timeline;
a note is edited within 24 hours and not after; axe finds no violations on the case and participant pages."""

from __future__ import annotations

import re

from tests.ui.test_browser import axe_violations, chromium, live, page, shoot, sign_in  # noqa: F401  (fixtures)


def _open_event(page, title: str):  # noqa: F811
    page.locator("details.event summary", has_text=title).click()
    return page.locator("details.event[open] form")


def _fill_candidate(form) -> None:
    form.get_by_label(re.compile("^Fagbrevløp")).select_option("helsefagarbeider")
    form.get_by_role("group", name=re.compile("Motivert og personlig egnet")).get_by_label("Ja").check()
    form.get_by_role("group", name=re.compile("Norsknivå svært nær B1")).get_by_label("Nei").check()
    form.get_by_role("button", name=re.compile("Registrer")).click()


def test_refused_explained_fact_fixed_event_recorded_values_in_words(live, page):  # noqa: F811
    base, world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/deltakere/{world.fatima_pid}")
    page.get_by_label("Løp", exact=True).select_option("praksiskandidat")
    page.get_by_role("button", name=re.compile("Meld inn")).click()
    page.wait_for_load_state("networkidle")
    assert "Deltakeren er meldt inn" in page.locator("main").inner_text()

    _fill_candidate(_open_event(page, "Kandidat meldt til fagbrevløpet"))
    page.wait_for_load_state("networkidle")
    refused = page.locator("#refused").inner_text()
    assert "Registrert hos NAV er ikke registrert; må være ja" in refused
    assert "norsk muntlig og norsk skriftlig er ikke registrert; må være B1 eller høyere" in refused
    assert "registered_with_nav" not in refused and "None" not in refused
    form = page.locator("details.event[open] form")  # what was chosen is kept
    assert form.get_by_label(re.compile("^Fagbrevløp")).input_value() == "helsefagarbeider"
    assert axe_violations(page) == []
    shoot(page, "30-sak-avvist")

    page.locator("#refused").get_by_role("link", name="deltakeropplysningene").click()
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == []
    page.get_by_role("group", name="Registrert hos NAV").get_by_label("Ja").check()
    page.get_by_label("Norsk muntlig").select_option("B1")
    page.get_by_label("Norsk skriftlig").select_option("B2")
    page.get_by_label("Kjønn").select_option(label="Kvinne")
    page.get_by_role("button", name="Lagre endringer").click()
    page.wait_for_load_state("networkidle")
    assert "Endringene er lagret" in page.locator("main").inner_text()
    assert page.get_by_label("Kjønn").input_value() == "female"
    shoot(page, "31-deltaker-rettet")

    page.locator("#saker-h + ul").get_by_role("link").first.click()
    page.wait_for_load_state("networkidle")
    _fill_candidate(_open_event(page, "Kandidat meldt til fagbrevløpet"))
    page.wait_for_load_state("networkidle")
    main = page.locator("main").inner_text()
    assert "Hendelsen er registrert" in main and "Flyttet: Kartlegging og rekruttering →" in main
    event = page.locator("li.story-event").first.inner_text()
    assert "Kandidat meldt til fagbrevløpet" in event
    assert re.search(r"Motivert og personlig egnet \(veileders vurdering\)\s*ja", event)
    assert re.search(r"Fagbrevløp\s*helsefagarbeider", event)
    assert "Registrert av Kari Nordmann" in event
    assert "Norsk muntlig / skriftlig" in main and "B1 / B2" in main
    assert axe_violations(page) == []
    shoot(page, "32-sak-tidslinje")


def test_a_note_is_edited_within_24_hours_and_kept_after(live, page):  # noqa: F811
    base, world = live
    sign_in(page, base, "kari")
    page.goto(f"{base}/saker/{world.amina}")
    page.get_by_label("Nytt notat").fill("Ringte deltakeren, ingen svar.")
    page.get_by_role("button", name="Lagre notat").click()
    page.wait_for_load_state("networkidle")
    note = page.locator("li.note").first
    note.locator("summary", has_text="Endre notatet").click()
    note.get_by_label("Notatets tekst").fill("Ringte deltakeren; avtalt møte tirsdag.")
    note.get_by_role("button", name="Lagre endringen").click()
    page.wait_for_load_state("networkidle")
    assert "Notatet er endret" in page.locator("main").inner_text()
    note = page.locator("li.note").first
    assert "avtalt møte tirsdag" in note.inner_text() and "endret" in note.inner_text()
    page.get_by_role("link", name="Notater", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("li.story-event").count() == 0 and page.locator("li.note").count() >= 1
    assert axe_violations(page) == []

    world.clock.advance(hours=25)
    sign_in(page, base, "kari")
    page.goto(f"{base}/saker/{world.amina}")
    note = page.locator("li.note").first
    assert "avtalt møte tirsdag" in note.inner_text()
    assert note.locator("summary", has_text="Endre notatet").count() == 0
