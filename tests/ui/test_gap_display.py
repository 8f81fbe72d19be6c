"""A gap the look-ahead horizon cuts is shown open-ended on every surface: "fra 01.02.2027, minst 20
dager", never with the horizon as its end. The world's clock stands at 2026-11-22; 90 days ahead is
2027-02-20."""

from __future__ import annotations

from datetime import date

from pathways.checks.sweep import run_checks
from pathways.services.livelihood import add_income
from tests.ui.conftest import TODAY


def test_a_gap_the_horizon_cuts_is_open_ended_on_the_case_page_the_api_and_the_flag_inbox(browser, world):
    add_income(world.ctx, world.amina_pid, "introduksjonsstonad", date(2026, 8, 1), date(2027, 1, 31))
    run_checks(world.ctx.engine, TODAY, ["income_gaps"])
    kari = browser("kari")
    page = kari.get(f"/saker/{world.amina}").text
    assert "<strong>Kommer:</strong> fra 01.02.2027, minst 20 dager: Introduksjonsstønad slutter 31.01.2027" in page
    assert 'title="Gap kommer: fra 01.02.2027, minst 20 dager"' in page  # the timeline's bar
    assert "20.02.2027" not in page
    answer = kari.client.get(f"/api/saker/{world.amina}", headers={"Authorization": f"Bearer {world.tokens['kari']}"})
    [gap] = answer.json()["gaps"]
    assert (gap["start"], gap["end"], gap["days"], gap["open_ended"]) == ("2027-02-01", "2027-02-20", 20, True)
    inbox = kari.get("/flagg").text
    assert ("Inntektsgap (kommer) fra 01.02.2027, minst 20 dager (utløser: tiltaket slutter uten jobb): "
            "Introduksjonsstønad slutter 31.01.2027") in inbox


def test_a_gap_that_closes_inside_the_horizon_keeps_its_end(browser, world):
    add_income(world.ctx, world.amina_pid, "introduksjonsstonad", date(2026, 8, 1), date(2027, 1, 31))
    add_income(world.ctx, world.amina_pid, "lonn", date(2027, 2, 15), planned=True)
    page = browser("kari").get(f"/saker/{world.amina}").text
    assert "<strong>Kommer:</strong> 01.02.2027 – 14.02.2027 (14 dager):" in page
    assert 'title="Gap kommer: 01.02.2027 – 14.02.2027 (14 dager)"' in page
