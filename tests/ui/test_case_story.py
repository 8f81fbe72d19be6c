"""The case page tells the story and the forms speak the case worker's language (issue 13, items 4–6):
widgets from the field types, every error at once beside its field, refusals explained in bokmål, events
with their values in words and full names, notes editable by their author for 24 hours."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import Session, select

from pathways.store.tables import AuditEntry, Note
from tests.conftest import table_counts


def _api(browser, world, username: str):
    client = browser(None).client
    client.headers.update({"Authorization": f"Bearer {world.tokens[username]}"})
    return client


def test_an_event_form_shows_every_error_beside_its_field_and_keeps_the_values(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    response = kari.post(f"/saker/{world.amina}/hendelse", {
        "event": "vedtak_avslag", "on": "2026-12-30", "case_version": "3", "f_avslagsgrunn": "tull",
        "f_begrunnelse": "skrevet tekst"})
    assert response.status_code == 422
    html = response.text
    assert 'id="on-error"' in html and "er etter i dag" in html
    assert 'id="f_avslagsgrunn-error"' in html and "er ikke blant valgene" in html
    assert re.search(r'name="f_avslagsgrunn" [^>]*aria-invalid="true" aria-describedby="f_avslagsgrunn-error"', html)
    assert "skrevet tekst</textarea>" in html  # what was typed is kept
    assert table_counts(world.ctx) == before


def test_an_event_form_uses_widgets_and_labels_from_the_definition(browser, world):
    page = browser("kari").get(f"/saker/{world.amina}?hendelse=vedtak_avslag").text
    form = page[page.index('id="hendelse"'):]
    form = form[:form.index("</details>")]
    assert "vedtak_avslag-on" in form and 'type="date"' in form
    assert re.search(r'<select id="vedtak_avslag-avslagsgrunn"', form)
    assert "_" not in re.sub(r'(value|name|id|for|aria-describedby)="[^"]*"', "", form.split("<select")[1])


def test_a_recorded_event_shows_its_values_in_words_with_the_full_name(browser, world):
    kari = browser("kari")
    response = kari.post(f"/saker/{world.amina}/hendelse", {"event": "vedtak_fattet", "on": "2026-11-20",
                                                            "case_version": "3", "f_programstart_dato": "2026-12-01"})
    assert response.status_code == 303
    page = kari.get(response.headers["location"]).text
    assert "Flyttet: " in page and "vedtak →" not in page.lower().replace("vedtak om", "")
    story = page[page.index('id="hendelser-h"'):]
    assert "<dt>Programstart (dato i vedtaket)</dt><dd>01.12.2026</dd>" in story
    assert "Registrert av Kari Nordmann" in story and "av kari," not in story


def test_the_timeline_filters_by_kind(browser, world):
    kari = browser("kari")
    kari.post(f"/saker/{world.amina}/notat", {"text": "Ringte deltakeren."})
    only_notes = kari.get(f"/saker/{world.amina}?vis=notater").text
    only_events = kari.get(f"/saker/{world.amina}?vis=hendelser").text
    assert "Ringte deltakeren." in only_notes and "story-event" not in only_notes
    assert "Ringte deltakeren." not in only_events and "story-event" in only_events


def _note(world) -> Note:
    with Session(world.ctx.engine) as session:
        return session.exec(select(Note).order_by(Note.id.desc())).first()  # type: ignore[union-attr]


def test_a_note_is_edited_by_its_author_within_24_hours_and_kept_after(browser, world):
    kari = browser("kari")
    kari.post(f"/saker/{world.amina}/notat", {"text": "Første versjon."})
    note = _note(world)
    world.clock.advance(hours=23)
    kari = browser("kari")  # the session has timed out meanwhile; the same author signs in again
    response = kari.post(f"/saker/{world.amina}/notat/{note.id}", {"text": "Rettet versjon."})
    assert response.status_code == 303
    assert _note(world).text == "Rettet versjon." and _note(world).edited_at is not None
    with Session(world.ctx.engine) as session:
        trail = session.exec(select(AuditEntry).where(AuditEntry.action == "note.edited")).all()
    assert len(trail) == 1 and trail[0].actor == "kari" and "Rettet" not in trail[0].detail
    world.clock.advance(hours=2)  # 25 hours after writing
    kari = browser("kari")
    page = kari.get(f"/saker/{world.amina}").text
    assert f'action="/saker/{world.amina}/notat/{note.id}"' not in page
    response = kari.post(f"/saker/{world.amina}/notat/{note.id}", {"text": "For sent."})
    assert response.status_code == 409 and "24 timer" in response.text
    assert _note(world).text == "Rettet versjon."


def test_the_api_edits_a_note_with_the_same_rules(browser, world):
    kari, lise, ola = (_api(browser, world, u) for u in ("kari", "lise", "ola"))
    made = kari.post(f"/api/saker/{world.amina}/notater", json={"text": "Skrevet."})
    note_id = made.json()["id"]
    url = f"/api/saker/{world.amina}/notater/{note_id}"
    assert ola.patch(url, json={"text": "x"}).status_code == 404  # another veileder's case
    assert lise.patch(url, json={"text": "x"}).status_code == 403  # leder reads, does not write
    assert kari.patch(url, json={"text": ""}).status_code == 422
    assert kari.patch(url, json={"text": "x", "extra": 1}).status_code == 422
    answer = kari.patch(url, json={"text": "Endret."})
    assert answer.status_code == 200 and answer.json()["text"] == "Endret." and answer.json()["edited_at"]
    world.clock.advance(days=2)
    late = kari.patch(url, json={"text": "For sent."})
    assert late.status_code == 409
    assert _note(world).text == "Endret."
    spec = kari.get("/api/openapi.json").json()["paths"]["/api/saker/{case_id}/notater/{note_id}"]["patch"]
    assert {"200", "403", "404", "409", "422"} <= set(spec["responses"])


def test_the_api_gives_the_structured_reason_of_a_refusal(browser, world):
    world.clock.set(date(2028, 6, 1))
    kari = _api(browser, world, "kari")
    answer = kari.post(f"/api/saker/{world.amina}/hendelser", json={
        "event": "vedtak_fattet", "on": "2028-05-15", "values": {"programstart_dato": "2028-06-01"}})
    assert answer.status_code == 422
    problem = answer.json()["detail"][0]
    assert problem["type"] == "refused"
    reason = problem["reasons"][0]
    assert reason["guard"] == "today - settlement_date < botid_grense"
    assert reason["explanation"] == [
        "Tiden fra bosettingsdato til hendelsesdatoen må være mindre enn 2 år; registrert er 2 år 14 dager"]


def test_the_participant_form_shows_every_error_at_once(browser, world):
    kari = browser("kari")
    page = kari.get(f"/deltakere/{world.amina_pid}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    before = table_counts(world.ctx)
    response = kari.post(f"/deltakere/{world.amina_pid}", {
        "version": version, "name": "", "born": "1990-03-04", "settled": "2026-05-01", "gender": "kvinne",
        "dependants": "-2", "has_primary_school": "kanskje"})
    assert response.status_code == 422
    html = response.text
    for field in ("name", "gender", "dependants", "has_primary_school"):
        assert f'id="{field}-error"' in html, field
    assert table_counts(world.ctx) == before


def test_the_participant_form_has_widgets_and_shows_norwegian_values(browser, world):
    kari = browser("kari")
    page = kari.get(f"/deltakere/{world.amina_pid}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = kari.post(f"/deltakere/{world.amina_pid}", {
        "version": version, "name": "Amina Ali", "born": "1990-03-04", "settled": "2026-05-01", "gender": "female",
        "norwegian_oral": "B1", "has_primary_school": "ja", "lives_with_parents": "nei", "dependants": "2",
        "legal_regime": "integreringsloven"})
    assert response.status_code == 303, response.text[:2000]
    page = kari.get(f"/deltakere/{world.amina_pid}").text
    assert '<option value="female" selected>Kvinne</option>' in page
    assert re.search(r'name="has_primary_school" value="ja" checked', page)
    assert '<option selected>B1</option>' in page
    shown = browser("lise").get(f"/deltakere/{world.amina_pid}").text  # the leder reads it in words
    assert "<strong>Kjønn:</strong> Kvinne" in shown and "<strong>Har fullført grunnskole:</strong> ja" in shown
    for engine_word in ("female", "True", "False", "integreringsloven<"):
        assert engine_word not in shown, engine_word
    case = kari.get(f"/saker/{world.amina}").text
    assert "Integreringsloven" in case and "True" not in case and "False" not in case


def test_the_api_records_with_step_titles_and_reads_the_values_back(browser, world):
    kari = _api(browser, world, "kari")
    answer = kari.post(f"/api/saker/{world.amina}/hendelser", json={
        "event": "vedtak_fattet", "on": "2026-11-20", "values": {"programstart_dato": "2026-12-01"}})
    assert answer.status_code == 201, answer.text
    assert answer.json()["moved_titles"][0][0] == "Vedtak om introduksjonsprogram"
    events = kari.get(f"/api/saker/{world.amina}").json()["events"]
    assert events[0]["values"] == {"programstart_dato": "2026-12-01"}


def test_every_problem_of_an_api_event_is_named(browser, world):
    kari = _api(browser, world, "kari")
    before = table_counts(world.ctx)
    answer = kari.post(f"/api/saker/{world.amina}/hendelser", json={
        "event": "vedtak_avslag", "on": "2026-12-30", "values": {"avslagsgrunn": "tull"}})
    assert answer.status_code == 422
    assert [p["loc"] for p in answer.json()["detail"]] == [["body", "on"], ["body", "values", "avslagsgrunn"]]
    assert table_counts(world.ctx) == before
