"""Units (enheter) at the edge (issue 14, «Organisations and people»): the REST API ``/api/enheter`` and
the administrator's pages «Enheter» and «Brukere», with the service's rules (tests/services/test_units.py):
403 for a role that may not add, a foreign kommune's units never listed, 409 for a name taken, 422 naming
the field, the database unchanged by every refusal; and «ansvarlig nå» on the case page, the caseload and
the case's JSON.

World: tests/ui/conftest.py (Asker: veiledere kari and ola, leder lise, administrator anne; Bærum:
veileder per). Bærum gets an administrator, bo, here.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from pathways.services.accounts import add_user, create_token
from pathways.store.tables import Unit, User
from tests.conftest import table_counts
from tests.ui.conftest import PASSWORD, World


@pytest.fixture
def bo(world: World) -> str:
    """Bærum's administrator's API token."""
    add_user(world.ctx, username="bo", name="Bo Berg", role="administrator", kommune="Bærum", password=PASSWORD)
    return create_token(world.ctx, "bo", "test")


def api(app, token: str) -> TestClient:
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def unit_names(world: World, kommune_id: int | None = None) -> set[str]:
    with Session(world.ctx.engine) as session:
        return set(session.exec(select(Unit.name).where(*([Unit.kommune_id == kommune_id] if kommune_id else []))))


# -- API ----------------------------------------------------------------------------------------------------


def test_an_administrator_adds_a_unit_and_everybody_of_the_kommune_lists_it(app, world):
    anne = api(app, world.tokens["anne"])
    created = anne.post("/api/enheter", json={"kind": "nav", "name": "NAV Asker"})
    assert created.status_code == 201, created.text
    unit_id = created.json()["id"]
    for username in ("anne", "kari", "lise"):
        listed = api(app, world.tokens[username]).get("/api/enheter")
        assert listed.status_code == 200
        assert {(u["id"], u["kind"], u["kind_label"], u["name"], u["kommune"]) for u in listed.json()["units"]} >= {
            (unit_id, "nav", "NAV", "NAV Asker", "Asker")}
        assert {u["kommune"] for u in listed.json()["units"]} == {"Asker"}


def test_a_foreign_administrator_neither_lists_nor_adds_our_units(app, world, bo):
    api(app, world.tokens["anne"]).post("/api/enheter", json={"kind": "nav", "name": "NAV Asker"})
    listed = api(app, bo).get("/api/enheter").json()["units"]
    assert {u["kommune"] for u in listed} == {"Bærum"} and "NAV Asker" not in {u["name"] for u in listed}
    created = api(app, bo).post("/api/enheter", json={"kind": "nav", "name": "NAV Bærum"})
    assert created.status_code == 201
    assert "NAV Bærum" not in {u["name"] for u in api(app, world.tokens["anne"]).get("/api/enheter").json()["units"]}


@pytest.mark.parametrize("username", ["kari", "lise", "per"])
def test_a_veileder_or_leder_may_not_add_units(app, world, username):
    before = table_counts(world.ctx)
    refused = api(app, world.tokens[username]).post("/api/enheter", json={"kind": "nav", "name": "NAV Asker"})
    assert refused.status_code == 403
    assert "only an administrator" in refused.json()["detail"]
    assert table_counts(world.ctx) == before


@pytest.mark.parametrize(("body", "status", "loc", "says"), [
    ({"kind": "navv", "name": "NAV Asker"}, 422, ["body", "kind"], "did you mean 'nav'"),
    ({"kind": "nav", "name": "   "}, 422, ["body", "name"], "a unit needs a name"),
    ({"kind": "nav", "name": "x" * 101}, 422, ["body", "name"], "at most 100"),
    ({"kind": "nav", "name": "NAV", "extra": 1}, 422, ["body", "extra"], ""),
    ({"kind": "nav", "name": "flyktningtjenesten"}, 409, None, "already has a unit"),
])
def test_bad_bodies_are_refused_and_nothing_is_written(app, world, body, status, loc, says):
    before = table_counts(world.ctx)
    refused = api(app, world.tokens["anne"]).post("/api/enheter", json=body)
    assert refused.status_code == status, refused.text
    if loc:
        assert loc in [d["loc"] for d in refused.json()["detail"]]
    assert says in refused.text
    assert table_counts(world.ctx) == before


def test_without_a_token_401(app, world):
    assert TestClient(app).get("/api/enheter").status_code == 401
    assert TestClient(app).post("/api/enheter", json={"kind": "nav", "name": "X"}).status_code == 401


def test_the_openapi_document_has_every_status_and_field(app, world):
    document = TestClient(app).get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["UnitIn"]["additionalProperties"] is False
    assert set(schemas["UnitIn"]["properties"]) == {"kind", "name"}
    assert set(schemas["UnitOut"]["properties"]) == {"id", "kommune", "kind", "kind_label", "name"}
    assert {"200", "401", "404", "422"} <= set(document["paths"]["/api/enheter"]["get"]["responses"])
    assert {"201", "401", "403", "404", "409", "422"} <= set(document["paths"]["/api/enheter"]["post"]["responses"])


def test_the_cases_json_says_who_is_responsible_now(app, world):
    kari = api(app, world.tokens["kari"])
    case = kari.get(f"/api/saker/{world.amina}").json()
    assert case["responsible"] == {"name": "Kari Nordmann", "username": "kari", "unit": "Flyktningtjenesten"}
    rows = {r["id"]: r for r in api(app, world.tokens["lise"]).get("/api/saker").json()["cases"]}
    assert rows[world.yonas]["responsible"] == {"name": "Ola Nordmann", "username": "ola",
                                                "unit": "Flyktningtjenesten"}


# -- pages --------------------------------------------------------------------------------------------------


def test_the_units_page_is_the_administrators_and_adds_a_unit(browser, world):
    assert browser("kari").get("/admin/enheter").status_code == 403
    assert browser("lise").post("/admin/enheter", data={"kind": "nav", "name": "NAV Asker"}).status_code == 403
    anne = browser("anne")
    page = anne.get("/admin/enheter")
    assert page.status_code == 200
    assert "Flyktningtjenesten" in page.text and 'href="/admin/enheter" aria-current="page"' in page.text
    done = anne.post("/admin/enheter", data={"kind": "nav", "name": "NAV Asker"})
    assert done.status_code == 303
    after = anne.get("/admin/enheter").text
    assert "Enheten «NAV Asker» er lagt til." in after and "<td>NAV Asker</td><td>NAV</td>" in after


@pytest.mark.parametrize(("data", "field", "says"), [
    ({"kind": "navv", "name": "NAV Asker"}, "kind", "ukjent type enhet «navv» – mente du «nav»?"),
    ({"kind": "nav", "name": " "}, "name", "en enhet må ha et navn"),
    ({"kind": "nav", "name": "Flyktningtjenesten"}, "name", "har allerede en enhet som heter"),
])
def test_bad_input_on_the_units_page_is_said_in_bokmal_next_to_the_field(browser, world, data, field, says):
    before = table_counts(world.ctx)
    refused = browser("anne").post("/admin/enheter", data=data)
    assert refused.status_code == 422
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', refused.text)
    assert says in refused.text
    assert table_counts(world.ctx) == before


def test_the_users_page_shows_each_users_unit_and_adds_a_user_into_a_chosen_unit(browser, world):
    anne = browser("anne")
    anne.post("/admin/enheter", data={"kind": "nav", "name": "NAV Asker"})
    page = anne.get("/admin/brukere").text
    assert re.search(r"kari</a></td><td>Kari Nordmann</td><td>Veileder</td><td>Flyktningtjenesten</td>", page)
    assert '<option value="NAV Asker" >NAV Asker (NAV)</option>' in page
    created = anne.post("/admin/brukere", data={"username": "nina", "name": "Nina Nav", "role": "veileder",
                                                "kommune": "Asker", "unit": "NAV Asker"})
    assert created.status_code == 200 and "Brukeren <strong>nina</strong> er opprettet" in created.text
    with Session(world.ctx.engine) as session:
        nina = session.exec(select(User).where(User.username == "nina")).one()
        assert session.get(Unit, nina.unit_id).name == "NAV Asker"
    assert "<td>Nina Nav</td><td>Veileder</td><td>NAV Asker</td>" in anne.get("/admin/brukere").text


def test_an_administrator_moves_a_user_into_another_unit_on_their_page(browser, world):
    anne = browser("anne")
    anne.post("/admin/enheter", data={"kind": "nav", "name": "NAV Asker"})
    with Session(world.ctx.engine) as session:
        nav = session.exec(select(Unit.id).where(Unit.name == "NAV Asker")).one()
    moved = anne.post("/admin/brukere/ola/enhet", data={"unit": str(nav)})
    assert moved.status_code == 303
    page = anne.get("/admin/brukere/ola").text
    assert "Enheten er endret." in page and "Enhet: NAV Asker." in page
    assert anne.post("/admin/brukere/ola/enhet", data={"unit": ""}).status_code == 422
    assert anne.post("/admin/brukere/ola/enhet", data={"unit": "999999"}).status_code == 404


def test_the_case_page_and_the_caseload_say_who_is_responsible_now(browser, world):
    case = browser("kari").get(f"/saker/{world.amina}").text
    assert re.search(r"<dt>Ansvarlig nå</dt><dd id=\"ansvarlig\">Kari Nordmann, Flyktningtjenesten</dd>", case)
    for username in ("kari", "lise"):
        caseload = browser(username).get("/saker").text
        assert '<th scope="col">Ansvarlig nå</th>' in caseload
        assert re.search(r'<td data-label="Ansvarlig nå">Kari Nordmann<br><small>Flyktningtjenesten</small></td>',
                         caseload)
