"""The livelihood API, ``/api/deltakere/{pid}/inntekt``: every endpoint, the access matrix (the own
veileder, another veileder, another kommune, a leder, an administrator, no token) and bad input (dates
out of range or not text, overlaps, unknown fields): 4xx with the field, the database unchanged.

The world (tests/ui/conftest.py): Amina (kari's case, Asker) has no income and a current gap."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, select

from pathways.services import livelihood
from pathways.store.tables import AuditEntry
from tests.conftest import table_counts
from tests.ui.conftest import Browser
from tests.ui.test_boundary import api_client, send, snapshot
from tests.ui.test_fuzz import FUZZ, _query, ids, json_values, text
from tests.ui.test_fuzz import body as any_body

BENEFIT = {"source": "introduksjonsstonad", "from": "2026-08-01", "to": "2027-07-31", "planned": False,
           "amount": 15012.5, "note": "Vedtak"}


def client(browser, world, username: str | None):
    c = browser(None).client
    if username:
        c.headers["Authorization"] = f"Bearer {world.tokens[username]}"
    return c


def url(world, period: int | None = None) -> str:
    return f"/api/deltakere/{world.amina_pid}/inntekt" + (f"/{period}" if period else "")


def test_register_list_change_and_delete_with_the_gaps_after_each_change(browser, world):
    kari = client(browser, world, "kari")
    listed = kari.get(url(world)).json()
    assert listed["periods"] == [] and listed["gaps"][0]["kind"] == "current"
    made = kari.post(url(world), json=BENEFIT)
    assert made.status_code == 201, made.text
    body = made.json()
    period = body["id"]
    assert body["gaps"] == []  # the gap closed in the same request
    assert body["periods"] == [{"id": period, "source": "introduksjonsstonad", "from": "2026-08-01",
                                "to": "2027-07-31", "planned": False, "amount": 15012.5, "amount_basis": None,
                                "note": "Vedtak"}]
    shortened = kari.patch(url(world, period), json={"to": "2026-12-31", "planned": True})
    assert shortened.status_code == 200, shortened.text
    assert [g["kind"] for g in shortened.json()["gaps"]] == ["current", "projected"]  # planned: no income so far
    assert kari.patch(url(world, period), json={"planned": False}).json()["gaps"][0]["kind"] == "projected"
    opened = kari.patch(url(world, period), json={"to": None, "amount": None, "note": None}).json()
    assert opened["gaps"] == [] and opened["periods"][0] | {"id": 0} == {
        "id": 0, "source": "introduksjonsstonad", "from": "2026-08-01", "to": None, "planned": False,
        "amount": None, "amount_basis": None, "note": None}
    refused = kari.request("DELETE", url(world, period), json={})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "reason"]
    gone = kari.request("DELETE", url(world, period), json={"reason": "Feil deltaker"})
    assert gone.status_code == 200 and gone.json()["deleted"] == period and gone.json()["periods"] == []
    with Session(world.ctx.engine) as session:
        details = [e.detail for e in session.exec(select(AuditEntry).where(AuditEntry.action == "income.deleted"))]
    assert len(details) == 1 and "grunn: Feil deltaker" in details[0]


@pytest.mark.parametrize("body, field", [
    ({**BENEFIT, "from": 0}, "from"),  # a number is not read as 1 January 1970
    ({**BENEFIT, "from": "0"}, "from"),
    ({**BENEFIT, "from": "01.08.2026"}, "from"),
    ({**BENEFIT, "to": 20270731}, "to"),
    ({**BENEFIT, "from": "1949-12-31"}, "from"),
    ({**BENEFIT, "to": "2101-01-01"}, "to"),
    ({**BENEFIT, "from": "2026-13-01"}, "from"),
    ({**BENEFIT, "to": "2026-07-31"}, "to"),  # before it starts
    ({**BENEFIT, "source": "lønn"}, "source"),
    ({**BENEFIT, "planned": "ja"}, "planned"),
    ({**BENEFIT, "amount": -1}, "amount"),
    ({**BENEFIT, "amount": 10.005}, "amount"),
    ({**BENEFIT, "amount": "mye"}, "amount"),
    ({**BENEFIT, "note": "x" * 501}, "note"),
    ({**BENEFIT, "note": "a\x00b"}, None),
    ({**BENEFIT, "extra": 1}, "extra"),
    ({"source": "ingen", "from": "2026-08-01", "amount": 100}, "amount"),
    ({k: v for k, v in BENEFIT.items() if k != "from"}, "from"),
])
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_written(browser, world, body, field):
    kari = client(browser, world, "kari")
    before = table_counts(world.ctx)
    answer = kari.post(url(world), json=body)
    assert answer.status_code == 422, answer.text
    if field:
        assert field in [str(d["loc"][-1]) for d in answer.json()["detail"]], answer.text
    assert table_counts(world.ctx) == before


def test_several_problems_are_reported_together(browser, world):
    kari = client(browser, world, "kari")
    answer = kari.post(url(world), json={"source": "ingen", "from": "2026-09-01", "to": "2026-08-01", "amount": 5})
    assert answer.status_code == 422
    assert {d["loc"][-1] for d in answer.json()["detail"]} == {"to", "amount"}


def test_an_overlap_of_the_same_source_is_refused_on_post_and_patch(browser, world):
    kari = client(browser, world, "kari")
    first = kari.post(url(world), json=BENEFIT).json()["id"]
    later = kari.post(url(world), json={**BENEFIT, "from": "2027-08-01", "to": None}).json()["id"]
    before = table_counts(world.ctx)
    for body in ({**BENEFIT, "from": "2027-01-01", "to": None}, BENEFIT, {**BENEFIT, "from": "2026-01-01"}):
        answer = kari.post(url(world), json=body)
        assert answer.status_code == 422 and "overlaps the period with introduksjonsstønad" in answer.text
        assert answer.json()["detail"][0]["type"] == "overlaps_same"
    answer = kari.patch(url(world, first), json={"to": "2027-08-01"})  # one day into the next
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "to"]
    assert kari.patch(url(world, later), json={"from": "2027-07-31"}).status_code == 422
    assert table_counts(world.ctx) == before
    assert kari.patch(url(world, later), json={"from": "2027-09-01"}).status_code == 200


def test_patch_needs_a_field_and_refuses_null_where_a_value_is_required(browser, world):
    kari = client(browser, world, "kari")
    period = kari.post(url(world), json=BENEFIT).json()["id"]
    for body in ({}, {"from": None}, {"planned": None}, {"source": None}, {"to": 0}, {"id": 5}):
        assert kari.patch(url(world, period), json=body).status_code == 422, body


def test_access_matrix(browser, world):
    period = livelihood.add_income(world.ctx, world.amina_pid, "lonn", date(2026, 8, 1), planned=True)
    olena = livelihood.add_income(world.ctx, world.olena_pid, "lonn", date(2026, 9, 1))
    before = table_counts(world.ctx)
    expected = {  # user: (list, post, patch, delete)
        None: (401, 401, 401, 401),
        "kari": (200, None, None, None),  # changes are tried last, below
        "ola": (404, 404, 404, 404),  # another veileder's participant
        "per": (404, 404, 404, 404),  # another kommune
        "lise": (200, 403, 403, 403),  # a leder reads
        "anne": (403, 403, 403, 403),  # an administrator has no access to cases
    }
    for user, (get, post, patch, delete) in expected.items():
        c = client(browser, world, user)
        assert c.get(url(world)).status_code == get, user
        if post is None:
            continue
        assert c.post(url(world), json=BENEFIT).status_code == post, user
        assert c.patch(url(world, period), json={"planned": False}).status_code == patch, user
        assert c.request("DELETE", url(world, period), json={"reason": "x"}).status_code == delete, user
    kari = client(browser, world, "kari")
    # another participant's period under Amina's path is not found, nor is a period that does not exist
    assert kari.patch(url(world, olena), json={"planned": True}).status_code == 404
    assert kari.patch(url(world, 999_999), json={"planned": True}).status_code == 404
    assert kari.get(f"/api/deltakere/{world.olena_pid}/inntekt").status_code == 404
    assert kari.post(f"/api/deltakere/{world.olena_pid}/inntekt", json=BENEFIT).status_code == 404
    assert table_counts(world.ctx) == before
    assert kari.patch(url(world, period), json={"planned": False}).status_code == 200


def test_the_openapi_document_types_every_body_and_declares_every_status(browser, world):
    spec = browser(None).get("/api/openapi.json").json()
    paths = spec["paths"]
    listing, single = paths["/api/deltakere/{pid}/inntekt"], paths["/api/deltakere/{pid}/inntekt/{period_id}"]
    assert set(listing["get"]["responses"]) >= {"200", "401", "403", "404", "422"}
    assert set(listing["post"]["responses"]) >= {"201", "401", "403", "404", "422"}
    for method in ("patch", "delete"):
        assert set(single[method]["responses"]) >= {"200", "401", "403", "404", "422"}
    schemas = spec["components"]["schemas"]
    income = schemas["IncomeIn"]
    assert income["additionalProperties"] is False and set(income["required"]) == {"source", "from"}
    assert income["properties"]["from"]["format"] == "date"
    assert schemas["IncomeDelete"]["required"] == ["reason"]


def test_no_body_gives_a_500_and_a_refusal_changes_nothing(app, world):
    """Whatever JSON reaches the livelihood API or text its forms (tests/ui/test_fuzz.py's values)."""
    period = livelihood.add_income(world.ctx, world.amina_pid, "lonn", date(2026, 8, 1), date(2026, 9, 30),
                                   planned=True)
    api = api_client(app, world)
    pid = st.sampled_from([world.amina_pid, world.olena_pid]) | ids
    target = st.sampled_from([period]) | ids
    value = text | json_values
    fields = {"source": st.sampled_from(["lonn", "ingen", "aap"]) | value, "from": value, "to": value,
              "planned": value, "amount": value, "note": value}
    requests = st.one_of(
        st.tuples(st.just("POST"), pid.map("/api/deltakere/{}/inntekt".format),
                  any_body({"source": fields["source"], "from": value},
                           {k: fields[k] for k in ("to", "planned", "amount", "note")})),
        st.tuples(st.just("PATCH"), st.builds("/api/deltakere/{}/inntekt/{}".format, pid, target),
                  any_body({}, fields)),
        st.tuples(st.just("DELETE"), st.builds("/api/deltakere/{}/inntekt/{}".format, pid, target),
                  any_body({"reason": value})),
        st.tuples(st.just("FORM"), st.builds("/saker/{}/inntekt".format, st.just(world.amina) | ids),
                  st.fixed_dictionaries({}, optional={k: text for k in fields})),
        st.tuples(st.just("FORM"), st.builds("/saker/{}/inntekt/{}/{}".format, st.just(world.amina) | ids, target,
                                             st.sampled_from(["bekreft", "forleng", "avslutt", "rett", "slett"])),
                  st.fixed_dictionaries({}, optional={k: text for k in [*fields, "reason"]})),
    )
    page = Browser(app, "kari")  # a page's exception fails the test as a 500 would
    token = page.token()

    @FUZZ
    @given(request=requests)
    def check(request):
        method, url, payload = request
        before = snapshot(world.ctx)
        if method == "FORM":
            response = page.client.post(url, content=_query({**payload, "csrf_token": token}).encode(), headers={
                "Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"})
        else:
            response = send(api, method, url, payload)
        assert response.status_code < 500, (method, url, payload, response.text)
        if response.status_code >= 400:
            assert snapshot(world.ctx) == before, (method, url, payload, response.status_code)

    check()


def test_a_period_not_found_is_a_404_naming_it(browser, world):
    kari = client(browser, world, "kari")
    missing = kari.patch(url(world, 424242), json={"planned": True})
    assert missing.status_code == 404 and missing.json() == {"detail": "no livelihood period 424242"}
    assert kari.patch(url(world) + "/abc", json={"planned": True}).json() == {
        "detail": "fant ingen inntektsperiode abc"}
