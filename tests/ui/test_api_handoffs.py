"""The hand-off API (issue 14): send with the checklist, the receiving unit's inbox, accept naming who is
responsible, return, cancel, tick; 403 for a role or unit that may not, 404 outside the scope, 409 for one
decided already, 422 naming the field; every refusal leaves the database as it was; every status documented
in OpenAPI.

World: tests/services/test_handoffs.py (Amina, kari's, in the programme; NAV Asker with nina and nora; NAV
Bærum with nils)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from pathways.services.accounts import create_token
from tests.conftest import table_counts
from tests.services.test_handoffs import PLANNED, REQUIRED, handoff_world, nav, unit_named
from tests.ui.conftest import World
from tests.ui.test_boundary import send as send_json
from tests.ui.test_boundary import snapshot
from tests.ui.test_fuzz import FUZZ, body, ids, json_values, text


@pytest.fixture
def world(ctx, clock) -> World:
    found = handoff_world(ctx, clock)
    found.tokens.update({name: create_token(ctx, name, "test") for name in ("nina", "nora", "nils")})
    return found


def api(app, world: World, username: str) -> TestClient:
    client = TestClient(app)
    client.headers["Authorization"] = f"Bearer {world.tokens[username]}"
    return client


def body_of(world: World, **changes) -> dict:
    return {"to": nav(world), "on": PLANNED.isoformat(), "message": "Til NAV",
            "items": [{"key": k} for k in [*REQUIRED, "samtykke"]], **changes}


def test_send_inbox_accept_and_the_case_says_who_is_responsible(app, world):
    kari = api(app, world, "kari")
    checklist = kari.get(f"/api/saker/{world.amina}/overforinger/sjekkliste", params={"to": nav(world)})
    assert checklist.status_code == 200
    assert [(i["key"], i["required"]) for i in checklist.json()["items"]][-1] == ("samtykke", True)
    sent = kari.post(f"/api/saker/{world.amina}/overforinger",
                     json=body_of(world, items=[*({"key": k} for k in REQUIRED),
                                             {"key": "samtykke", "note": "Signert 20.11."}]))
    assert sent.status_code == 201, sent.text
    number = sent.json()["id"]
    assert sent.json()["status"] == "pending"
    nina = api(app, world, "nina")
    inbox = nina.get("/api/overforinger", params={"pending": True})
    assert [h["id"] for h in inbox.json()["handoffs"]] == [number]
    assert inbox.json()["handoffs"][0]["items"][-1]["note"] == "Signert 20.11."
    assert [h["id"] for h in kari.get("/api/overforinger", params={"sent": True}).json()["handoffs"]] == [number]
    accepted = nina.post(f"/api/overforinger/{number}/mottak", json={"responsible": "nina"})
    assert accepted.status_code == 200 and accepted.json()["responsible"] == "nina"
    world.clock.set(PLANNED)
    for username in ("kari", "nina"):
        case = api(app, world, username).get(f"/api/saker/{world.amina}")
        assert case.status_code == 200
        assert (case.json()["responsible"]["username"], case.json()["responsible"]["unit"]) == ("nina", "NAV Asker")


def test_return_cancel_and_tick(app, world):
    kari, nina = api(app, world, "kari"), api(app, world, "nina")
    number = kari.post(f"/api/saker/{world.amina}/overforinger", json=body_of(world)).json()["id"]
    ticked = kari.patch(f"/api/overforinger/{number}/sjekkliste",
                        json={"items": [{"key": "status_norsk", "note": "A2 muntlig"}]})
    assert ticked.status_code == 200
    assert {i["key"]: i["note"] for i in ticked.json()["items"]}["status_norsk"] == "A2 muntlig"
    back = nina.post(f"/api/overforinger/{number}/retur", json={"reason": "Feil kontor"})
    assert (back.status_code, back.json()["status"]) == (200, "returned")
    again = kari.post(f"/api/saker/{world.amina}/overforinger", json=body_of(world)).json()["id"]
    cancelled = kari.post(f"/api/overforinger/{again}/tilbaketrekking")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")


@pytest.mark.parametrize(("who", "what", "status", "field"), [
    ("kari", "no_consent", 422, "items"),
    ("kari", "past", 422, "on"),
    ("kari", "unknown_unit", 422, "to"),
    ("kari", "foreign_unit", 422, "to"),
    ("kari", "not_a_date", 422, "on"),
    ("ola", "send", 404, None),
    ("lise", "send", 403, None),
    ("nina", "send", 403, None),
    ("kari", "accept", 403, None),
    ("nils", "accept", 404, None),
    ("nina", "accept_twice", 409, None),
    ("nina", "accept_outsider", 422, "responsible"),
    ("nina", "return_empty", 422, "reason"),
    ("nina", "cancel", 403, None),
])
def test_refusals_change_nothing(app, world, who, what, status, field):
    kari = api(app, world, "kari")
    number = kari.post(f"/api/saker/{world.amina}/overforinger", json=body_of(world)).json()["id"]
    if what == "accept_twice":
        api(app, world, "nina").post(f"/api/overforinger/{number}/mottak", json={"responsible": "nina"})
    else:
        kari.post(f"/api/overforinger/{number}/tilbaketrekking")  # so that a second may be sent
    if what in ("accept", "accept_outsider", "return_empty", "cancel"):
        number = kari.post(f"/api/saker/{world.amina}/overforinger", json=body_of(world)).json()["id"]
    requests = {
        "no_consent": ("post", f"/api/saker/{world.amina}/overforinger",
                       body_of(world, items=[{"key": k} for k in REQUIRED])),
        "past": ("post", f"/api/saker/{world.amina}/overforinger", body_of(world, on="2026-01-01")),
        "unknown_unit": ("post", f"/api/saker/{world.amina}/overforinger", body_of(world, to=99999)),
        "foreign_unit": ("post", f"/api/saker/{world.amina}/overforinger",
                         body_of(world, to=unit_named(world, "Bærum", "NAV Bærum"))),
        "not_a_date": ("post", f"/api/saker/{world.amina}/overforinger", body_of(world, on=0)),
        "send": ("post", f"/api/saker/{world.amina}/overforinger", body_of(world)),
        "accept": ("post", f"/api/overforinger/{number}/mottak", {"responsible": "nina"}),
        "accept_twice": ("post", f"/api/overforinger/{number}/mottak", {"responsible": "nina"}),
        "accept_outsider": ("post", f"/api/overforinger/{number}/mottak", {"responsible": "kari"}),
        "return_empty": ("post", f"/api/overforinger/{number}/retur", {"reason": "   "}),
        "cancel": ("post", f"/api/overforinger/{number}/tilbaketrekking", None),
    }
    method, url, payload = requests[what]
    before = table_counts(world.ctx)
    answer = getattr(api(app, world, who), method)(url, json=payload)
    assert answer.status_code == status, answer.text
    if field is not None:
        assert field in str(answer.json()["detail"])
    assert table_counts(world.ctx) == before


def test_every_status_is_documented(app):
    paths = app.openapi()["paths"]
    mine = {p: ops for p, ops in paths.items() if "overforinger" in p}
    assert len(mine) == 8
    for path, operations in mine.items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "404", "422"} <= documented, (path, method)
            if method in ("post", "patch") and "saker" not in path:
                assert "409" in documented, (path, method)


def test_no_hand_off_body_gives_a_500_and_a_refusal_changes_nothing(app, world):
    """Whatever JSON reaches the hand-off API, as the case's veileder or as NAV (tests/ui/test_fuzz.py)."""
    number = api(app, world, "kari").post(f"/api/saker/{world.amina}/overforinger", json=body_of(world)).json()["id"]
    handoff = st.sampled_from([number]) | ids
    items = st.lists(st.fixed_dictionaries({"key": st.sampled_from([*REQUIRED, "samtykke"]) | text},
                                           optional={"ticked": json_values, "note": text}), max_size=6)
    requests = st.one_of(
        st.tuples(st.sampled_from(["kari", "nina"]), st.sampled_from([world.amina, world.yonas]).map(
            "/api/saker/{}/overforinger".format) | ids.map("/api/saker/{}/overforinger".format),
                  body({"to": st.sampled_from([nav(world)]) | ids | json_values, "on": text | json_values},
                       {"message": text | json_values, "items": items | json_values})),
        st.tuples(st.sampled_from(["nina", "kari", "nils"]), handoff.map("/api/overforinger/{}/mottak".format),
                  body({"responsible": text | json_values})),
        st.tuples(st.sampled_from(["nina", "kari"]), handoff.map("/api/overforinger/{}/retur".format),
                  body({"reason": text | json_values})),
        st.tuples(st.just("kari"), handoff.map("/api/overforinger/{}/sjekkliste".format), body({"items": items})),
    )
    clients = {name: api(app, world, name) for name in ("kari", "nina", "nils")}
    for client in clients.values():
        client.headers["Content-Type"] = "application/json"

    @FUZZ
    @given(request=requests)
    def check(request):
        username, url, payload = request
        before = snapshot(world.ctx)
        method = "PATCH" if url.endswith("/sjekkliste") else "POST"
        response = send_json(clients[username], method, url, payload)
        assert response.status_code < 500, (username, url, payload, response.text)
        if response.status_code >= 400:
            assert snapshot(world.ctx) == before, (username, url, payload, response.status_code)

    check()
