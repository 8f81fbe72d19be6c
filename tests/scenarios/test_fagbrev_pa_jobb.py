"""Fagbrev på jobb (Lørenskog): an assistant in a kindergarten takes the modules in her own order,
several at once, gets a certificate for each, joins into the Vg3 exam (retaken) and the trade test;
a candidate whose employment ends loses the contract and the wages together; a candidate with more
than five years of practice is handed over to the praksiskandidat route."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.services import cases, livelihood
from pathways.services.context import ServiceError
from tests.scenarios.walk import Walk

MODULE_EVENTS = {"modul_startet", "modul_fullfort"}


def _contract(walk: Walk) -> None:
    """Entry requirements, prior-learning assessment and an 18-month contract from 10 March 2025."""
    walk.record("opptakskrav_vurdert", date(2025, 1, 27), laerefag="barne_og_ungdomsarbeider", stillingsprosent="100",
                godkjent_laerebedrift="ja", praksis_ar="2,5", arbeidsgiver="Skårer barnehage, Lørenskog")
    walk.record("realkompetanse_vurdert", date(2025, 2, 24), kontraktslengde_mnd="18")
    walk.record("kontrakt_signert", date(2025, 3, 10), kontrakt_start="2025-03-10", kontrakt_slutt="2026-09-09",
                kontraktslengde_mnd="18")


def test_modules_in_any_order_to_the_trade_certificate(ctx, clock):
    walk = Walk.start(ctx, clock, "fagbrev_pa_jobb", date(2025, 1, 6), born=date(1986, 4, 20),
                      settled=date(2017, 10, 1), norwegian_oral="B1", norwegian_written="B1",
                      has_primary_school=True, gender="female")
    walk.income("lonn", date(2022, 8, 15))  # employed in the kindergarten since August 2022
    assert walk.steps == {"opptak"}
    assert walk.deadlines() == {}
    assert walk.gaps(horizon=90) == []

    # at 60 % the entry requirements fail: the guard says which values it read
    with pytest.raises(ServiceError, match=r"Opptakskravene er ikke oppfylt.*stillingsprosent=60\.0"):
        walk.record("opptakskrav_vurdert", date(2025, 1, 20), laerefag="barne_og_ungdomsarbeider",
                    stillingsprosent="60", godkjent_laerebedrift="ja", praksis_ar="2,5")
    assert walk.steps == {"opptak"}
    # the employer raises the position to 100 %
    walk.record("opptakskrav_vurdert", date(2025, 1, 27), laerefag="barne_og_ungdomsarbeider", stillingsprosent="100",
                godkjent_laerebedrift="ja", praksis_ar="2,5", arbeidsgiver="Skårer barnehage, Lørenskog")
    assert walk.steps == {"realkompetansevurdering"}
    walk.record("realkompetanse_vurdert", date(2025, 2, 24), kontraktslengde_mnd="18")
    assert walk.steps == {"trepartskontrakt"}
    with pytest.raises(ServiceError, match=r"mellom 12 og 36 måneder.*kontraktslengde_mnd=42\.0"):
        walk.record("kontrakt_signert", date(2025, 3, 10), kontrakt_start="2025-03-10",
                    kontrakt_slutt="2028-09-09", kontraktslengde_mnd="42")
    walk.record("kontrakt_signert", date(2025, 3, 10), kontrakt_start="2025-03-10", kontrakt_slutt="2026-09-09",
                kontraktslengde_mnd="18")
    assert walk.steps == {"moduler"}
    assert walk.state.compounds["moduler"].modules == {}
    assert walk.allowed() >= MODULE_EVENTS
    deadlines = walk.deadlines()
    assert (deadlines["kontrakt_utloper_snart"].kind, deadlines["kontrakt_utloper_snart"].due) == (
        "reminder", date(2026, 6, 9))  # three months before the contract ends
    assert (deadlines["kontrakt_utlopt"].kind, deadlines["kontrakt_utlopt"].due) == ("breach", date(2026, 9, 9))
    assert deadlines["ukentlig_fellessamling"].due == date(2025, 3, 17)
    assert deadlines["ukentlig_veiledning"].due == date(2025, 3, 17)

    # module 1 and module 3 side by side
    walk.record("modul_startet", date(2025, 3, 10), modul="modul_1")
    walk.record("modul_startet", date(2025, 3, 17), modul="modul_3")
    assert walk.state.compounds["moduler"].modules == {"modul_1": "started", "modul_3": "started"}
    walk.record("fellessamling_gjennomfort", date(2025, 3, 19))
    walk.record("veiledning_gjennomfort", date(2025, 3, 20))
    deadlines = walk.deadlines()
    assert (deadlines["ukentlig_fellessamling"].due, deadlines["ukentlig_veiledning"].due) == (
        date(2025, 3, 26), date(2025, 3, 27))

    walk.record("modul_fullfort", date(2025, 6, 2), modul="modul_1")
    compound = walk.state.compounds["moduler"]
    assert compound.modules == {"modul_1": "completed", "modul_3": "started"}
    assert walk.state.certificates == {"modul_1": date(2025, 6, 2)}
    with pytest.raises(ServiceError, match="module 'modul_1' is already completed"):
        walk.record("modul_fullfort", date(2025, 6, 3), modul="modul_1")
    with pytest.raises(ServiceError, match="module 'modul_3' is already started"):
        walk.record("modul_startet", date(2025, 6, 3), modul="modul_3")
    with pytest.raises(ServiceError, match="'modul_9' is not one of"):
        walk.record("modul_startet", date(2025, 6, 3), modul="modul_9")

    walk.record("modul_startet", date(2025, 8, 18), modul="modul_2")
    walk.record("modul_fullfort", date(2025, 10, 6), modul="modul_3")
    walk.record("modul_startet", date(2025, 10, 13), modul="modul_4")
    walk.record("modul_fullfort", date(2025, 12, 15), modul="modul_2")
    compound = walk.state.compounds["moduler"]
    assert walk.state.certificates == {"modul_1": date(2025, 6, 2), "modul_3": date(2025, 10, 6),
                                     "modul_2": date(2025, 12, 15)}
    assert compound.modules["modul_4"] == "started"
    assert walk.steps == {"moduler"}  # module 4 is still missing: no join yet

    walk.record("eksamen_oppmeldt", date(2026, 1, 12), eksamensdato="2026-05-20")
    assert walk.state.counters["eksamensforsok"] == 1
    walk.record("veiledning_gjennomfort", date(2026, 2, 5))
    walk.record("modul_fullfort", date(2026, 2, 9), modul="modul_4")
    # modules 1-4 are required (5-7 only in trades with more): the join enters the Vg3 exam
    assert walk.history[-1].moved == (("moduler", "vg3_eksamen"),)
    assert walk.steps == {"vg3_eksamen"}
    assert not MODULE_EVENTS & walk.allowed()
    assert walk.state.events["modul_fullfort"][-1][0] == date(2026, 2, 9)
    deadlines = walk.deadlines()
    assert "ukentlig_fellessamling" not in deadlines
    assert deadlines["ukentlig_veiledning"].due == date(2026, 2, 12)  # the weekly rhythm goes on
    assert deadlines["kontrakt_utlopt"].status == "open"

    # failed in May: the exam is taken again in November; the contract is extended in June
    walk.record("vg3_eksamen_avlagt", date(2026, 5, 20), resultat="ikke_bestatt", eksamensdato="2026-05-20")
    assert walk.steps == {"vg3_eksamen"}
    walk.record("eksamen_oppmeldt", date(2026, 6, 1), eksamensdato="2026-11-25")
    assert walk.state.counters["eksamensforsok"] == 2
    clock.set(date(2026, 6, 10))
    reminder = walk.deadlines()["kontrakt_utloper_snart"]
    assert (reminder.due, reminder.status) == (date(2026, 6, 9), "open")  # past due: flagged
    walk.record("kontrakt_forlenget", date(2026, 6, 15), kontrakt_slutt="2027-03-09", notat="Nytt eksamensforsøk")
    deadlines = walk.deadlines()
    assert deadlines["kontrakt_utloper_snart"].due == date(2026, 12, 9)
    assert deadlines["kontrakt_utlopt"].due == date(2027, 3, 9)
    # (that both are watched again for the new end: test_an_extended_contract_is_watched_until_its_new_end)

    walk.record("vg3_eksamen_avlagt", date(2026, 11, 25), resultat="bestatt", eksamensdato="2026-11-25")
    assert walk.steps == {"fagprove"}
    assert "ukentlig_veiledning" not in walk.deadlines()
    walk.record("fagprove_avlagt", date(2027, 2, 3), resultat="bestatt")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "fagbrev", date(2027, 2, 3))
    assert {d.status for d in walk.deadlines().values()} <= {"met", "waived"}  # the contract never ran out
    assert walk.gaps(date(2027, 2, 4)) == []


def test_employment_ends_and_the_contract_lapses(ctx, clock):
    walk = Walk.start(ctx, clock, "fagbrev_pa_jobb", date(2025, 1, 6), born=date(1983, 2, 11),
                      settled=date(2016, 5, 2), norwegian_oral="B2", norwegian_written="B1",
                      has_primary_school=True, gender="male", kommune="Ski")
    wage = walk.income("lonn", date(2021, 9, 1))
    _contract(walk)
    walk.record("modul_startet", date(2025, 3, 10), modul="modul_1")
    walk.record("modul_startet", date(2025, 3, 10), modul="modul_2")
    walk.record("modul_fullfort", date(2025, 6, 2), modul="modul_1")
    assert walk.state.certificates == {"modul_1": date(2025, 6, 2)}
    assert walk.gaps(horizon=90) == []

    # 15 September: the kindergarten is downsized; the last working day is 31 October
    clock.set(date(2025, 9, 15))
    livelihood.end_income(ctx, wage, date(2025, 10, 31))
    gaps = walk.gaps(horizon=90)
    assert [(g.start, g.end, g.days, g.kind) for g in gaps] == [
        (date(2025, 11, 1), date(2025, 12, 14), 44, "projected")]
    assert "Lønn slutter 31.10.2025" in gaps[0].reason
    # (which trigger it names: test_the_gap_after_the_last_wage_is_named_contract_lapsed)
    assert walk.steps == {"moduler"}  # nothing has happened to the case yet

    walk.record("arbeidsforhold_avsluttet", date(2025, 10, 31), sluttdato="2025-10-31",
                sluttarsak="konkurs_nedbemanning")
    # the module set's own transition interrupts the running modules
    assert walk.history[-1].moved == (("moduler", "kontrakt_bortfalt"),)
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("discontinued", "kontrakt_bortfalt", date(2025, 10, 31))
    assert state.steps == [] and state.compounds == {}
    assert [d for d, _ in state.events["modul_fullfort"]] == [date(2025, 6, 2)]  # the completed module stays on record
    deadlines = walk.deadlines()
    assert {k: d.status for k, d in deadlines.items()} == {"kontrakt_utloper_snart": "waived",
                                                          "kontrakt_utlopt": "waived"}
    assert walk.allowed() == set()
    assert walk.gaps(date(2025, 11, 1)) == []  # no active case: nothing watches the income any more
    with pytest.raises(ServiceError, match="has ended"):
        walk.record("modul_fullfort", date(2025, 11, 3), modul="modul_2")


def test_the_gap_after_the_last_wage_is_named_contract_lapsed(ctx, clock):
    """Gap trigger 6: the wages end while the case is in the module set, which needs the employment."""
    walk = Walk.start(ctx, clock, "fagbrev_pa_jobb", date(2025, 1, 6), born=date(1983, 2, 11),
                      settled=date(2016, 5, 2), has_primary_school=True, kommune="Ski")
    walk.income("lonn", date(2021, 9, 1), date(2025, 10, 31))
    _contract(walk)
    walk.record("modul_startet", date(2025, 3, 10), modul="modul_1")
    gaps = walk.gaps(date(2025, 9, 15), horizon=90)
    assert [(g.start, g.kind, g.trigger) for g in gaps] == [(date(2025, 11, 1), "projected", "contract_lapsed")]


def test_more_than_five_years_of_practice_hands_over_to_praksiskandidat(ctx, clock):
    walk = Walk.start(ctx, clock, "fagbrev_pa_jobb", date(2025, 1, 6), born=date(1978, 3, 3),
                      settled=date(2014, 6, 10), norwegian_oral="B1", norwegian_written="A2",
                      has_primary_school=False, registered_with_nav=True)
    walk.income("lonn", date(2017, 1, 2))
    # seven years as a care assistant: the praksiskandidat route is the right one
    result = walk.record("opptakskrav_vurdert", date(2025, 1, 27), laerefag="helsefagarbeider",
                         stillingsprosent="75", godkjent_laerebedrift="nei", praksis_ar="7")
    assert result.moved == (("opptak", "overfort"),)
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("transferred", "overfort", date(2025, 1, 27))
    assert len(result.new_cases) == 1
    new = cases.show(ctx, result.new_cases[0], date(2025, 1, 27))
    assert (new.pathway_id, new.participant_id, new.status, new.start_date) == (
        "praksiskandidat", walk.participant, "active", date(2025, 1, 27))
    assert [s["id"] for s in new.steps] == ["rekruttering"]
    assert new.gaps == []


def test_an_extended_contract_is_watched_until_its_new_end(ctx, clock):
    """After an extension the reminder and the breach apply to the new end date: the extension that
    set it does not meet them (only a later extension would)."""
    walk = Walk.start(ctx, clock, "fagbrev_pa_jobb", date(2025, 1, 6), born=date(1983, 2, 11),
                      settled=date(2016, 5, 2), has_primary_school=True, kommune="Ski")
    walk.income("lonn", date(2021, 9, 1))
    _contract(walk)
    walk.record("kontrakt_forlenget", date(2026, 6, 15), kontrakt_slutt="2027-03-09")
    deadlines = walk.deadlines()
    assert (deadlines["kontrakt_utloper_snart"].due, deadlines["kontrakt_utloper_snart"].status) == (
        date(2026, 12, 9), "open")
    assert (deadlines["kontrakt_utlopt"].due, deadlines["kontrakt_utlopt"].status) == (date(2027, 3, 9), "open")
    assert walk.deadlines(date(2027, 3, 10))["kontrakt_utlopt"].status == "breached"
    walk.record("kontrakt_forlenget", date(2027, 3, 1), kontrakt_slutt="2027-03-31")  # a second extension
    deadlines = walk.deadlines()
    assert deadlines["kontrakt_utlopt"].due == date(2027, 3, 31)
