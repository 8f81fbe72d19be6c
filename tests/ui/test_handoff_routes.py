"""Hand-offs on the dashboard (issue 14): the form on the case page with the checklist, the receiving unit's
«Overføringer til oss» with accept and return, the status on both sides' case pages and «ansvarlig nå» on
the case page and the caseload; refusals said in bokmål beside the field, nothing written; the NAV user's
scope (404 for every other case, 403 for writing).

World: tests/services/test_handoffs.py."""

from __future__ import annotations

import re

import pytest

from pathways.services.accounts import create_token
from tests.conftest import table_counts
from tests.services.test_handoffs import PLANNED, REQUIRED, handoff_world, nav
from tests.ui.conftest import World
from tests.ui.test_routes import _call, _flag_of, _flag_states, _routes


@pytest.fixture
def world(ctx, clock) -> World:
    found = handoff_world(ctx, clock)
    found.tokens.update({name: create_token(ctx, name, "test") for name in ("nina", "nora", "nils")})
    return found


def form(world: World, ticks=(*REQUIRED, "samtykke")) -> dict:
    return {"til": str(nav(world)), "dato": PLANNED.isoformat(), "melding": "Overgang til NAV",
            **{f"kryss_{k}": "on" for k in ticks}, "notat_inntektsplan": "Tiltakspenger fra overføringen"}


def test_sent_from_the_case_page_accepted_in_the_inbox_and_both_sides_see_who_is_responsible(browser, world):
    kari = browser("kari")
    page = kari.get(f"/saker/{world.amina}").text
    assert "Overfør til en annen enhet" in page and 'name="kryss_kartleggingsresultat"' in page
    sent = kari.post(f"/saker/{world.amina}/overforing", data=form(world))
    assert sent.status_code == 303, sent.text
    page = kari.get(f"/saker/{world.amina}").text
    assert 'data-status="pending">Venter</span>' in page and "Trekk tilbake overføringen" in page
    nina = browser("nina")
    inbox = nina.get("/overforinger").text
    assert "Amina Ali" in inbox and "Tiltakspenger fra overføringen" in inbox and "Ta imot overføringen" in inbox
    caseload = nina.get("/saker").text
    assert "Amina Ali" in caseload and "Yonas Haile" not in caseload
    handoff = re.search(r'action="/overforinger/(\d+)/mottak"', inbox).group(1)
    accepted = nina.post(f"/overforinger/{handoff}/mottak", data={"ansvarlig": "nina"})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/saker/{world.amina}"
    world.clock.set(PLANNED)
    for username in ("kari", "nina"):
        case = browser(username).get(f"/saker/{world.amina}").text
        assert '<dd id="ansvarlig">Nina Nav, NAV Asker</dd>' in case
        assert 'data-status="accepted">Mottatt</span>' in case
    assert re.search(r'<td data-label="Ansvarlig nå">Nina Nav<br><small>NAV Asker</small></td>',
                     browser("kari").get("/saker").text)


def test_a_missing_required_item_is_said_beside_the_checklist_and_nothing_is_written(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    refused = kari.post(f"/saker/{world.amina}/overforing", data=form(world, ticks=REQUIRED))
    assert refused.status_code == 422
    assert "«Samtykke fra deltakeren til å dele opplysningene» må krysses av før overføringen sendes" in refused.text
    assert 'id="handoff-items-error"' in refused.text and 'name="kryss_inntektsplan" checked' in refused.text
    assert table_counts(world.ctx) == before
    past = kari.post(f"/saker/{world.amina}/overforing", data={**form(world), "dato": "2026-01-01"})
    assert past.status_code == 422 and "planlagt dato 01.01.2026 er før i dag" in past.text
    assert table_counts(world.ctx) == before


def test_returned_with_a_reason_and_a_reason_is_required(browser, world):
    browser("kari").post(f"/saker/{world.amina}/overforing", data=form(world))
    nina = browser("nina")
    handoff = re.search(r'action="/overforinger/(\d+)/retur"', nina.get("/overforinger").text).group(1)
    before = table_counts(world.ctx)
    empty = nina.post(f"/overforinger/{handoff}/retur", data={"arsak": " "})
    assert empty.status_code == 422 and "skriv hvorfor overføringen returneres" in empty.text
    assert table_counts(world.ctx) == before
    assert nina.post(f"/overforinger/{handoff}/retur", data={"arsak": "Feil kontor"}).status_code == 303
    assert "Returnert av nina: Feil kontor" in browser("kari").get(f"/saker/{world.amina}").text
    assert nina.get(f"/saker/{world.amina}").status_code == 404


def test_a_nav_user_sees_only_what_is_handed_to_their_unit(browser, world):
    nina, nils = browser("nina"), browser("nils")
    assert nina.get(f"/saker/{world.amina}").status_code == 404  # nothing handed yet
    browser("kari").post(f"/saker/{world.amina}/overforing", data=form(world))
    assert nina.get(f"/saker/{world.amina}").status_code == 200
    for case in (world.yonas, world.olena):
        assert nina.get(f"/saker/{case}").status_code == 404
    assert nils.get(f"/saker/{world.amina}").status_code == 404  # NAV of another kommune
    before = table_counts(world.ctx)
    assert nina.post(f"/saker/{world.amina}/notat", data={"text": "Hei"}).status_code == 403
    assert table_counts(world.ctx) == before
    page = nina.get(f"/saker/{world.amina}").text
    assert "Overfør til en annen enhet" not in page and "Nytt notat" not in page
    for path in ("/i-dag", "/flagg", "/deltakere", "/overforinger"):  # their other pages work, within the scope
        answer = nina.get(path)
        assert answer.status_code == 200, path
        assert "Yonas" not in answer.text and "Fatima" not in answer.text, path


@pytest.mark.parametrize("handed", [False, True])
def test_access_matrix_of_the_nav_users(browser, world, handed):
    """Every route of the access matrix (tests/ui/test_routes.py) on Amina's case: NAV Asker's veileder and
    leder read it (page and API, case and participant) only while it is handed to them, and change nothing;
    NAV Bærum's veileder never sees it; nothing is written."""
    if handed:
        browser("kari").post(f"/saker/{world.amina}/overforing", data=form(world))
    before, flags_before = table_counts(world.ctx), _flag_states(world)
    routes = _routes(world, world.amina, world.amina_pid, _flag_of(world, world.amina))
    reads = {("GET", f"/saker/{world.amina}"), ("API-GET", f"/api/saker/{world.amina}"),
             ("GET", f"/deltakere/{world.amina_pid}"), ("API-GET", f"/api/deltakere/{world.amina_pid}")}
    for username in ("nina", "nora", "nils"):
        for method, url, data in routes:
            response = _call(browser, world, username, method, url, data)
            if handed and username != "nils" and (method, url) in reads:
                assert response.status_code == 200, (username, method, url, response.status_code)
            else:
                assert response.status_code in (403, 404), (username, method, url, response.status_code)
                assert "Amina" not in response.text
    assert table_counts(world.ctx) == before and _flag_states(world) == flags_before


def test_from_the_planned_date_the_receiver_works_the_case_and_the_sender_sees_status_and_dates(browser, world):
    """Issue 14: accepting makes the receiver responsible from the planned date; the sender keeps status and
    dates only. On the pages and through the API: the receiving veileder gets the forms, the sending veileder
    a line saying who follows the case up now, no facts, no forms, and 403 for a change; nothing written."""
    kari = browser("kari")
    kari.post(f"/saker/{world.amina}/overforing", data=form(world))
    nina = browser("nina")
    handoff = re.search(r'action="/overforinger/(\d+)/mottak"', nina.get("/overforinger").text).group(1)
    nina.post(f"/overforinger/{handoff}/mottak", data={"ansvarlig": "nina"})
    before_date = nina.get(f"/saker/{world.amina}").text
    assert "Enheten din har ikke tatt over saken ennå" in before_date and "Nytt notat" not in before_date
    assert "Lagre endringer" not in nina.get(f"/deltakere/{world.amina_pid}").text
    world.clock.set(PLANNED)
    receiver = browser("nina").get(f"/saker/{world.amina}").text
    assert "Nytt notat" in receiver and f'action="/saker/{world.amina}/hendelse"' in receiver
    assert "Lagre endringer" in browser("nina").get(f"/deltakere/{world.amina_pid}").text  # the facts too
    assert browser("kari").get(f"/deltakere/{world.amina_pid}").status_code == 404
    sender = browser("kari").get(f"/saker/{world.amina}").text
    assert ("Saken er overført til NAV Asker fra 06.12.2026, og NAV Asker følger den opp nå. Du ser status og "
            "datoer") in sender
    assert "Nytt notat" not in sender and "Registrer hendelse" not in sender and "Født" not in sender
    assert 'id="frister-h"' in sender and '<dd id="ansvarlig">Nina Nav, NAV Asker</dd>' in sender
    before = table_counts(world.ctx)
    assert browser("kari").post(f"/saker/{world.amina}/notat", data={"text": "Hei"}).status_code == 403
    client = browser(None).client
    refused = client.post(f"/api/saker/{world.amina}/notater", json={"text": "Hei"},
                          headers={"Authorization": f"Bearer {world.tokens['kari']}"})
    assert refused.status_code == 403 and "handed over" in refused.json()["detail"]
    assert table_counts(world.ctx) == before
    taken = client.post(f"/api/saker/{world.amina}/notater", json={"text": "Fulgt opp av NAV"},
                        headers={"Authorization": f"Bearer {world.tokens['nina']}"})
    assert taken.status_code == 201, taken.text
    shown = client.get(f"/api/saker/{world.amina}", headers={"Authorization": f"Bearer {world.tokens['kari']}"})
    assert shown.status_code == 200 and shown.json()["status_only"] is True
    assert shown.json()["allowed_events"] == [] and shown.json()["introduksjonsstonad"] is None
