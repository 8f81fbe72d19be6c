"""A hand-off into another pathway carries the evidence recorded on the case that the new pathway reads
(issue 14, item 4): PAI renhold's documented practice hours start the praksiskandidat case's practice
counter, not zero; the new case rebuilt from its events alone is the same (the carried evidence is kept with
its first event)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from pathways.engine import machine
from pathways.services import cases
from pathways.store.tables import Enrolment
from tests.engine.drive import ADULT
from tests.scenarios.test_pai_renhold import COURSE_END, admitted


def test_practice_hours_go_with_the_participant_into_praksiskandidat(ctx, clock):
    walk = admitted(ctx, clock)
    walk.record("fullfort", date(2025, 9, 15))
    walk.record("praksisavtale_signert", date(2025, 10, 24), praksissted="Moelv skole", fadder="Renholdsleder",
                praksisstart="2025-11-03")
    walk.record("fagkurs_fullfort", date(2025, 10, 31), fagkurstimer=175)
    walk.record("praksistimer_registrert", date(2025, 12, 31), praksistimer_periode=84)
    walk.record("praksistimer_registrert", date(2026, 1, 30), praksistimer_periode=84)
    walk.record("fullfort", date(2026, 4, 17))
    walk.record("fullfort", COURSE_END)
    walk.record("kursbevis_utstedt", COURSE_END, kursbevis_dato="2026-06-19", praksis_maneder=5.5)
    moved = walk.record("overgang_registrert", date(2026, 6, 22), overgang="praksiskandidat",
                        livsopphold_etter="sosialhjelp")
    [new] = moved.new_cases
    state = cases.stored_state(ctx, new)
    assert state.pathway_id == "praksiskandidat"
    assert state.counters["praksistimer"] == 168  # from PAI, not zero
    assert cases.rebuild(ctx, new) == state
    with Session(ctx.engine) as session:
        assert session.exec(select(Enrolment.parent_id).where(Enrolment.id == new)).one() == walk.case


def test_only_what_the_new_pathway_reads_is_carried(complete):
    """Counters the new pathway does not have, and counters still at their start value, stay behind; practice
    hours come with the months credited per year (the yearly cap holds in the new case)."""
    state = machine.start(complete, ADULT, date(2025, 1, 6)).state
    state.counters.update({"no_such_counter": 3.0, "forsok": 0.0, "praksistimer": 725.0})
    state.practice_months["praksistimer"] = {"2025": 1.0}
    assert machine.carried_evidence(complete, state, complete) == {
        "counters": {"praksistimer": 725.0}, "practice_months": {"praksistimer": {"2025": 1.0}}}
    carried = machine.carried_evidence(complete, state, complete)
    again = machine.start(complete, ADULT, date(2025, 2, 1), carried).state
    assert (again.counters["praksistimer"], again.practice_months) == (725.0, {"praksistimer": {"2025": 1.0}})
