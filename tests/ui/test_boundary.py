"""Input out of range at the edge (issue 11): ids beyond the store's integers, counts of 2^31 and 2^63,
400-digit numbers, implausible dates, NUL characters and lone surrogates are refused with 404 or 422
and a message, on SQLite and PostgreSQL, and leave the database as it was."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import SQLModel, select

from tests.conftest import BOOKKEEPING

HUGE = 99999999999999999999999


def snapshot(ctx) -> dict[str, list[str]]:
    """Every row of every domain table, as text: a refused request must leave all of them as they were."""
    with ctx.engine.connect() as connection:
        return {t.name: sorted(repr(tuple(row)) for row in connection.execute(select(t)))
                for t in SQLModel.metadata.sorted_tables if t.name not in BOOKKEEPING}


def api_client(app, world, username: str = "kari") -> TestClient:
    client = TestClient(app, raise_server_exceptions=False)
    client.headers.update({"Authorization": f"Bearer {world.tokens[username]}", "Content-Type": "application/json"})
    return client


def send(client: TestClient, method: str, url: str, body=None):
    """``body`` as JSON text with every non-ASCII character escaped, so lone surrogates travel as \\udxxx."""
    content = None if body is None else json.dumps(body).encode()
    return client.request(method, url, content=content)


def refusals(world) -> list[tuple[str, str, object, int, str]]:
    case, flag = world.amina, world.flags(world.amina)[0].id
    person = {"name": "Leyla Omar", "born": "1993-04-05"}
    return [
        ("GET", f"/api/saker/{HUGE}", None, 404, "fant ingen sak"),
        ("GET", f"/api/saker/{2**63}", None, 404, "fant ingen sak"),
        ("GET", f"/api/deltakere/{2**63 + 1}", None, 404, "fant ingen deltaker"),
        ("POST", f"/api/flagg/{HUGE}/kvitter", None, 404, "fant ingen flagg"),
        ("POST", f"/api/saker/{HUGE}/notater", {"text": "x"}, 404, "fant ingen sak"),
        ("GET", f"/api/saker?side={2**63}", None, 422, "less than or equal"),
        ("POST", "/api/deltakere", {**person, "fields": {"dependants": 2**31}}, 422, "the limit 30"),
        ("POST", "/api/deltakere", {**person, "fields": {"dependants": 2**63}}, 422, "the limit 30"),
        ("POST", "/api/deltakere", {**person, "settled": "9999-12-31"}, 422, "not between 1950-01-01 and 2027-11-23"),
        ("POST", "/api/deltakere", {**person, "born": "1899-12-31"}, 422, "not between 1900-01-01 and 2026-11-22"),
        ("POST", "/api/deltakere", {**person, "name": "Leyla\ud800"}, 422, "name inneholder et NUL-tegn"),
        ("POST", "/api/deltakere", {**person, "name": "Leyla\x00"}, 422, "name inneholder et NUL-tegn"),
        ("POST", f"/api/saker/{case}/notater", {"text": "\x00"}, 422, "text inneholder"),
        ("POST", f"/api/saker/{case}/notater", {"text": "\udfff"}, 422, "text inneholder"),
        ("POST", f"/api/saker/{case}/hendelser", {"event": "vedtak\x00", "on": "2026-11-20"}, 422, "event inneholder"),
        ("POST", f"/api/saker/{case}/hendelser", {"event": "\ud800", "on": "2026-11-20"}, 422, "event inneholder"),
        ("POST", f"/api/saker/{case}/hendelser", {"event": "vedtak_fattet", "on": "2026-11-20", "values": {
            "programstart_dato": 10**400}}, 422, "is not a date"),
        ("POST", f"/api/saker/{case}/hendelser", {"event": "vedtak_fattet", "on": "2026-11-20", "values": {
            "programstart_dato": "9999-12-31"}}, 422, "the date 9999-12-31 is not between 1950-01-01 and 2100-12-31"),
        ("POST", f"/api/saker/{case}/hendelser", {"event": "vedtak_fattet", "on": "2026-11-20", "values": {
            "programstart_dato": "2026-12-01", "x\ud800": 1}}, 422, "inneholder"),
        ("POST", f"/api/saker/{case}/hendelser", {"event": "vedtak_fattet", "on": "2026-11-20",
                                                 "case_version": 2**63}, 409, "changed by someone else"),
        ("POST", f"/api/flagg/{flag}/utsett", {"until": "2101-01-01"}, 422, "not between 1950-01-01 and 2100-12-31"),
        ("POST", f"/api/flagg/{flag}/lukk", {"comment": "løst\x00"}, 422, "comment inneholder"),
    ]


def test_out_of_range_api_input_is_refused_with_a_message_and_changes_nothing(app, world):
    client = api_client(app, world)
    for method, url, body, status, message in refusals(world):
        before = snapshot(world.ctx)
        response = send(client, method, url, body)
        assert response.status_code == status, (url, body, response.text)
        assert message in response.text, (url, body, response.text)
        assert snapshot(world.ctx) == before, (url, body)


def test_a_plausible_participant_is_still_created(app, world):
    response = send(api_client(app, world), "POST", "/api/deltakere",
                    {"name": "Leyla Omar", "born": "1993-04-05", "settled": "2027-01-01", "fields": {"dependants": 3}})
    assert response.status_code == 201, response.text


def test_the_openapi_document_declares_404_and_422_for_every_api_operation(app, world):
    document = TestClient(app).get("/api/openapi.json").json()
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    assert operations
    for path, method, operation in operations:
        assert {"404", "422"} <= set(operation["responses"]), (method, path)
    case_id = next(p for p in document["paths"]["/api/saker/{case_id}"]["get"]["parameters"]
                   if p["name"] == "case_id")
    assert case_id["schema"]["maximum"] == 2**31 - 1


PAGE_REFUSALS = [
    ("GET", f"/saker/{HUGE}", None, 404, "fant ingen sak"),
    ("GET", "/saker/abc", None, 404, "fant ingen sak"),
    ("GET", f"/deltakere/{2**63}", None, 404, "fant ingen deltaker"),
    ("GET", f"/diagram/{HUGE}.svg", None, 404, "fant ingen versjon"),
    ("POST", f"/flagg/{HUGE}/kvitter", {}, 404, "fant ingen flagg"),
    ("GET", f"/saker?frist_innen={10**30}", None, 422, "må være 3650 eller mindre"),
    ("GET", f"/saker?side={10**30}", None, 422, "eller mindre"),
    ("GET", f"/flagg?side={2**63}", None, 422, "eller mindre"),
    ("GET", "/saker?q=a%00b", None, 422, "inneholder et NUL-tegn"),
    ("GET", "/jobber/a%00b", None, 404, "fant ingen jobb"),
    ("POST", "/deltakere/ny", {"name": "Leyla\x00", "born": "1993-04-05"}, 422, "Feltet «navn» inneholder"),
    ("POST", "/deltakere/ny", {"name": "Leyla", "born": "1993-04-05", "settled": "9999-12-31"}, 422,
     "datoen 31.12.9999 er ikke mellom"),
    ("POST", "/deltakere/ny", {"name": "Leyla", "born": "1993-04-05", "dependants": str(2**63)}, 422, "grensen 30"),
]


def test_out_of_range_page_input_is_refused_with_a_message_and_changes_nothing(browser, world):
    kari = browser("kari")
    kari.client = TestClient(kari.client.app, follow_redirects=False, raise_server_exceptions=False,
                             cookies=kari.client.cookies)
    for method, url, data, status, message in PAGE_REFUSALS:
        before = snapshot(world.ctx)
        response = kari.get(url) if method == "GET" else kari.post(url, data)
        assert response.status_code == status, (url, response.text)
        assert message in response.text, (url, response.text)
        assert snapshot(world.ctx) == before, url


def test_an_event_date_field_out_of_range_is_shown_at_the_field(browser, world):
    kari = browser("kari")
    before = snapshot(world.ctx)
    response = kari.post(f"/saker/{world.amina}/hendelse", {"event": "vedtak_fattet", "on": "2026-11-20",
                                                             "f_programstart_dato": "0001-01-01"})
    assert response.status_code == 422
    assert "datoen 01.01.0001 er ikke mellom 01.01.1950 og 31.12.2100" in response.text
    assert snapshot(world.ctx) == before
