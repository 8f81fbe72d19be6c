"""Tasks at the REST API (``/api/oppgaver``): a veileder gives a task to a colleague or a unit, the
receiver lists it and completes it with a note, and the worklist's JSON carries the task's id. The access
matrix: a user of another kommune gets 404 for the task, the case and the assignee (the same answer as
what does not exist); a leder (who reads but does not change cases) 403 on giving; 409 for a task done
already; 422 naming the field for a due date in the past, no or two assignees, a date that is not text;
the database unchanged by every refusal.

World: tests/ui/conftest.py (Asker: veiledere kari and ola, leder lise, administrator anne; Bærum: per).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from pathways.store.tables import Kommune, Unit
from tests.conftest import table_counts
from tests.ui.conftest import TODAY, World


def api(app, token: str) -> TestClient:
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def unit_of(world: World, kommune: str) -> int:
    with Session(world.ctx.engine) as session:
        return session.exec(select(Unit.id).join(Kommune, Kommune.id == Unit.kommune_id)
                            .where(Kommune.name == kommune)).first()  # type: ignore[return-value]


def due(days: int = 3) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def test_a_task_is_given_listed_in_the_worklist_and_completed_with_a_note(app, world):
    kari, ola = api(app, world.tokens["kari"]), api(app, world.tokens["ola"])
    created = kari.post("/api/oppgaver", json={"title": "Bestill tolk", "due": due(0), "to_user": "ola",
                                               "case_id": world.amina})
    assert created.status_code == 201, created.text
    task = created.json()["id"]
    mine = ola.get("/api/oppgaver").json()["tasks"]
    assert [(t["id"], t["title"], t["due"], t["case_id"], t["created_by"], t["done"]) for t in mine] == [
        (task, "Bestill tolk", due(0), world.amina, "kari", False)]
    assert [t["id"] for t in kari.get("/api/oppgaver", params={"liste": "given"}).json()["tasks"]] == [task]
    assert [t["id"] for t in kari.get(f"/api/saker/{world.amina}/oppgaver").json()["tasks"]] == [task]
    items = ola.get("/api/i-dag").json()["items"]
    assert [(i["task_id"], i["rank"], i["kind"]) for i in items if i["task_id"]] == [(task, "paminnelse", "oppgave")]
    done = ola.post(f"/api/oppgaver/{task}/utfort", json={"note": "Tolk bestilt"})
    assert done.status_code == 200, done.text
    assert (done.json()["done"], done.json()["done_by"], done.json()["done_note"]) == (True, "ola", "Tolk bestilt")
    again = ola.post(f"/api/oppgaver/{task}/utfort", json={"note": "igjen"})
    assert again.status_code == 409 and "was completed" in again.text
    assert ola.get("/api/oppgaver").json()["tasks"] == []
    assert len(ola.get("/api/oppgaver", params={"utforte": "true"}).json()["tasks"]) == 1


def test_the_access_matrix_other_kommune_is_404_and_a_leder_may_not_give(app, world):
    kari, per, lise = (api(app, world.tokens[u]) for u in ("kari", "per", "lise"))
    task = kari.post("/api/oppgaver", json={"title": "Bestill tolk", "due": due(), "to_unit": unit_of(world, "Asker"),
                                            "case_id": world.amina}).json()["id"]
    before = table_counts(world.ctx)
    assert per.post(f"/api/oppgaver/{task}/utfort", json={"note": "x"}).status_code == 404
    assert per.get(f"/api/saker/{world.amina}/oppgaver").status_code == 404
    assert per.get("/api/oppgaver", params={"liste": "all"}).json()["tasks"] == []
    assert per.post("/api/oppgaver", json={"title": "x", "due": due(), "to_user": "kari"}).status_code == 404
    assert per.post("/api/oppgaver", json={"title": "x", "due": due(), "to_unit": unit_of(world, "Asker")}
                    ).status_code == 404
    assert kari.post("/api/oppgaver", json={"title": "x", "due": due(), "to_user": "ola", "case_id": world.olena}
                     ).status_code == 404
    refused = lise.post("/api/oppgaver", json={"title": "x", "due": due(), "to_user": "kari"})
    assert refused.status_code == 403
    assert [t["id"] for t in lise.get("/api/oppgaver", params={"liste": "all"}).json()["tasks"]] == [task]
    assert table_counts(world.ctx) == before
    assert TestClient(app).get("/api/oppgaver").status_code == 401
    # a member of the unit completes it (lise is in Asker's refugee service too)
    assert lise.post(f"/api/oppgaver/{task}/utfort", json={}).status_code == 200


@pytest.mark.parametrize(("body", "loc", "says"), [
    ({"title": "x", "due": due(-1), "to_user": "ola"}, ["body", "due"], "is before today"),
    ({"title": "x", "due": due()}, ["body", "assignee"], "give the task to one colleague or to one unit"),
    ({"title": "x", "due": due(), "to_user": "ola", "to_unit": 1}, ["body", "assignee"], "one colleague"),
    ({"title": "x", "due": 0, "to_user": "ola"}, ["body", "due"], ""),
    ({"title": "", "due": due(), "to_user": "ola"}, ["body", "title"], ""),
    ({"title": "x", "due": due(), "to_user": "ola", "extra": 1}, ["body", "extra"], ""),
])
def test_bad_bodies_are_422_naming_the_field_and_nothing_is_written(app, world, body, loc, says):
    before = table_counts(world.ctx)
    refused = api(app, world.tokens["kari"]).post("/api/oppgaver", json=body)
    assert refused.status_code == 422, refused.text
    assert loc in [d["loc"] for d in refused.json()["detail"]]
    assert says in refused.text
    assert table_counts(world.ctx) == before


def test_the_openapi_document_has_every_status_and_field(app, world):
    document = TestClient(app).get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["TaskIn"]["additionalProperties"] is False
    assert set(schemas["TaskIn"]["properties"]) == {"title", "due", "to_user", "to_unit", "case_id"}
    paths = document["paths"]
    assert {"201", "401", "403", "404", "422"} <= set(paths["/api/oppgaver"]["post"]["responses"])
    assert {"200", "401", "404", "409", "422"} <= set(paths["/api/oppgaver/{task_id}/utfort"]["post"]["responses"])
    assert {"200", "401", "403", "404", "422"} <= set(paths["/api/saker/{case_id}/oppgaver"]["get"]["responses"])
    assert "task_id" in schemas["WorkItemOut"]["properties"]
