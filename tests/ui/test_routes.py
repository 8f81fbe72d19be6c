"""The dashboard's routes through FastAPI's TestClient, on SQLite and PostgreSQL: sign-in, CSRF, the
pages, bad input, and the access matrix (every route × every role × another kommune's case)."""

from __future__ import annotations

import re
import time
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from pathways.services.accounts import add_user
from pathways.store.tables import Enrolment, Flag, SignInFailure
from tests.conftest import table_counts
from tests.ui.conftest import PASSWORD, STAFF, Browser, csrf_of
from ui.app import Settings, create_app

# -- sign-in, sessions, CSRF ------------------------------------------------------------------------


def test_pages_need_sign_in(browser, world):
    anonymous = browser()
    for url in ("/saker", f"/saker/{world.amina}", "/flagg", "/kohort", "/deltakere", "/admin/brukere"):
        response = anonymous.get(url)
        assert response.status_code == 303 and response.headers["location"].startswith("/logg-inn"), url


def test_sign_in_sets_a_safe_session_cookie_and_wrong_passwords_are_refused(browser, world):
    guest = browser()
    page = guest.get("/logg-inn")
    wrong = guest.client.post("/logg-inn", data={"csrf_token": csrf_of(page.text), "username": "kari",
                                                 "password": "feil-passord-123"})
    assert wrong.status_code == 401 and "Feil brukernavn eller passord" in wrong.text
    right = guest.client.post("/logg-inn", data={"csrf_token": csrf_of(page.text), "username": "kari",
                                                 "password": PASSWORD})
    assert right.status_code == 303
    cookie = right.headers["set-cookie"].lower()
    assert "pathways_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "pathways_session=" in page.headers["set-cookie"]  # the anonymous session its CSRF token is bound to


def test_login_is_throttled_after_five_failures(browser, world):
    guest = browser()
    token = csrf_of(guest.get("/logg-inn").text)
    codes = [guest.client.post("/logg-inn", data={"csrf_token": token, "username": "ola", "password": "nei" * 5}
                               ).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    # even the right password is refused while throttled
    right = guest.client.post("/logg-inn", data={"csrf_token": token, "username": "ola", "password": PASSWORD})
    assert right.status_code == 429 and "For mange" in right.text


def test_a_one_time_password_must_be_changed_first(browser, world):
    _, one_time = add_user(world.ctx, username="nina", name="Nina Ny", role="veileder", kommune="Asker")
    guest = browser()
    token = csrf_of(guest.get("/logg-inn").text)
    response = guest.client.post("/logg-inn", data={"csrf_token": token, "username": "nina", "password": one_time})
    assert response.headers["location"] == "/passord"
    assert guest.get("/saker").headers["location"] == "/passord"
    short = guest.post("/passord", {"current": one_time, "password": "kort", "repeat": "kort"})
    assert short.status_code == 422 and "minst 12 tegn" in short.text
    done = guest.post("/passord", {"current": one_time, "password": "et-langt-nytt-passord",
                                   "repeat": "et-langt-nytt-passord"})
    assert done.status_code == 303
    assert guest.get("/saker").status_code == 200


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    response = kari.client.post(f"/saker/{world.amina}/notat", data={"text": "uten token"})
    assert response.status_code == 403 and "Skjemaet er utløpt" in response.text
    forged = kari.client.post(f"/saker/{world.amina}/notat", data={"text": "falsk", "csrf_token": "forfalsket"})
    assert forged.status_code == 403
    assert table_counts(world.ctx) == before


# -- the caseload -----------------------------------------------------------------------------------


def names_on(html: str) -> set[str]:
    return set(re.findall(r'<a href="/saker/\d+">([^<]+)</a>', html))


def test_each_role_sees_its_own_caseload(browser, world):
    assert names_on(browser("kari").get("/saker").text) == {"Amina Ali"}
    assert names_on(browser("ola").get("/saker").text) == {"Yonas Haile"}
    assert names_on(browser("lise").get("/saker").text) == {"Amina Ali", "Yonas Haile"}
    assert names_on(browser("per").get("/saker").text) == {"Olena Kovalenko"}
    assert browser("anne").get("/saker").status_code == 403


def test_caseload_shows_step_deadline_flags_and_income(browser, world):
    html = browser("kari").get("/saker").text
    assert "Vedtak om introduksjonsprogram" in html  # the current step
    assert "(passert)" in html  # the vedtak deadline passed
    assert "Frist passert" in html and "▲ Høy" in html  # flags in text, not only colour
    # Amina has no livelihood registered while the programme runs: an income gap now, not a coming one
    assert "⚠ Gap nå" in html and "Gap kommer" not in html and "Sikret" not in html


def test_caseload_filters_search_and_sorting(browser, world):
    lise = browser("lise")
    assert names_on(lise.get("/saker?q=amin").text) == {"Amina Ali"}
    assert names_on(lise.get("/saker?q=AMINA").text) == {"Amina Ali"}
    assert names_on(lise.get("/saker?flagg=frist_brudd").text) == {"Amina Ali"}
    assert names_on(lise.get("/saker?steg=vedtak").text) == {"Amina Ali"}
    assert names_on(lise.get("/saker?lop=supported_employment").text) == set()
    assert names_on(lise.get("/saker?frist_innen=0").text) == {"Amina Ali"}
    by_name = lise.get("/saker?sort=navn&synkende=1").text
    assert by_name.index("Yonas Haile") < by_name.index("Amina Ali")
    partial = lise.get("/saker?q=yonas", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and names_on(partial.text) == {"Yonas Haile"}
    # the search text is a parameter of a statement made once: LIKE's wildcards in it are taken literally,
    # and the next search (another text, another page) gets its own answer from the same statement
    assert names_on(lise.get("/saker?q=%25").text) == set() and names_on(lise.get("/saker?q=a_i").text) == set()
    assert names_on(lise.get("/saker?q=%2Fa").text) == set()
    assert names_on(lise.get("/saker?q=a ali").text) == {"Amina Ali"}
    assert names_on(lise.get("/saker?q=haile&side=1").text) == {"Yonas Haile"}


@pytest.mark.parametrize("query, message, where", [
    ("frist_innen=abc", "er ikke et heltall", "field-error"), ("frist_innen=-3", "må være 0 eller mer", "field-error"),
    ("sort=alder", "ukjent sortering", "field-error"), ("flagg=tull", "ukjent flaggtype", "field-error"),
    ("side=0", "må være 1 eller mer", "notice error"),  # the page number has no field of its own
    ("q=" + "x" * 101, "søket er for langt", "field-error"),
])
def test_bad_caseload_filters_get_a_message_next_to_the_field(browser, world, query, message, where):
    response = browser("lise").get("/saker?" + query)
    assert response.status_code == 422 and message in response.text
    assert f'class="{where}"' in response.text


# -- the case page ----------------------------------------------------------------------------------


def test_case_page_shows_diagram_deadlines_livelihood_events_and_forms(browser, world):
    html = browser("kari").get(f"/saker/{world.amina}").text
    assert "Amina Ali" in html and "Introduksjonsprogrammet" in html
    # the diagram is inline (pan and zoom by diagram.js), the current step marked, Norwegian only
    assert '<svg role="img" aria-label="Diagram over Introduksjonsprogrammet' in html
    assert re.search(r'<g id="steg&#45;vedtak" class="node naa">', html) and "● NÅ" in html
    assert "Settlement in the kommune" not in html and "<title>" not in html.split("<svg", 1)[1]
    full = browser("kari").get(f"/saker/{world.amina}/diagram")  # full size, in the layout, with a way back
    assert full.status_code == 200 and 'aria-label="Hovedmeny"' in full.text
    assert f'<a href="/saker/{world.amina}">← Tilbake til saken</a>' in full.text
    assert 'class="node naa"' in full.text and 'data-focus="now"' in full.text
    download = re.search(r'<a href="(/diagram/\d+\.svg\?[^"]+)" download', html)  # the raw SVG, to save
    assert download and "vedtak" in download.group(1)
    svg = browser("kari").get(download.group(1).replace("&amp;", "&"))
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "NÅ".encode() in svg.content
    assert "Vedtak om introduksjonsprogram senest 3 måneder" in html  # a deadline
    assert "Livsopphold" in html and "Inntektskilder" in html
    assert 'value="vedtak_fattet"' in html and 'value="vedtak_avslag"' in html  # the allowed events
    assert 'name="f_programstart_dato"' in html  # the definition's field
    assert "Kompetansekartlegging" in html  # the event timeline names what happened


def test_recording_an_event_moves_the_case_and_resolves_its_deadline_flag(browser, world):
    kari = browser("kari")
    [breach] = [f for f in world.flags(world.amina) if f.kind == "frist_brudd" and f.state == "open"]
    response = kari.post(f"/saker/{world.amina}/hendelse", {
        "event": "vedtak_fattet", "on": "2026-11-20", "case_version": "3", "f_programstart_dato": "2026-12-01"})
    assert response.status_code == 303, response.text
    page = kari.get(f"/saker/{world.amina}").text
    assert "Hendelsen er registrert" in page
    assert "Integreringsplan og integreringskontrakt" in page
    flag = {f.id: f for f in world.flags(world.amina)}[breach.id]
    assert (flag.state, flag.resolved_by) == ("resolved", "kari")


@pytest.mark.parametrize("form, field, message", [
    ({"on": "2026-13-40"}, "on", "er ikke en dato"),
    ({"on": "2027-01-01"}, "on", "er etter i dag"),
    ({"f_programstart_dato": "i morgen"}, "f_programstart_dato", "er ikke en dato"),
    ({"f_programstart_dato": ""}, "f_programstart_dato", "må fylles ut"),
    ({"event": "finnes_ikke"}, "event", "ukjent hendelse"),
])
def test_bad_event_input_gets_a_message_and_changes_nothing(browser, world, form, field, message):
    kari = browser("kari")
    before = table_counts(world.ctx)
    data = {"event": "vedtak_fattet", "on": "2026-11-20", "case_version": "3", "f_programstart_dato": "2026-12-01",
            **form}
    response = kari.post(f"/saker/{world.amina}/hendelse", data)
    assert response.status_code == 422
    assert message in response.text, response.text[:3000]
    assert table_counts(world.ctx) == before


def test_a_refused_event_shows_the_guards_explanation(browser, world):
    """vedtak_fattet's guard: the participant has lived in the kommune for less than two years (§ 8)."""
    world.clock.set(date(2028, 6, 1))  # Amina settled 2026-05-01: more than two years by now
    kari = browser("kari")
    before = table_counts(world.ctx)
    response = kari.post(f"/saker/{world.amina}/hendelse", {"event": "vedtak_fattet", "on": "2028-05-15",
                                                            "case_version": "3", "f_programstart_dato": "2028-06-01"})
    assert response.status_code == 422
    refused = response.text[response.text.index('id="refused"'):]
    assert "er ikke tillatt nå. Dette mangler:" in refused
    assert ("<li>Tiden fra bosettingsdato til hendelsesdatoen må være mindre enn 2 år; registrert er 2 år 14 dager"
            "</li>") in refused
    assert "Deltakeren har bodd to år eller mer i kommunen på vedtakstidspunktet (integreringsloven § 8)." in refused
    assert "P2Y" not in refused and "settlement_date" not in refused
    assert table_counts(world.ctx) == before


def test_an_event_of_another_step_is_refused_and_named(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    response = kari.post(f"/saker/{world.amina}/hendelse", {"event": "plan_og_kontrakt_signert", "on": "2026-11-20",
                                                            "case_version": "3", "f_sluttmal": "arbeid",
                                                            "f_planlagt_slutt": "2028-01-01"})
    assert response.status_code == 422
    assert "kan ikke registreres i steget saken er i (Vedtak om introduksjonsprogram)" in response.text
    assert table_counts(world.ctx) == before


def test_a_stale_case_version_is_a_conflict(browser, world):
    kari = browser("kari")
    response = kari.post(f"/saker/{world.amina}/hendelse", {"event": "vedtak_fattet", "on": "2026-11-20",
                                                            "case_version": "1", "f_programstart_dato": "2026-12-01"})
    assert response.status_code == 422 and "endret av noen andre" in response.text


def test_notes_are_saved_and_an_empty_note_is_refused(browser, world):
    kari = browser("kari")
    assert kari.post(f"/saker/{world.amina}/notat", {"text": "  "}).status_code == 422
    assert kari.post(f"/saker/{world.amina}/notat", {"text": "Ringte deltaker om vedtaket."}).status_code == 303
    assert "Ringte deltaker om vedtaket." in kari.get(f"/saker/{world.amina}").text


# -- flags ------------------------------------------------------------------------------------------


def test_flag_inbox_acknowledge_snooze_and_resolve(browser, world):
    kari = browser("kari")
    inbox = kari.get("/flagg").text
    assert "Frist passert" in inbox and "Amina Ali" in inbox and "Yonas" not in inbox
    ids = [f.id for f in world.flags(world.amina) if f.state == "open"]
    assert len(ids) >= 2
    first, second = ids[0], ids[1]
    assert kari.post(f"/flagg/{first}/kvitter").status_code == 303
    past = kari.post(f"/flagg/{second}/utsett", {"until": "2026-11-01"}, headers={"HX-Request": "true"})
    assert past.status_code == 422 and "utsett til en dato etter i dag" in past.text
    assert kari.post(f"/flagg/{second}/utsett", {"until": "2026-12-01"}).status_code == 303
    empty = kari.post(f"/flagg/{first}/lukk", {"comment": ""}, headers={"HX-Request": "true"})
    assert empty.status_code == 422 and "skriv hvordan flagget ble løst" in empty.text
    assert kari.post(f"/flagg/{first}/lukk", {"comment": "Vedtak purret"}).status_code == 303
    states = {f.id: (f.state, f.resolved_by, f.resolution) for f in world.flags(world.amina)}
    assert states[first] == ("resolved", "kari", "Vedtak purret")
    assert states[second][0] == "snoozed"
    assert "Løste" in kari.get("/flagg?tilstand=resolved").text


def test_the_header_counts_open_flags(browser, world):
    html = browser("kari").get("/saker").text
    count = re.search(r'<span class="count" aria-label="(\d+) åpne flagg">', html)
    expected = sum(1 for f in world.flags(world.amina) if f.state == "open")
    assert count and int(count.group(1)) == expected > 0


# -- cohort, participants, users ------------------------------------------------------------------------


def test_cohort_counts_active_cases_per_step_in_the_kommune(browser, world):
    html = browser("lise").get("/kohort?lop=introduksjonsprogram").text
    assert "2 aktive saker" in html  # Amina and Yonas; Olena is in Bærum
    assert "Ingen avsluttede saker ennå." in html and "målet er" not in html  # no case has ended yet
    assert '<svg role="img"' in html and re.search(r">\d+ deltakere?<", html)  # inline, the counts in the boxes
    full = browser("lise").get("/kohort/introduksjonsprogram/diagram")
    assert full.status_code == 200 and 'aria-label="Hovedmeny"' in full.text
    assert re.search(r">\d+ deltakere?<", full.text)
    assert '<a href="/kohort?lop=introduksjonsprogram">← Tilbake til kohorten</a>' in full.text
    assert browser("lise").get("/kohort/finnes_ikke/diagram").status_code == 404
    svg = browser("lise").get("/kohort/introduksjonsprogram.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert browser("lise").get("/kohort?lop=finnes_ikke").status_code == 404


def test_participants_create_edit_and_bad_input(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    bad = kari.post("/deltakere/ny", {"name": "Ny Person", "born": "2026-02-30"})
    assert bad.status_code == 422 and 'id="born-error"' in bad.text and "er ikke en dato" in bad.text
    nameless = kari.post("/deltakere/ny", {"name": "", "born": "1990-01-01"})
    assert nameless.status_code == 422 and 'id="name-error"' in nameless.text
    assert table_counts(world.ctx) == before
    created = kari.post("/deltakere/ny", {"name": "Ny Person", "born": "1990-01-01", "norwegian_oral": "A2"})
    assert created.status_code == 303
    pid = int(created.headers["location"].rsplit("/", 1)[1])
    page = kari.get(f"/deltakere/{pid}").text
    assert 'value="Ny Person"' in page and '<option selected>A2</option>' in page
    edited = kari.post(f"/deltakere/{pid}", {"name": "Ny Person", "born": "1990-01-01", "norwegian_oral": "B1",
                                             "version": "1"})
    assert edited.status_code == 303 and '<option selected>B1</option>' in kari.get(f"/deltakere/{pid}").text
    stale = kari.post(f"/deltakere/{pid}", {"name": "X", "born": "1990-01-01", "version": "1"})
    assert stale.status_code == 422 and "endret av noen andre" in stale.text


def test_enrolling_from_the_participant_page_makes_the_veileder_caseworker(browser, world):
    kari = browser("kari")
    bad = kari.post(f"/deltakere/{world.fatima_pid}/innmelding", {"pathway": "introduksjonsprogram",
                                                                  "start": "2030-01-01"})
    assert bad.status_code == 422 and "mer enn ett år fram i tid" in bad.text
    done = kari.post(f"/deltakere/{world.fatima_pid}/innmelding", {"pathway": "introduksjonsprogram",
                                                                   "start": "2026-11-01"})
    assert done.status_code == 303
    case_id = int(done.headers["location"].rsplit("/", 1)[1])
    with Session(world.ctx.engine) as session:
        assert session.get(Enrolment, case_id).caseworker == "kari"


def wait_for_job(client, location: str) -> str:
    for _ in range(100):
        html = client.get(location).text
        if "Arbeider" not in html:
            return html
        time.sleep(0.05)
    raise AssertionError("the job did not finish")


def test_csv_import_shows_row_errors_and_imports_nothing_then_imports_a_good_file(browser, world):
    kari = browser("kari")
    before = table_counts(world.ctx)
    bad = "name,born,kommune\nGod Rad,1990-01-01,\nUten Dato,,\nFeil Kommune,1991-01-01,Bærum\n"
    started = kari.post("/deltakere-import", files={"file": ("liste.csv", bad.encode(), "text/csv")})
    assert started.status_code == 303
    html = wait_for_job(kari, started.headers["location"])
    assert "Ingenting er lagret" in html and "Feil i filen" in html
    assert re.search(r'<td class="num">3</td><td>fødselsdato</td>', html)
    assert "ikke din kommune" in html and "/bekreft" not in html  # nothing to confirm
    assert table_counts(world.ctx) == before
    good = "name,born,settled\nLeyla Omar,1993-04-05,2026-10-10\nDawit Tesfay,1989-09-09,\n"
    started = kari.post("/deltakere-import", files={"file": ("liste.csv", good.encode(), "text/csv")})
    html = wait_for_job(kari, started.headers["location"])
    assert "2 deltakere kan importeres" in html and "Leyla Omar" in html
    assert table_counts(world.ctx) == before  # a preview writes nothing
    confirmed = kari.post(started.headers["location"] + "/bekreft")
    assert confirmed.status_code == 303
    html = wait_for_job(kari, confirmed.headers["location"])
    assert "2 deltakere importert" in html
    assert table_counts(world.ctx)["participant"] == before["participant"] + 2
    assert kari.post("/deltakere-import").status_code == 422  # no file chosen


def test_a_manual_check_run_shows_progress_and_finishes(browser, world):
    lise = browser("lise")
    started = lise.post("/kontroll")
    assert started.status_code == 303
    html = wait_for_job(lise, started.headers["location"])
    assert "Ferdig" in html and "flagg" in html
    assert browser("kari").post("/kontroll").status_code == 403


def test_administrator_creates_users_and_others_cannot(browser, world):
    anne = browser("anne")
    created = anne.post("/admin/brukere", {"username": "siv", "name": "Siv Veileder", "role": "veileder"})
    assert created.status_code == 200 and "Engangspassord" in created.text
    taken = anne.post("/admin/brukere", {"username": "kari", "name": "Kari", "role": "veileder"})
    assert taken.status_code == 422 and "er tatt" in taken.text
    bad = anne.post("/admin/brukere", {"username": "Ugyldig Navn!", "name": "X", "role": "sjef"})
    assert bad.status_code == 422 and 'id="username-error"' in bad.text
    assert browser("kari").get("/admin/brukere").status_code == 403
    assert browser("lise").post("/admin/brukere", {"username": "z1", "name": "Z", "role": "leder"}).status_code == 403


# -- the access matrix ------------------------------------------------------------------------------


def _flag_of(world, case_id: int) -> int:
    with Session(world.ctx.engine) as session:
        return session.exec(select(Flag.id).where(Flag.enrolment_id == case_id)).first()


def _routes(world, case_id: int, pid: int, flag_id: int) -> list[tuple[str, str, dict]]:
    event = {"event": "fullfort", "on": "2026-11-20", "case_version": "1"}
    return [
        ("GET", f"/saker/{case_id}", {}), ("POST", f"/saker/{case_id}/hendelse", event),
        ("POST", f"/saker/{case_id}/notat", {"text": "x"}),
        ("POST", f"/flagg/{flag_id}/kvitter", {}), ("POST", f"/flagg/{flag_id}/utsett", {"until": "2026-12-24"}),
        ("POST", f"/flagg/{flag_id}/lukk", {"comment": "x"}),
        ("GET", f"/deltakere/{pid}", {}), ("POST", f"/deltakere/{pid}", {"name": "X", "born": "1990-01-01"}),
        ("POST", f"/deltakere/{pid}/innmelding", {"pathway": "introduksjonsprogram", "start": "2026-11-01"}),
        ("API-GET", f"/api/saker/{case_id}", {}),
        ("API-POST", f"/api/saker/{case_id}/hendelser", {"event": "fullfort", "on": "2026-11-20"}),
        ("API-POST", f"/api/saker/{case_id}/notater", {"text": "x"}),
        ("API-POST", f"/api/flagg/{flag_id}/kvitter", {}),
        ("API-POST", f"/api/flagg/{flag_id}/lukk", {"comment": "x"}),
        ("API-GET", f"/api/deltakere/{pid}", {}),
    ]


def _call(client_for, world, username: str, method: str, url: str, data: dict):
    if method.startswith("API-"):
        client = client_for(None).client
        headers = {"Authorization": f"Bearer {world.tokens[username]}"}
        return (client.get(url, headers=headers) if method == "API-GET"
                else client.post(url, json=data, headers=headers))
    user = client_for(username)
    return user.get(url) if method == "GET" else user.post(url, data)


def _flag_states(world) -> dict[int, str]:
    with Session(world.ctx.engine) as session:
        return {f.id: f.state for f in session.exec(select(Flag))}


def test_access_matrix_another_kommunes_case_is_never_shown_or_changed(browser, world):
    """Every route × every Asker role × Olena's case in Bærum: 403 or 404, and nothing changes."""
    before, flags_before = table_counts(world.ctx), _flag_states(world)
    routes = _routes(world, world.olena, world.olena_pid, _flag_of(world, world.olena))
    for username, (_role, kommune) in STAFF.items():
        if kommune != "Asker":
            continue
        for method, url, data in routes:
            response = _call(browser, world, username, method, url, data)
            assert response.status_code in (403, 404), (username, method, url, response.status_code)
            assert "Olena" not in response.text
    assert table_counts(world.ctx) == before and _flag_states(world) == flags_before


def test_access_matrix_inside_the_kommune_follows_the_roles(browser, world):
    """ola may not touch kari's case; lise reads but never writes; anne (administrator) sees no cases and no
    participants (users and definitions are her work)."""
    before, flags_before = table_counts(world.ctx), _flag_states(world)
    routes = _routes(world, world.amina, world.amina_pid, _flag_of(world, world.amina))
    reads = {("GET", f"/saker/{world.amina}"), ("API-GET", f"/api/saker/{world.amina}"),
             ("GET", f"/deltakere/{world.amina_pid}"), ("API-GET", f"/api/deltakere/{world.amina_pid}")}
    for username in ("ola", "lise", "anne"):
        for method, url, data in routes:
            response = _call(browser, world, username, method, url, data)
            may_read = (method, url) in reads and username == "lise"
            if may_read:
                assert response.status_code == 200, (username, url)
            else:
                assert response.status_code in (403, 404), (username, method, url, response.status_code)
    assert table_counts(world.ctx) == before and _flag_states(world) == flags_before


# -- the REST API -----------------------------------------------------------------------------------


def api(browser, world, username: str | None):
    client = browser(None).client
    if username:
        client.headers["Authorization"] = f"Bearer {world.tokens[username]}"
    return client


def test_api_needs_a_token(browser, world):
    client = api(browser, world, None)
    assert client.get("/api/saker").status_code == 401
    client.headers["Authorization"] = "Bearer pw_feil"
    assert client.get("/api/saker").status_code == 401
    assert browser("kari").get("/api/saker").status_code == 401  # a session cookie is not an API token


def test_api_lists_and_shows_cases_in_scope(browser, world):
    kari = api(browser, world, "kari")
    listing = kari.get("/api/saker").json()
    assert listing["total"] == 1 and listing["cases"][0]["name"] == "Amina Ali"
    assert any(f["kind"] == "frist_brudd" for f in listing["cases"][0]["open_flags"])
    case = kari.get(f"/api/saker/{world.amina}").json()
    assert case["steps"][0]["id"] == "vedtak" and case["case_version"] == 3
    assert [e["name"] for e in case["events"]][:1] == ["kartlegging_fullfort"]
    assert api(browser, world, "lise").get("/api/saker").json()["total"] == 2


def test_api_records_an_event_with_optimistic_locking(browser, world):
    kari = api(browser, world, "kari")
    body = {"event": "vedtak_fattet", "on": "2026-11-20", "values": {"programstart_dato": "2026-12-01"},
            "case_version": 2}
    assert kari.post(f"/api/saker/{world.amina}/hendelser", json=body).status_code == 409
    created = kari.post(f"/api/saker/{world.amina}/hendelser", json={**body, "case_version": 3})
    assert created.status_code == 201 and created.json()["steps"] == ["integreringsplan"]


@pytest.mark.parametrize("body, where", [
    ({"event": "vedtak_fattet"}, "on"),
    ({"event": "vedtak_fattet", "on": "not a date"}, "on"),
    ({"event": "vedtak_fattet", "on": "2026-11-20", "extra": 1}, "extra"),
    ({"event": "vedtak_fattet", "on": "2026-11-20", "values": {"programstart_dato": "snart"}}, "programstart_dato"),
    ({"event": "vedtak_fattet", "on": "2026-11-20", "values": {}}, "programstart_dato"),
])
def test_api_bad_bodies_get_422_with_details_and_change_nothing(browser, world, body, where):
    before = table_counts(world.ctx)
    response = api(browser, world, "kari").post(f"/api/saker/{world.amina}/hendelser", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert any(where in [str(p) for p in d["loc"]] for d in detail), detail
    assert table_counts(world.ctx) == before


def test_api_flags_and_participants(browser, world):
    kari = api(browser, world, "kari")
    flags = kari.get("/api/flagg").json()["flags"]
    assert flags and all(f["case"] == world.amina for f in flags)
    fid = flags[0]["id"]
    assert kari.post(f"/api/flagg/{fid}/lukk", json={"comment": ""}).status_code == 422
    assert kari.post(f"/api/flagg/{fid}/lukk", json={"comment": "ok"}).json()["state"] == "resolved"
    assert kari.post(f"/api/flagg/{fid}/lukk", json={"comment": "igjen"}).status_code == 422  # already resolved
    created = kari.post("/api/deltakere", json={"name": "Api Person", "born": "1990-01-01"})
    assert created.status_code == 201
    assert kari.get(f"/api/deltakere/{created.json()['id']}").json()["name"] == "Api Person"
    assert kari.post("/api/deltakere", json={"name": "", "born": "1990-01-01"}).status_code == 422
    assert api(browser, world, "lise").post("/api/deltakere", json={"name": "X", "born": "1990-01-01"}
                                             ).status_code == 403


def test_openapi_describes_the_api(browser, world):
    spec = browser(None).get("/api/openapi.json").json()
    assert "/api/saker/{case_id}/hendelser" in spec["paths"]
    assert all(path.startswith("/api") for path in spec["paths"])


def test_worker_processes_share_sign_in_failures_jobs_and_sessions(app, world):
    """The dashboard runs several worker processes (python -m ui): two apps on one store stand in for
    two workers. A failure counted by one throttles the other; a job started on one is shown by the
    other, to its owner only; a session cookie made by one is good on the other."""
    other = create_app(world.ctx.engine, world.clock, Settings("test-secret-" + "x" * 32))
    first, second = Browser(app, None), Browser(other, None)
    token = first.token()
    for _ in range(5):
        assert first.client.post("/logg-inn", data={"csrf_token": token, "username": "ola", "password": "galt" * 4}
                                 ).status_code == 401
    refused = second.client.post("/logg-inn", data={"csrf_token": second.token(), "username": "ola",
                                                    "password": PASSWORD})
    assert refused.status_code == 429
    with Session(world.ctx.engine) as session:  # only digests are stored, never the username
        keys = [row.key for row in session.exec(select(SignInFailure)).all()]
    assert keys and all(len(k) == 64 and "ola" not in k for k in keys)

    kari = Browser(app, "kari")
    started = kari.post("/deltakere-import", files={"file": ("liste.csv", b"name,born\nLeyla Omar,1993-04-05\n",
                                                             "text/csv")})
    elsewhere = TestClient(other, follow_redirects=False, cookies=dict(kari.client.cookies))
    html = wait_for_job(elsewhere, started.headers["location"])
    assert "1 deltaker kan importeres" in html
    assert Browser(other, "per").get(started.headers["location"]).status_code == 404  # not per's job
