"""Absence (fravær) on the case page and in the API (issue 15): the veileder records a month's hours in
the livelihood section; the deduction, the payment estimate and the timeline's «Trekk for fravær» row
redraw in the same answer; bad input comes back beside its field with nothing written; the API takes the
same input strictly typed (a number of hours, a boolean, a month ``ÅÅÅÅ-MM`` in the path).

The world is tests/ui/conftest.py's: kari works Amina's case (started 1 August 2026; today 22 November)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from pathways.services import livelihood
from pathways.store.tables import Absence
from tests.conftest import table_counts
from tests.services.test_access import as_user


def _benefit(world) -> None:
    livelihood.add_income(as_user(world, "kari"), world.amina_pid, "introduksjonsstonad", date(2026, 8, 3), None)


def test_the_veileder_records_absence_and_the_deduction_shows_at_once(world, browser):
    _benefit(world)
    kari = browser("kari")
    page = kari.get(f"/saker/{world.amina}")
    assert "Fravær og trekk i introduksjonsstønaden" in page.text and "Registrer fravær" in page.text
    answer = kari.post(f"/saker/{world.amina}/fravaer", {"month": "2026-10", "hours": "10", "kind": "ikke_godkjent",
                                                        "note": "Uteble"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    text = answer.text
    assert "Fraværet er registrert." in text
    assert "oktober 2026" in text and "−1\u00a0334,97\u00a0kr" in text
    assert "20\u00a0358,36\u00a0kr av 21\u00a0693,33\u00a0kr" in text  # the payment after the deduction
    assert 'class="bar deduction"' in text and "Trekk for fravær" in text  # the timeline's row
    without_js = kari.post(f"/saker/{world.amina}/fravaer", {"month": "2026-10", "hours": "4", "kind": "godkjent"})
    assert without_js.status_code == 303 and without_js.headers["location"].endswith("#inntekt")
    page = kari.get(f"/saker/{world.amina}").text
    assert "4 t" in page and "10 t" in page


def test_bad_input_comes_back_beside_its_field_and_nothing_is_written(world, browser):
    _benefit(world)
    kari = browser("kari")
    before = table_counts(world.ctx.engine)
    answer = kari.post(f"/saker/{world.amina}/fravaer", {"month": "2026-13", "hours": "-3", "kind": "kanskje"},
                       headers={"HX-Request": "true"})
    assert answer.status_code == 422
    text = answer.text
    assert 'id="fravaer-month-error"' in text and "er ikke en måned" in text
    assert 'id="fravaer-hours-error"' in text and "timene kan ikke være negative" in text
    assert "velg godkjent eller ikke godkjent" in text
    too_many = kari.post(f"/saker/{world.amina}/fravaer", {"month": "2026-10", "hours": "170", "kind": "godkjent"},
                         headers={"HX-Request": "true"})
    assert too_many.status_code == 422 and "170 timer er mer enn programmet har i 10.2026" in too_many.text
    outside = kari.post(f"/saker/{world.amina}/fravaer", {"month": "2026-07", "hours": "2", "kind": "godkjent"},
                        headers={"HX-Request": "true"})
    assert outside.status_code == 422 and "07.2026 er utenfor programmet (01.08.2026 – )" in outside.text
    assert table_counts(world.ctx.engine) == before


def test_a_leder_reads_the_absence_but_cannot_record_it(world, browser):
    _benefit(world)
    browser("kari").post(f"/saker/{world.amina}/fravaer", {"month": "2026-10", "hours": "3", "kind": "ikke_godkjent"})
    lise = browser("lise")
    assert "oktober 2026" in lise.get(f"/saker/{world.amina}").text
    assert lise.post(f"/saker/{world.amina}/fravaer", {"month": "2026-10", "hours": "9", "kind": "godkjent"}
                     ).status_code == 403
    assert browser("ola").post(f"/saker/{world.amina}/fravaer", {"month": "2026-10", "hours": "9",
                                                                 "kind": "godkjent"}).status_code == 404


def test_the_api_records_and_lists_absence_strictly_typed(world, app):
    from fastapi.testclient import TestClient
    _benefit(world)
    client = TestClient(app)
    kari = {"Authorization": f"Bearer {world.tokens['kari']}"}
    url = f"/api/saker/{world.amina}/fravaer"
    answer = client.put(url + "/2026-10", json={"hours": 10, "approved": False, "note": "Uteble"}, headers=kari)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["month"] == {"month": "2026-10", "approved_hours": 0.0, "not_approved_hours": 10.0,
                             "programme_hours": 165.0, "payment": "21693.33", "deducted": "1334.97",
                             "estimate": "20358.36", "needs_decision": False}
    assert [m["month"] for m in client.get(url, headers=kari).json()["months"]] == ["2026-10"]
    for bad in ({"hours": "10", "approved": False}, {"hours": 10, "approved": "false"}, {"hours": -1, "approved": True},
                {"hours": 10}, {"hours": 10, "approved": True, "extra": 1}):
        assert client.put(url + "/2026-10", json=bad, headers=kari).status_code == 422, bad
    no_month = client.put(url + "/2026-1", json={"hours": 1, "approved": True}, headers=kari)
    assert no_month.status_code == 404  # no such month, as an id out of bounds
    future = client.put(url + "/2027-01", json={"hours": 1, "approved": True}, headers=kari)
    assert future.status_code == 422 and future.json()["detail"][0]["loc"] == ["body", "month"]
    lise = {"Authorization": f"Bearer {world.tokens['lise']}"}
    assert client.put(url + "/2026-10", json={"hours": 1, "approved": True}, headers=lise).status_code == 403
    assert client.get(url, headers=lise).status_code == 200
    per = {"Authorization": f"Bearer {world.tokens['per']}"}
    assert client.get(url, headers=per).status_code == 404
    with Session(world.ctx.engine) as session:
        assert len(session.exec(select(Absence)).all()) == 1
