"""The participant's innsyn on the dashboard and the API (issue 17): the participant page offers «Last ned
innsyn (PDF)» and the JSON to those who may export (the case's veileder, the kommune's leder) and to no one
else; the downloads are attachments named without the person's name, never cached, each in the audit trail;
the REST API gives the same JSON with its statuses documented.

The world (tests/ui/conftest.py): in Asker veileder kari has Amina's case, veileder ola Yonas's, leder lise,
administrator anne, Fatima is in the intake; in Bærum veileder per has Olena's case.
"""

from __future__ import annotations

import inspect

import pytest
from sqlmodel import Session, col, select

from pathways.store.tables import AuditEntry
from tests.ui.test_routes import api
from ui import api_innsyn
from ui.pages import participants as participant_pages

BUTTON = "Last ned innsyn (PDF)"


def exports(world) -> list[tuple[str, int | None, str]]:
    with Session(world.ctx.engine) as session:
        return [(e.actor, e.participant_id, e.detail) for e in session.exec(
            select(AuditEntry).where(AuditEntry.action == "participant.exported").order_by(col(AuditEntry.id)))]


@pytest.mark.parametrize("username", ["kari", "lise"])
def test_the_participant_page_offers_the_export_to_the_veileder_and_the_leder(world, browser, username):
    page = browser(username).get(f"/deltakere/{world.amina_pid}")
    assert page.status_code == 200
    assert BUTTON in page.text
    assert f'href="/deltakere/{world.amina_pid}/innsyn.pdf"' in page.text
    assert f'href="/deltakere/{world.amina_pid}/innsyn.json"' in page.text
    assert exports(world) == []  # showing the button exports nothing


def test_the_button_is_not_shown_to_a_veileder_who_has_the_person_only_in_the_intake(world, browser):
    kari = browser("kari")
    page = kari.get(f"/deltakere/{world.fatima_pid}")
    assert page.status_code == 200 and "Fatima Hassan" in page.text
    assert BUTTON not in page.text and "innsyn.pdf" not in page.text
    assert kari.get(f"/deltakere/{world.fatima_pid}/innsyn.pdf").status_code == 403


def test_the_pdf_is_an_attachment_named_without_the_person(world, browser):
    got = browser("kari").get(f"/deltakere/{world.amina_pid}/innsyn.pdf")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == (
        f'attachment; filename="innsyn-deltaker-{world.amina_pid}-2026-11-22.pdf"')
    assert got.headers["cache-control"] == "no-store"
    assert got.content.startswith(b"%PDF-")
    assert exports(world) == [("kari", world.amina_pid, "pdf")]


def test_the_json_download_is_the_export(world, browser):
    got = browser("lise").get(f"/deltakere/{world.amina_pid}/innsyn.json")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers["content-disposition"].startswith("attachment;")
    data = got.json()
    assert data["format"] == "pathways-innsyn" and data["participant"]["name"] == "Amina Ali"
    assert [c["id"] for c in data["cases"]] == [world.amina] and data["reads"] == []
    assert exports(world) == [("lise", world.amina_pid, "json")]


@pytest.mark.parametrize(("username", "pid", "status"), [
    ("ola", "amina_pid", 404),  # a veileder without the case
    ("per", "amina_pid", 404),  # another kommune's
    ("lise", "olena_pid", 404),  # another kommune's participant
    ("anne", "amina_pid", 403),  # an administrator reads no participants
])
def test_everyone_else_is_refused(world, browser, username, pid, status):
    got = browser(username).get(f"/deltakere/{getattr(world, pid)}/innsyn.pdf")
    assert got.status_code == status
    assert not got.content.startswith(b"%PDF")
    assert exports(world) == []


def test_an_unknown_format_or_no_sign_in(world, browser):
    assert browser("kari").get(f"/deltakere/{world.amina_pid}/innsyn.xml").status_code == 404
    assert browser(None).get(f"/deltakere/{world.amina_pid}/innsyn.pdf").status_code == 303  # to the sign-in
    assert exports(world) == []


def test_the_routes_run_in_the_thread_pool():
    """Laying out the document is CPU-bound: plain ``def`` routes, never on the event loop."""
    assert not inspect.iscoroutinefunction(participant_pages.participant_innsyn)
    assert not inspect.iscoroutinefunction(api_innsyn.get_innsyn)


def test_the_api_gives_the_same_json(world, browser):
    got = api(browser, world, "kari").get(f"/api/deltakere/{world.amina_pid}/innsyn")
    assert got.status_code == 200, got.text
    data = got.json()
    assert data["participant"]["birth_date"] == "1990-03-04"
    assert data["cases"][0]["events"][0]["name"] == "innmelding"
    assert exports(world) == [("kari", world.amina_pid, "json")]
    for username, pid, status in (("per", world.amina_pid, 404), ("anne", world.amina_pid, 403),
                                  ("kari", world.fatima_pid, 403), (None, world.amina_pid, 401),
                                  ("kari", 2**31, 404)):
        assert api(browser, world, username).get(f"/api/deltakere/{pid}/innsyn").status_code == status, username
    assert len(exports(world)) == 1


def test_the_openapi_document_declares_the_statuses(world, browser):
    spec = browser(None).get("/api/openapi.json").json()
    operation = spec["paths"]["/api/deltakere/{pid}/innsyn"]["get"]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    assert "revisjonsloggen" in operation["description"]

