"""«I dag»: the worklist's ranking, cap, what leaves it (acknowledged, snoozed, met), met-late deadlines and
scope, on the dashboard tests' small world (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pathways.services import cases
from pathways.services import flags as flag_service
from pathways.services.livelihood import add_income
from pathways.services.worklist import flag_parts, worklist
from tests.services.test_access import as_user
from tests.ui.conftest import TODAY, World, build_world


@pytest.fixture
def world(ctx, clock) -> World:
    return build_world(ctx, clock)


def test_a_veileder_sees_the_breach_first_then_the_current_gap_each_saying_what_why_and_what_to_do(world):
    found = worklist(as_user(world, "kari"))
    assert [i.rank for i in found.items] == ["brudd", "gap_na"]
    breach, gap = found.items
    assert breach.what == "Frist passert 01.08.2026" and "3 måneder etter bosetting" in breach.why
    assert breach.todo == "registrer «Vedtak om introduksjonsprogram fattet (§ 12)»"
    assert breach.action_url == f"/saker/{world.amina}?hendelse=vedtak_fattet#hendelse"
    assert breach.flag_id is not None  # the nightly flag behind it, to acknowledge or snooze
    assert gap.what == "Ingen inntekt registrert siden 01.08.2026"
    assert gap.action_url.startswith(f"/saker/{world.amina}?inntekt=ny") and "fra=2026-08-01" in gap.action_url
    assert all(i.name == "Amina Ali" for i in found.items)


def test_ranking_breaches_then_current_gaps_then_projected_nearest_date_first(world):
    kari = as_user(world, "kari")
    # income until 20 days from now: the current gap becomes a projected one
    add_income(kari, world.amina_pid, "introduksjonsstonad", date(2026, 8, 1), TODAY + timedelta(days=20))
    found = worklist(kari)
    assert [i.rank for i in found.items] == ["brudd", "gap_kommer"]
    projected = found.items[1]
    ends = (TODAY + timedelta(days=20)).strftime("%d.%m.%Y")
    assert projected.what == f"Introduksjonsstønad slutter {ends}, ingen ny inntekt registrert"
    assert projected.todo == "start NAV-dialog eller registrer planlagt inntekt"
    assert "kilde=introduksjonsstonad" in projected.action_url
    # a leder's kommune is ranked from the same live projection: Amina's projected gap is there at once, before
    # any nightly run, and her current one (closed today) is gone
    lise = worklist(as_user(world, "lise"))
    assert [(i.rank, i.name) for i in lise.items] == [("brudd", "Amina Ali"), ("gap_na", "Yonas Haile"),
                                                      ("gap_kommer", "Amina Ali")]
    assert lise.total == 3
    from pathways.checks.sweep import run_checks
    run_checks(world.ctx.engine, TODAY)
    after = worklist(as_user(world, "lise")).items  # the same rows, now with the night's flag to acknowledge
    assert [i.key for i in after] == [i.key for i in lise.items] and after[2].flag_id is not None


def test_the_daily_cap_shows_the_first_items_and_says_how_many_there_are(world, monkeypatch):
    monkeypatch.setenv("PATHWAYS_WORKLIST_CAP", "1")
    lise = as_user(world, "lise")
    capped = worklist(lise)
    assert len(capped.items) == 1 and capped.total == 3 and capped.capped and capped.cap == 1
    assert capped.items[0].rank == "brudd"
    everything = worklist(lise, everything=True)
    assert len(everything.items) == 3 and not everything.capped


def test_acknowledged_and_snoozed_items_leave_the_list_and_come_back_when_the_snooze_ends(world):
    kari = as_user(world, "kari")
    breach, gap = worklist(kari).items
    flag_service.acknowledge(kari, breach.flag_id)
    assert [i.rank for i in worklist(kari).items] == ["gap_na"]
    assert gap.flag_id is not None
    flag_service.snooze(kari, gap.flag_id, TODAY + timedelta(days=3))
    assert worklist(kari).total == 0
    world.clock.set(TODAY + timedelta(days=3))  # the snooze ends today: the gap is back
    assert [i.rank for i in worklist(kari).items] == ["gap_na"]


def test_a_deadline_met_late_is_shown_as_met_late_not_as_an_action(world):
    kari = as_user(world, "kari")
    cases.advance(kari, world.amina, "vedtak_fattet", TODAY, {"programstart_dato": "2026-12-01"})
    found = worklist(kari)
    assert not any(i.kind == "frist_brudd" for i in found.items)
    assert [m.title for m in found.met_late] == ["Vedtak om introduksjonsprogram senest 3 måneder etter bosetting"]
    assert found.met_late[0].line.startswith("Oppfylt for sent: ") and "oppfylt 22.11.2026" in found.met_late[0].line
    world.clock.set(TODAY + timedelta(days=8))  # a week later it is history
    assert worklist(kari).met_late == []


def test_scope_a_veileder_sees_own_cases_a_leder_the_kommune_never_another_kommune(world):
    assert {i.case_id for i in worklist(as_user(world, "kari")).items} == {world.amina}
    assert {i.case_id for i in worklist(as_user(world, "ola")).items} == {world.yonas}
    assert {i.case_id for i in worklist(as_user(world, "lise")).items} == {world.amina, world.yonas}
    assert {i.case_id for i in worklist(as_user(world, "per")).items} == {world.olena}


def test_a_flag_text_does_not_repeat_its_kind():
    head, rest = flag_parts("frist_brudd", "Frist passert: Vedtak (01.08.2026)")
    assert head + rest == "Frist passert: Vedtak (01.08.2026)"
    assert flag_parts("inntektsgap", "Inntektsgap (nå) fra 01.08.2026")[1] == " (nå) fra 01.08.2026"
    assert flag_parts("programslutt", "Programmet slutter 01.08.2026") == ("Programslutt nærmer seg",
                                                                          ": Programmet slutter 01.08.2026")
