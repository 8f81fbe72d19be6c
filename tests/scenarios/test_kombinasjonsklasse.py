"""Kombinasjonsklasse (Akershus, 16–24 år): a 19-year-old introduction-programme participant without
lower-secondary papers walked from admission through level-divided modules to upper secondary, with
the application deadline for upper secondary, the summer gap when the benefit ends before school, a
pupil who applied too late and takes a new year (the loop, until the longest time is reached), sick
leave moving the longest time, and a pupil who drops out."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pathways.calendar import FixedClock
from pathways.services import livelihood
from pathways.services.context import Context, ServiceError
from tests.scenarios.walk import Walk

START = date(2025, 8, 11)
REQUIRED = ("norsk_niva3", "engelsk_niva3", "matematikk_niva3", "naturfag", "samfunnsfag", "krle")


def dues(walk: Walk, as_of: date | None = None) -> dict[str, tuple[date, str]]:
    return {k: (d.due, d.status) for k, d in walk.deadlines(as_of).items() if not d.recurring}


def gaps(walk: Walk, as_of: date, horizon: int = 90) -> list[tuple[date, date, str, str | None]]:
    return [(g.start, g.end, g.kind, g.trigger) for g in walk.gaps(as_of, horizon)]


def into_modules(ctx: Context, clock: FixedClock, *, born: date, school_start: str, **facts: Any) -> Walk:
    walk = Walk.start(ctx, clock, "kombinasjonsklasse", START, born=born, settled=date(2025, 2, 10),
                      has_upper_secondary=False, has_primary_school=False, **facts)
    walk.record("tatt_inn", date(2025, 8, 15))
    walk.record("nivaplassering_fastsatt", date(2025, 8, 25), nivaplassering="norsk 3, engelsk 2, matematikk 3",
                planlagt_skolestart_vgo=school_start)
    assert walk.steps == {"fagmoduler"}
    return walk


def school_year(walk: Walk, started: date, completed: date) -> None:
    """Every required module started on one day and completed on another."""
    for module in REQUIRED:
        walk.record("modul_startet", started, modul=module)
    for module in REQUIRED:
        walk.record("modul_fullfort", completed, modul=module)


def test_from_admission_to_upper_secondary(ctx, clock):
    walk = Walk.start(ctx, clock, "kombinasjonsklasse", START, born=date(2006, 3, 20), settled=date(2024, 11, 4),
                      gender="male", norwegian_oral="A2", norwegian_written="A1", education_track="spor2",
                      has_primary_school=False, has_upper_secondary=False)
    # In the introduction programme until the end of the school year
    walk.income("introduksjonsstonad", date(2024, 12, 2), date(2026, 6, 30))
    assert walk.steps == {"inntak"}
    assert walk.gaps(START) == []

    walk.record("tatt_inn", date(2025, 8, 18))
    assert walk.steps == {"kartlegging_nivadeling"}
    walk.record("nivaplassering_fastsatt", date(2025, 8, 29), nivaplassering="norsk 2, engelsk 2, matematikk 3",
                planlagt_skolestart_vgo="2026-08-17")
    assert walk.steps == {"fagmoduler"}
    assert dues(walk) == {
        "soknadsfrist_vgo": (date(2026, 3, 17), "open"),  # school start − 5 months
        "soknadsfrist_vgo_paminnelse": (date(2026, 2, 17), "open"),  # a month before that
        "lengste_tid": (date(2027, 8, 11), "open"),  # class start + 2 years
    }
    assert walk.deadlines()["halvarsvurdering"].due == date(2026, 2, 28)  # 29 August + 6 months

    # Level 2 in Norwegian and English first; the subjects run side by side
    for module in ("norsk_niva2", "engelsk_niva2", "matematikk_niva3", "naturfag", "samfunnsfag", "krle"):
        walk.record("modul_startet", date(2025, 9, 1), modul=module)
    assert set(walk.state.compounds["fagmoduler"].modules.values()) == {"started"}
    with pytest.raises(ServiceError, match="already started"):
        walk.record("modul_startet", date(2025, 9, 2), modul="norsk_niva2")
    walk.record("modul_fullfort", date(2026, 1, 23), modul="norsk_niva2")
    walk.record("modul_fullfort", date(2026, 1, 23), modul="engelsk_niva2")
    walk.record("modul_startet", date(2026, 1, 26), modul="norsk_niva3")
    walk.record("modul_startet", date(2026, 1, 26), modul="engelsk_niva3")
    walk.record("halvarsvurdering_gjennomfort", date(2026, 2, 13))
    assert walk.deadlines()["halvarsvurdering"].due == date(2026, 8, 13)

    assert dues(walk, date(2026, 2, 17))["soknadsfrist_vgo_paminnelse"] == (date(2026, 2, 17), "open")
    walk.record("soknad_vgo_sendt", date(2026, 2, 20), utdanningsprogram="Vg1 helse- og oppvekstfag")
    assert walk.steps == {"fagmoduler"}
    assert dues(walk) == {
        "soknadsfrist_vgo": (date(2026, 3, 17), "met"),
        "soknadsfrist_vgo_paminnelse": (date(2026, 2, 17), "met"),
        "lengste_tid": (date(2027, 8, 11), "open"),
    }
    assert dues(walk, date(2026, 3, 18))["soknadsfrist_vgo"] == (date(2026, 3, 17), "met")  # sent in time: no breach

    walk.record("modul_fullfort", date(2026, 6, 12), modul="matematikk_niva3")
    for module in ("naturfag", "samfunnsfag", "krle"):
        walk.record("modul_fullfort", date(2026, 6, 15), modul=module)
    walk.record("modul_fullfort", date(2026, 6, 16), modul="norsk_niva3")
    assert walk.steps == {"fagmoduler"}  # English level 3 is still missing
    assert walk.state.compounds["fagmoduler"].modules["engelsk_niva3"] == "started"
    result = walk.record("modul_fullfort", date(2026, 6, 16), modul="engelsk_niva3")
    assert ("fagmoduler", "grunnskolekompetanse") in result.moved  # the join
    assert walk.steps == {"grunnskolekompetanse"}
    assert [e.data["certificate"] for e in result.effects if e.kind == "certificate"] == \
        ["Karakter i engelsk (grunnskolenivå)"]
    # the certificates earned stay with the case after the module set is left
    assert walk.state.certificates == {
        "norsk_niva2": date(2026, 1, 23), "engelsk_niva2": date(2026, 1, 23), "matematikk_niva3": date(2026, 6, 12),
        "naturfag": date(2026, 6, 15), "samfunnsfag": date(2026, 6, 15), "krle": date(2026, 6, 15),
        "norsk_niva3": date(2026, 6, 16), "engelsk_niva3": date(2026, 6, 16)}

    walk.record("vitnemal_utstedt", date(2026, 6, 19))
    assert walk.steps == {"soknad_vgo"}
    assert dues(walk)["lengste_tid"] == (date(2027, 8, 11), "met")
    # The benefit ends 30 June; school starts in August and the summer has no livelihood (trigger 4)
    found = walk.gaps(date(2026, 6, 19))
    assert [(g.start, g.end, g.kind, g.trigger) for g in found] == [
        (date(2026, 7, 1), date(2026, 9, 17), "projected", "no_livelihood_step")]
    assert "30.06.2026" in found[0].reason

    walk.record("inntak_vgo", date(2026, 7, 10), utdanningsprogram="Vg1 helse- og oppvekstfag")
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("completed", "videregaende", date(2026, 7, 10))
    assert dues(walk)["soknadsfrist_vgo"] == (date(2026, 3, 17), "met")
    assert walk.gaps(date(2026, 7, 10)) == []


def test_late_application_a_new_school_year_and_the_longest_time(ctx, clock):
    walk = into_modules(ctx, clock, born=date(2009, 1, 15), school_start="2026-08-17", gender="female",
                        norwegian_oral="A1", lives_with_parents=True)
    assert dues(walk, date(2026, 3, 17))["soknadsfrist_vgo"] == (date(2026, 3, 17), "open")
    assert dues(walk, date(2026, 3, 18))["soknadsfrist_vgo"] == (date(2026, 3, 17), "breached")  # never applied
    school_year(walk, date(2025, 8, 25), date(2026, 6, 12))
    assert walk.steps == {"grunnskolekompetanse"}
    walk.record("vitnemal_utstedt", date(2026, 6, 18))
    walk.record("soknad_vgo_sendt", date(2026, 6, 22), utdanningsprogram="Vg1 studiespesialisering")
    assert walk.steps == {"soknad_vgo"}

    # Not admitted: a new year in the class, aiming at school start in August 2027 (the loop)
    result = walk.record("nytt_skolear", date(2026, 7, 20), begrunnelse="Søkte etter fristen, fikk ikke plass",
                         planlagt_skolestart_vgo="2027-08-16")
    assert result.moved == (("soknad_vgo", "fagmoduler"),)
    assert walk.steps == {"fagmoduler"}
    assert walk.state.compounds["fagmoduler"].modules == {}  # a new year starts the module set afresh
    assert dues(walk) == {
        "soknadsfrist_vgo": (date(2027, 3, 16), "open"),  # from the new school start
        "soknadsfrist_vgo_paminnelse": (date(2027, 2, 16), "open"),
        "lengste_tid": (date(2027, 8, 11), "open"),  # the first year's diploma does not end the second year
    }
    school_year(walk, date(2026, 8, 24), date(2027, 6, 11))
    walk.record("vitnemal_utstedt", date(2027, 6, 17))
    assert dues(walk)["lengste_tid"] == (date(2027, 8, 11), "met")
    # Not admitted again, but two years have passed: no third year in the class
    with pytest.raises(ServiceError, match="Lengste tid i kombinasjonsklassen er nådd"):
        walk.record("nytt_skolear", date(2027, 8, 16), begrunnelse="Ikke plass", planlagt_skolestart_vgo="2028-08-14")
    walk.record("overgang_voksenopplaering", date(2027, 8, 16), begrunnelse="Grunnskole for voksne i kommunen")
    state = walk.state
    assert (state.status, state.outcome) == ("completed", "grunnskole_voksne")


def test_sick_leave_moves_the_longest_time_then_the_pupil_drops_out(ctx, clock):
    walk = into_modules(ctx, clock, born=date(2008, 11, 30), school_start="2027-08-16", gender="male",
                        norwegian_oral="A1", lives_with_parents=True)
    walk.income("introduksjonsstonad", date(2025, 3, 3), date(2027, 3, 2))  # older sibling's case aside: his own
    assert dues(walk) == {
        "soknadsfrist_vgo": (date(2027, 3, 16), "open"),
        "soknadsfrist_vgo_paminnelse": (date(2027, 2, 16), "open"),
        "lengste_tid": (date(2027, 8, 11), "open"),
    }
    walk.record("permisjon", date(2025, 10, 6), arsak="sykdom")
    assert walk.state.status == "paused"
    # 14 days so far; the application deadline is a calendar date and does not move
    assert dues(walk, date(2025, 10, 20)) == {
        "soknadsfrist_vgo": (date(2027, 3, 16), "open"),
        "soknadsfrist_vgo_paminnelse": (date(2027, 2, 16), "open"),
        "lengste_tid": (date(2027, 8, 25), "open"),
    }
    with pytest.raises(ServiceError, match="gjenoppta"):
        walk.record("modul_startet", date(2025, 10, 13), modul="naturfag")
    walk.record("gjenoppta", date(2025, 11, 3))  # 28 days
    assert walk.state.status == "active"
    assert dues(walk)["lengste_tid"] == (date(2027, 9, 8), "open")  # 11 August 2027 + 28 days
    assert walk.gaps(date(2025, 11, 3)) == []

    walk.record("modul_startet", date(2025, 11, 3), modul="naturfag")
    walk.record("avbrudd", date(2026, 1, 12))
    state = walk.state
    assert (state.status, state.outcome, state.ended_on) == ("discontinued", "avbrutt", date(2026, 1, 12))
    assert dues(walk) == {
        "soknadsfrist_vgo": (date(2027, 3, 16), "waived"),
        "soknadsfrist_vgo_paminnelse": (date(2027, 2, 16), "waived"),
        "lengste_tid": (date(2027, 9, 8), "waived"),
    }
    assert walk.gaps(date(2026, 1, 12)) == []  # no active case
    with pytest.raises(ServiceError, match="has ended"):
        walk.record("halvarsvurdering_gjennomfort", date(2026, 1, 13))


def test_the_module_set_itself_gives_no_livelihood(ctx, clock):
    # An 18-year-old whose introduction benefit stops while she is in the modules: the gap is the
    # class's known lack of livelihood (the module set declares livelihood [ingen]), trigger 4
    walk = into_modules(ctx, clock, born=date(2007, 4, 2), school_start="2026-08-17", gender="female",
                        norwegian_oral="A2")
    benefit = walk.income("introduksjonsstonad", date(2025, 3, 3), date(2026, 1, 31))
    assert walk.gaps(date(2025, 9, 1)) == []
    assert gaps(walk, date(2026, 1, 5)) == [(date(2026, 2, 1), date(2026, 4, 5), "projected", "no_livelihood_step")]
    livelihood.end_income(ctx, benefit, date(2026, 12, 31))
    assert walk.gaps(date(2026, 1, 5)) == []


def test_only_youth_without_upper_secondary(ctx, clock):
    with pytest.raises(ServiceError, match="16–24 år"):
        Walk.start(ctx, clock, "kombinasjonsklasse", START, born=date(2000, 1, 10), settled=date(2024, 5, 2),
                   has_upper_secondary=False)
    with pytest.raises(ServiceError, match="ikke har fullført videregående"):
        Walk.start(ctx, clock, "kombinasjonsklasse", START, born=date(2007, 1, 10), settled=date(2024, 5, 2),
                   has_upper_secondary=True)
