"""The leder's view through the REST API and the pages (issue 13, item 9): the same rules as the service
(tests/services/test_caseworkers.py), the answers at the edge: 403 for a role that may not, 404 outside the
kommune, 422 naming the field for bad input, and the database unchanged by every refusal.

World: tests/ui/conftest.py (Asker: veiledere kari with Amina's case and ola with Yonas's, leder lise,
administrator anne; Bærum: veileder per with Olena's case). The clock stands at 2026-11-22.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from pathways.store.tables import Enrolment, User
from tests.conftest import table_counts
from tests.ui.conftest import World


def uid(world: World, username: str) -> int:
    with Session(world.ctx.engine) as session:
        return session.exec(select(User.id).where(User.username == username)).one()


def caseworker(world: World, case_id: int) -> str | None:
    with Session(world.ctx.engine) as session:
        return session.get(Enrolment, case_id).caseworker


def api(app, world: World, username: str) -> TestClient:
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {world.tokens[username]}"
    return client


def locs(response) -> list[list]:
    return [d["loc"] for d in response.json()["detail"]]


# -- API ----------------------------------------------------------------------------------------------------


def test_only_a_leder_or_administrator_reaches_the_endpoints(app, world):
    kari, ola = uid(world, "kari"), uid(world, "ola")
    calls = [("GET", "/api/veiledere", None), ("POST", f"/api/saker/{world.amina}/veileder", {"to": ola}),
             ("POST", f"/api/veiledere/{kari}/flytt", {"to": ola}),
             ("POST", f"/api/veiledere/{kari}/vikar", {"covering": ola, "until": "2026-12-31"}),
             ("POST", "/api/vikarer/1/avslutt", None)]
    before = table_counts(world.ctx)
    for username in ("kari", "per"):
        client = api(app, world, username)
        for method, url, body in calls:
            response = client.request(method, url, json=body)
            assert response.status_code == 403, (username, url, response.text)
            assert "only a leder or an administrator" in response.json()["detail"]
    assert table_counts(world.ctx) == before
    listing = api(app, world, "anne").get("/api/veiledere")
    assert listing.status_code == 200
    rows = {v["username"]: v for v in listing.json()["veiledere"]}
    assert set(rows) == {"kari", "ola"} and rows["kari"]["active_cases"] == 1 and rows["kari"]["breaches"] == 1
    assert rows["kari"]["name"] == "Kari Nordmann"


def test_reassign_a_case_and_every_bad_body_is_refused_naming_the_field(app, world):
    lise = api(app, world, "lise")
    ola, per, boss = uid(world, "ola"), uid(world, "per"), uid(world, "lise")
    url = f"/api/saker/{world.amina}/veileder"
    before = table_counts(world.ctx)
    for body, field, words in [
            ({"to": str(ola)}, "to", None), ({"to": 1.5}, "to", None), ({"to": True}, "to", None),
            ({"to": 0}, "to", None), ({}, "to", None), ({"to": ola, "hvem": 1}, "hvem", None),
            ({"to": ola, "case_version": "1"}, "case_version", None),
            ({"to": 999_999}, "to", "no veileder with id"), ({"to": per}, "to", "no veileder with id"),
            ({"to": boss}, "to", "is not a veileder"), ({"to": uid(world, "kari")}, "to", "already the case's")]:
        response = lise.post(url, json=body)
        assert response.status_code == 422, (body, response.text)
        assert ["body", field] in locs(response), (body, response.json())
        if words:
            assert words in response.json()["detail"][0]["msg"]
    assert lise.post(f"/api/saker/{world.olena}/veileder", json={"to": ola}).status_code == 404  # Bærum's case
    assert lise.post(url, json={"to": ola, "case_version": 1}).status_code == 409  # the case is at version 3
    assert table_counts(world.ctx) == before and caseworker(world, world.amina) == "kari"

    moved = lise.post(url, json={"to": ola})
    assert moved.status_code == 200, moved.text
    assert moved.json() == {"case": world.amina, "caseworker": {"id": ola, "username": "ola", "name": "Ola Nordmann"}}
    assert caseworker(world, world.amina) == "ola"
    assert world.amina in {c["id"] for c in api(app, world, "ola").get("/api/saker").json()["cases"]}
    assert api(app, world, "kari").get(f"/api/saker/{world.amina}").status_code == 404


def test_cover_through_the_api_until_a_date_then_end_it(app, world):
    lise = api(app, world, "lise")
    kari, ola, per = uid(world, "kari"), uid(world, "ola"), uid(world, "per")
    url = f"/api/veiledere/{kari}/vikar"
    before = table_counts(world.ctx)
    for body, field, words in [
            ({"covering": ola, "until": 0}, "until", "ÅÅÅÅ-MM-DD"),
            ({"covering": ola, "until": 20261231}, "until", "ÅÅÅÅ-MM-DD"),
            ({"covering": ola, "until": "31.12.2026"}, "until", "ÅÅÅÅ-MM-DD"),
            ({"covering": ola, "until": "2026-12-31T00:00:00"}, "until", "ÅÅÅÅ-MM-DD"),
            ({"covering": ola, "until": "2026-02-30"}, "until", None),
            ({"covering": ola, "until": "2026-11-21"}, "until", "2026-11-21 has passed"),
            ({"covering": ola, "until": "2027-11-23"}, "until", "at most one year at a time (until 2027-11-22)"),
            ({"covering": "ola", "until": "2026-12-31"}, "covering", None),
            ({"covering": per, "until": "2026-12-31"}, "covering", "no veileder with id"),
            ({"covering": uid(world, "lise"), "until": "2026-12-31"}, "covering", "is not a veileder"),
            ({"covering": kari, "until": "2026-12-31"}, "covering", "cannot cover for themselves"),
            ({"until": "2026-12-31"}, "covering", None)]:
        response = lise.post(url, json=body)
        assert response.status_code == 422, (body, response.text)
        assert ["body", field] in locs(response), (body, response.json())
        if words:
            assert words in response.json()["detail"][0]["msg"], response.json()
    for absent in (per, uid(world, "lise"), 2**40):  # Bærum's veileder, not a veileder, beyond the ids
        response = lise.post(f"/api/veiledere/{absent}/vikar", json={"covering": ola, "until": "2026-12-31"})
        assert response.status_code == 404, (absent, response.text)
    assert table_counts(world.ctx) == before

    made = lise.post(url, json={"covering": ola, "until": "2026-12-31"})
    assert made.status_code == 201, made.text
    cover = made.json()
    assert (cover["absent"]["username"], cover["covering"]["username"], cover["start"], cover["until"]) == (
        "kari", "ola", "2026-11-22", "2026-12-31")
    ola_client = api(app, world, "ola")
    assert {c["id"] for c in ola_client.get("/api/saker").json()["cases"]} == {world.amina, world.yonas}
    assert ola_client.post(f"/api/saker/{world.amina}/notater", json={"text": "Ringte for Kari"}).status_code == 201
    assert [c["id"] for c in lise.get("/api/veiledere").json()["covers"]] == [cover["id"]]

    ended = lise.post(f"/api/vikarer/{cover['id']}/avslutt")
    assert ended.status_code == 200 and ended.json()["ended"] is True
    assert {c["id"] for c in ola_client.get("/api/saker").json()["cases"]} == {world.yonas}
    assert lise.post(f"/api/vikarer/{cover['id']}/avslutt").status_code == 404
    assert caseworker(world, world.amina) == "kari"


def test_move_all_cases_and_filter_the_caseload_by_veileder(app, world):
    lise = api(app, world, "lise")
    kari, ola, per = uid(world, "kari"), uid(world, "ola"), uid(world, "per")
    only_ola = lise.get(f"/api/saker?veileder={ola}")
    assert [c["id"] for c in only_ola.json()["cases"]] == [world.yonas]
    assert lise.get("/api/saker?veileder=abc").status_code == 422
    assert ["query", "veileder"] in locs(lise.get("/api/saker?veileder=abc"))
    foreign = lise.get(f"/api/saker?veileder={per}")
    assert foreign.status_code == 422 and "veileder" in foreign.json()["detail"][0]["loc"]
    before = table_counts(world.ctx)
    assert lise.post(f"/api/veiledere/{kari}/flytt", json={"to": kari}).status_code == 422
    assert lise.post(f"/api/veiledere/{per}/flytt", json={"to": ola}).status_code == 404
    assert table_counts(world.ctx) == before
    moved = lise.post(f"/api/veiledere/{kari}/flytt", json={"to": ola})
    assert moved.json() == {"from": kari, "to": ola, "moved": 1}
    assert {c["id"] for c in lise.get(f"/api/saker?veileder={ola}").json()["cases"]} == {world.amina, world.yonas}


def test_the_openapi_document_types_the_new_bodies(app, world):
    document = TestClient(app).get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    for name in ("ReassignIn", "MoveAllIn", "CoverIn"):
        assert schemas[name]["additionalProperties"] is False, name
    assert schemas["CoverIn"]["properties"]["until"]["format"] == "date"
    assert schemas["ReassignIn"]["properties"]["to"]["type"] == "integer"
    for path in ("/api/veiledere/{user_id}/vikar", "/api/saker/{case_id}/veileder", "/api/vikarer/{cover_id}/avslutt"):
        assert {"401", "403", "404", "422"} <= set(document["paths"][path]["post"]["responses"]), path
    assert "409" in document["paths"]["/api/saker/{case_id}/veileder"]["post"]["responses"]
    veileder = next(p for p in document["paths"]["/api/saker"]["get"]["parameters"] if p["name"] == "veileder")
    assert veileder["schema"]["anyOf"][0]["type"] == "integer"


# -- pages --------------------------------------------------------------------------------------------------


def test_the_veiledere_page_is_the_leders_and_sets_a_cover_the_veileder_then_sees(browser, world):
    assert browser("kari").get("/veiledere").status_code == 403
    assert "Veiledere" not in browser("kari").get("/saker").text.split("<main")[0]  # not in her menu
    lise = browser("lise")
    page = lise.get("/veiledere")
    assert page.status_code == 200
    assert "Kari Nordmann" in page.text and "Sett vikar" in page.text and "Ingen vikarer nå" in page.text
    kari = uid(world, "kari")
    bad = lise.post(f"/veiledere/{kari}/vikar", data={"vikar": str(uid(world, "ola")), "til": "2026-11-01"})
    assert bad.status_code == 422
    assert re.search(rf'id="vikar-{kari}-til"[^>]*aria-invalid="true"', bad.text)
    assert "01.11.2026 er passert" in bad.text
    done = lise.post(f"/veiledere/{kari}/vikar", data={"vikar": str(uid(world, "ola")), "til": "2026-12-31"})
    assert done.status_code == 303
    assert "Ola Nordmann er vikar for Kari Nordmann til og med 31.12.2026" in lise.get("/veiledere").text
    ola = browser("ola").get("/saker").text
    assert "Amina Ali" in ola and "Du er vikar for Kari Nordmann til og med 31.12.2026" in ola
    assert "Amina Ali" in browser("ola").get(f"/saker?veileder={kari}").text
    assert browser("anne").get("/veiledere").status_code == 200


def test_a_leder_moves_a_case_from_the_case_page(browser, world):
    assert "Flytt saken til" not in browser("kari").get(f"/saker/{world.amina}").text
    lise = browser("lise")
    page = lise.get(f"/saker/{world.amina}").text
    assert "Veileder:</strong> Kari Nordmann" in page and "Flytt saken til" in page
    version = re.search(r'name="case_version" value="(\d+)"', page).group(1)
    moved = lise.post(f"/saker/{world.amina}/veileder", data={"til": str(uid(world, "ola")), "case_version": version})
    assert moved.status_code == 303
    after = lise.get(moved.headers["location"]).text
    assert "Saken er flyttet til Ola Nordmann." in after and "Veileder:</strong> Ola Nordmann" in after
    stale = lise.post(f"/saker/{world.amina}/veileder", data={"til": str(uid(world, "kari")), "case_version": version})
    assert "endret av noen andre" in lise.get(stale.headers["location"]).text
    assert caseworker(world, world.amina) == "ola"
    assert lise.post(f"/saker/{world.olena}/veileder", data={"til": str(uid(world, "ola"))}).status_code == 404
