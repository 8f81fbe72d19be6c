"""Halden/Askim-piloten (forkurs til høyere utdanning): an introduction-programme participant with upper
secondary from home walked through the coordinated school year (Norwegian, English, programme
subject, mother-tongue exam and career guidance side by side) to "qualified for higher education",
with the programme benefit that ends before the course (gap trigger 1) and the plan that closes it;
a participant who needs a retake (the loop) and then a NAV measure; leave moving the one-year
deadline; and a participant who drops out."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.services import livelihood
from pathways.services.context import ServiceError
from tests.scenarios.walk import Walk

REGIONS_AT_START = {"forkurs", "norsk", "engelsk", "programfag", "morsmal_valg", "karriereveiledning"}


def dues(walk: Walk, as_of: date | None = None) -> dict[str, tuple[date, str]]:
    return {k: (d.due, d.status) for k, d in walk.deadlines(as_of).items() if not d.recurring}


def gaps(walk: Walk, as_of: date, horizon: int = 90) -> list[tuple[date, date, str, str | None]]:
    return [(g.start, g.end, g.kind, g.trigger) for g in walk.gaps(as_of, horizon)]


def test_from_admission_to_qualified_for_higher_education(ctx, clock):
    walk = Walk.start(ctx, clock, "hoyere_utdanning_forkurs", date(2025, 8, 11), born=date(1996, 7, 8),
                      settled=date(2024, 12, 2), kommune="Askim", gender="female", norwegian_oral="B1",
                      norwegian_written="A2", education_track="spor3", has_upper_secondary=True)
    # Short band with extension: the introduction benefit ends 30 January 2026
    walk.income("introduksjonsstonad", date(2025, 2, 3), date(2026, 1, 30))
    assert walk.steps == {"inntak"}
    assert walk.deadlines() == {}
    assert walk.gaps(date(2025, 8, 11)) == []

    walk.record("inntak_vurdert", date(2025, 8, 15), inntaksvurdering="tatt_inn", skole="askim_vgs",
                introprogram_slutt="2026-01-30")
    assert walk.steps == REGIONS_AT_START
    deadlines = walk.deadlines()
    deadlines_now = dues(walk)
    assert deadlines_now["kvalifisert_innen_ett_ar"] == (date(2026, 8, 15), "open")  # course start + 1 year
    assert deadlines_now["programslutt_varsel"] == (date(2025, 10, 30), "open")  # programme end − 3 months
    assert deadlines_now["programslutt"] == (date(2026, 1, 30), "open")
    assert deadlines["trekantsamtale"].due == date(2026, 2, 15)
    assert deadlines["karriereveiledningssamtale"].due == date(2025, 10, 15)
    # the benefit stops in January, the course runs to June: gap trigger 1
    assert gaps(walk, date(2025, 8, 15), horizon=180) == [
        (date(2026, 1, 31), date(2026, 2, 11), "projected", "stipend_ends_before_course")]

    walk.record("programfag_valgt", date(2025, 8, 25), programfag_navn="Matematikk R1")
    walk.record("morsmalseksamen_valgt", date(2025, 9, 1), tar_morsmalseksamen="ja", morsmal="tigrinja")
    assert walk.steps == REGIONS_AT_START - {"morsmal_valg"} | {"morsmalseksamen"}
    assert dues(walk)["privatist_pamelding"] == (date(2026, 1, 15), "open")  # course start + 5 months
    walk.record("veiledningssamtale_gjennomfort", date(2025, 10, 1))
    assert walk.deadlines()["karriereveiledningssamtale"].due == date(2025, 12, 1)

    # Livelihood to the end of the course agreed with NAV: KVP from 31 January
    walk.record("livsopphold_avklart", date(2025, 10, 20), livsopphold_plan="kvalifiseringsstonad",
                introprogram_slutt="2026-01-30")
    assert dues(walk)["programslutt_varsel"] == (date(2025, 10, 30), "met")
    assert dues(walk)["programslutt"] == (date(2026, 1, 30), "met")
    kvp = walk.income("kvalifiseringsstonad", date(2026, 1, 31), date(2026, 12, 31), planned=True)
    assert walk.gaps(date(2025, 10, 20), horizon=180) == []

    walk.record("privatist_pameldt", date(2026, 1, 12), morsmal="tigrinja")
    assert dues(walk)["privatist_pamelding"] == (date(2026, 1, 15), "met")
    # On 2 February the KVP decision is still only planned: those days are a current gap
    found = walk.gaps(date(2026, 2, 2))
    assert [(g.start, g.end, g.kind, g.trigger) for g in found] == [
        (date(2026, 1, 31), date(2026, 2, 2), "current", "stipend_ends_before_course")]
    assert "bare planlagt" in found[0].reason
    livelihood.confirm_income(walk.ctx, kvp)  # the decision is made
    assert walk.gaps(date(2026, 2, 2)) == []

    walk.record("trekantsamtale_gjennomfort", date(2026, 2, 16))
    assert walk.deadlines()["trekantsamtale"].due == date(2026, 8, 16)
    walk.record("utdanningsplan_lagt", date(2026, 3, 2), onsket_studium="Bachelor i ingeniørfag, Høgskolen i Østfold",
                soknadsfrist="2026-04-15")
    assert "soknad_hoyere_utdanning" in walk.steps and "karriereveiledning" not in walk.steps
    assert dues(walk)["soknadsfrist_hoyere_utdanning"] == (date(2026, 3, 15), "open")  # a month before 15 April
    walk.record("soknad_sendt", date(2026, 4, 10))
    assert "karriere_fullfort" in walk.steps
    assert dues(walk)["soknadsfrist_hoyere_utdanning"] == (date(2026, 3, 15), "met")

    walk.record("morsmalseksamen_avlagt", date(2026, 5, 20), morsmal_karakter=5)
    walk.record("norskeksamen_avlagt", date(2026, 6, 5), norskniva="B2")
    walk.record("engelskeksamen_avlagt", date(2026, 6, 8), engelsk_karakter=4)
    assert walk.steps == {"forkurs", "norsk_fullfort", "engelsk_fullfort", "programfag", "morsmal_fullfort",
                          "karriere_fullfort"}
    result = walk.record("programfageksamen_avlagt", date(2026, 6, 10), programfag_karakter=3)
    assert ("forkurs", "vurdering_kvalifisering") in result.moved  # every region final: joined
    assert walk.steps == {"vurdering_kvalifisering"}
    assert dues(walk)["kvalifisert_innen_ett_ar"] == (date(2026, 8, 15), "open")

    walk.record("kvalifisering_vurdert", date(2026, 6, 22), studiekompetanse_dokumentert="ja")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == \
        ("completed", "kvalifisert_hoyere_utdanning", date(2026, 6, 22))
    qualified = walk.deadlines()["kvalifisert_innen_ett_ar"]
    assert (qualified.status, qualified.met_on) == ("met", date(2026, 6, 22))  # qualified within the year
    assert walk.gaps(date(2026, 6, 22)) == []


def test_retake_round_then_a_nav_measure(ctx, clock):
    walk = Walk.start(ctx, clock, "hoyere_utdanning_forkurs", date(2025, 8, 11), born=date(1993, 2, 11),
                      settled=date(2024, 9, 16), kommune="Halden", gender="male", norwegian_oral="B1",
                      norwegian_written="B1", education_track="spor3", has_upper_secondary=True)
    walk.income("introduksjonsstonad", date(2024, 10, 1), date(2026, 6, 30))
    walk.record("inntak_vurdert", date(2025, 8, 14), inntaksvurdering="tatt_inn", skole="halden_vgs",
                introprogram_slutt="2026-06-30")
    walk.record("morsmalseksamen_valgt", date(2025, 9, 1), tar_morsmalseksamen="nei")
    assert "morsmal_fullfort" in walk.steps  # the offer declined: the region is done
    # he will never be in the exam step: no open reminder to sign him up as a private candidate
    assert dues(walk).get("privatist_pamelding", (None, "not listed"))[1] != "open"
    walk.record("utdanningsplan_lagt", date(2026, 2, 2), onsket_studium="Økonomi og administrasjon",
                soknadsfrist="2026-04-15")
    walk.record("soknad_sendt", date(2026, 4, 14))
    walk.record("norskeksamen_avlagt", date(2026, 6, 4), norskniva="B1")
    walk.record("engelskeksamen_avlagt", date(2026, 6, 8), engelsk_karakter=2)
    walk.record("programfageksamen_avlagt", date(2026, 6, 10), programfag_karakter=3)
    assert walk.steps == {"vurdering_kvalifisering"}
    assert dues(walk)["kvalifisert_innen_ett_ar"] == (date(2026, 8, 14), "open")

    # Norwegian B1 is below the B2 admission requirement: a retake round as a private candidate
    result = walk.record("kvalifisering_vurdert", date(2026, 6, 22), studiekompetanse_dokumentert="ja")
    assert result.moved == (("vurdering_kvalifisering", "ny_eksamen"),)
    assert walk.state.counters["ekstra_eksamensrunder"] == 1
    # not qualified yet: the one-year deadline stays open, and breaches when the year is over
    assert dues(walk)["kvalifisert_innen_ett_ar"] == (date(2026, 8, 14), "open")
    # the benefit ends 30 June; the retake round lasts into the autumn (trigger 1)
    found = walk.gaps(date(2026, 6, 22))
    assert [(g.start, g.end, g.kind, g.trigger) for g in found] == [
        (date(2026, 7, 1), date(2026, 9, 20), "projected", "stipend_ends_before_course")]
    assert dues(walk, date(2026, 7, 1))["programslutt"] == (date(2026, 6, 30), "breached")

    walk.record("livsopphold_avklart", date(2026, 7, 3), livsopphold_plan="sosialhjelp",
                introprogram_slutt="2026-06-30")
    assert dues(walk)["programslutt"] == (date(2026, 6, 30), "met")
    walk.income("sosialhjelp", date(2026, 7, 1), date(2026, 12, 31))
    assert walk.gaps(date(2026, 7, 3)) == []  # social assistance counts, though it is a warning sign
    assert dues(walk, date(2026, 8, 15))["kvalifisert_innen_ett_ar"] == (date(2026, 8, 14), "breached")

    walk.record("norskeksamen_avlagt", date(2026, 11, 20), norskniva="B1")
    assert walk.steps == {"ny_eksamen"}  # recorded, the step stays
    walk.record("fullfort", date(2026, 11, 23))
    assert walk.steps == {"vurdering_kvalifisering"}  # the loop back
    # no second extra round: other transition
    walk.record("kvalifisering_vurdert", date(2026, 11, 30), studiekompetanse_dokumentert="ja")
    assert walk.steps == {"annen_overgang"}
    assert walk.state.counters["ekstra_eksamensrunder"] == 1
    assert dues(walk)["kvalifisert_innen_ett_ar"] == (date(2026, 8, 14), "breached")

    walk.record("overgang_registrert", date(2026, 12, 7), overgang="nav_tiltak")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "nav_tiltak", date(2026, 12, 7))


def test_leave_moves_the_one_year_deadline_then_the_participant_drops_out(ctx, clock):
    walk = Walk.start(ctx, clock, "hoyere_utdanning_forkurs", date(2025, 8, 11), born=date(1999, 12, 1),
                      settled=date(2025, 1, 6), kommune="Askim", gender="female", norwegian_oral="B1",
                      has_upper_secondary=True)
    walk.income("introduksjonsstonad", date(2025, 2, 3), date(2026, 8, 14))
    walk.record("inntak_vurdert", date(2025, 8, 18), inntaksvurdering="tatt_inn", skole="askim_vgs",
                introprogram_slutt="2026-08-14")
    walk.record("morsmalseksamen_valgt", date(2025, 9, 1), tar_morsmalseksamen="ja", morsmal="arabisk")
    assert dues(walk)["kvalifisert_innen_ett_ar"] == (date(2026, 8, 18), "open")
    assert dues(walk)["privatist_pamelding"] == (date(2026, 1, 18), "open")

    walk.record("permisjon", date(2025, 11, 3), arsak="svangerskap_fodsel")
    assert walk.state.status == "paused"
    during = dues(walk, date(2025, 11, 17))  # 14 days so far
    assert during["kvalifisert_innen_ett_ar"] == (date(2026, 9, 1), "open")
    assert during["privatist_pamelding"] == (date(2026, 1, 18), "open")  # does not shift
    with pytest.raises(ServiceError, match="gjenoppta"):
        walk.record("norskeksamen_avlagt", date(2025, 11, 20), norskniva="A2")
    assert walk.gaps(date(2025, 11, 17)) == []  # the benefit runs on

    walk.record("gjenoppta", date(2025, 12, 1))  # 28 days
    assert walk.state.status == "active"
    assert dues(walk)["kvalifisert_innen_ett_ar"] == (date(2026, 9, 15), "open")  # 18 August 2026 + 28 days
    assert dues(walk)["privatist_pamelding"] == (date(2026, 1, 18), "open")

    walk.record("avbrudd", date(2026, 1, 19))
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("discontinued", "avbrutt", date(2026, 1, 19))
    assert walk.steps == set()
    assert {k: status for k, (_, status) in dues(walk).items()} == {
        "kvalifisert_innen_ett_ar": "waived", "programslutt_varsel": "waived", "programslutt": "waived",
        "privatist_pamelding": "waived"}
    assert walk.gaps(date(2026, 1, 19)) == []  # no active case
    with pytest.raises(ServiceError, match="has ended"):
        walk.record("trekantsamtale_gjennomfort", date(2026, 1, 20))


def test_only_adults_with_upper_secondary_from_home(ctx, clock):
    with pytest.raises(ServiceError, match="videregående opplæring fra hjemlandet"):
        Walk.start(ctx, clock, "hoyere_utdanning_forkurs", date(2025, 8, 11), born=date(1995, 3, 3),
                   settled=date(2024, 12, 2), has_upper_secondary=False)
    with pytest.raises(ServiceError, match="voksne"):
        Walk.start(ctx, clock, "hoyere_utdanning_forkurs", date(2025, 8, 11), born=date(2008, 3, 3),
                   settled=date(2024, 12, 2), has_upper_secondary=True)
