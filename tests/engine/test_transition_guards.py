"""Guards on transitions and eligibility, as ``machine.apply`` and ``machine.start`` read them: true takes
the transition, false and unknown refuse it with a report of the values read."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.definition.loader import load_text
from pathways.engine import machine
from pathways.engine.machine import GuardReport, Refused
from pathways.engine.state import Participant
from tests.conftest import yaml_doc
from tests.engine.drive import ADULT, Drive

DOC = yaml_doc("""
    parameters:
      krav: {type: cefr, default: B1, title: Krav}
    fields:
      niva: {type: cefr, title: Nivå}
      slutt: {type: date, title: Slutt}
    events:
      vurdert: {title: Vurdert, fields: [niva]}
      planlagt: {title: Planlagt, fields: [slutt]}
      avsluttet: {title: Avsluttet}
      bosatt_lenge: {title: Bosatt lenge}
    eligibility:
      - {rule: "age >= 18", message: Deltakeren må være minst 18 år}
      - {rule: "legal_regime != 'introduksjonsloven'", message: Gammel lov}
    start: kurs
    steps:
      - id: kurs
        kind: activity
        title: Kurs
        on:
          - {event: vurdert, to: videre, guard: "niva >= krav", guard_message: nivået holder}
          - {event: vurdert, to: kurs, guard: "niva >= A2"}
          - {event: planlagt}
          - {event: avsluttet, to: videre, guard: "slutt <= today", guard_message: sluttdatoen er passert}
          - {event: bosatt_lenge, to: videre, guard: "today - settlement_date >= years(2)"}
          - {event: fullfort, to: videre, guard: "days_in_step >= 30"}
      - {id: videre, kind: outcome, outcome: education, title: Videre}
    """)
DAY = date(2025, 1, 6)


@pytest.fixture(scope="module")
def definition():
    return load_text(DOC)


def test_the_first_guard_that_holds_is_taken(definition):
    case = Drive.start(definition, DAY)
    assert case.record("vurdert", DAY, niva="a2").moved == (("kurs", "kurs"),)  # not B1: the second
    assert case.state.values == {"niva": "A2"}
    assert case.record("vurdert", date(2025, 3, 3), niva="B2").moved == (("kurs", "videre"),)


def test_a_false_guard_refuses_with_the_values_it_read(definition):
    case = Drive.start(definition, DAY)
    before = case.state.model_copy(deep=True)
    with pytest.raises(Refused) as caught:
        case.record("vurdert", DAY, niva="A1")
    assert caught.value.reports == [
        GuardReport("kurs", "videre", "niva >= krav", {"krav": "B1", "niva": "A1"}, "false", "nivået holder",
                    ("Nivå må være B1 eller høyere; registrert er A1",)),
        GuardReport("kurs", "kurs", "niva >= A2", {"niva": "A1"}, "false", None,
                    ("Nivå må være A2 eller høyere; registrert er A1",))]
    assert str(caught.value) == ("'Vurdert' is not allowed now: nivået holder (false; krav='B1', niva='A1'); "
                                 "niva >= A2 (false; niva='A1')")
    assert case.state == before


def test_a_guard_reading_a_value_not_recorded_yet_is_unknown(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(Refused) as caught:
        case.record("avsluttet", DAY)
    (report,) = caught.value.reports
    assert report.result == "unknown: 'slutt' has no value yet"
    assert report.values == {"slutt": None, "today": "2025-01-06"}
    case.record("planlagt", DAY, slutt="2025-02-28")  # a transition without 'to': the value is kept
    with pytest.raises(Refused, match="sluttdatoen er passert \\(false; slutt='2025-02-28', today='2025-02-27'\\)"):
        case.record("avsluttet", date(2025, 2, 27))
    assert case.record("avsluttet", date(2025, 2, 28)).moved == (("kurs", "videre"),)


def test_a_participant_fact_that_is_missing_is_unknown():
    definition = load_text(DOC)
    unsettled = Participant(birth_date=date(1990, 5, 17))
    case = Drive.start(definition, DAY, unsettled)
    with pytest.raises(Refused, match="unknown: 'settlement_date' has no value yet"):
        case.record("bosatt_lenge", DAY)
    settled = Drive.start(definition, DAY, ADULT.model_copy(update={"settlement_date": date(2023, 1, 6)}))
    assert settled.record("bosatt_lenge", DAY).moved == (("kurs", "videre"),)


def test_days_in_step_counts_from_entering_the_current_step(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(Refused, match="days_in_step >= 30 \\(false; days_in_step=29\\)"):
        case.record("fullfort", date(2025, 2, 4))
    case.record("vurdert", date(2025, 2, 4), niva="A2")  # re-entered: the count starts again
    with pytest.raises(Refused, match="days_in_step=29"):
        case.record("fullfort", date(2025, 3, 5))
    assert case.record("fullfort", date(2025, 3, 6)).moved == (("kurs", "videre"),)


@pytest.mark.parametrize(("participant", "messages"), [
    (Participant(birth_date=date(2008, 1, 7)), ["Deltakeren må være minst 18 år"]),
    (Participant(birth_date=date(2000, 1, 1), legal_regime="introduksjonsloven"), ["Gammel lov"]),
    (Participant(birth_date=date(2010, 1, 1), legal_regime="introduksjonsloven"),
     ["Deltakeren må være minst 18 år", "Gammel lov"]),
])
def test_eligibility_is_checked_at_the_start(definition, participant, messages):
    with pytest.raises(Refused, match="the participant does not meet the eligibility rules") as caught:
        machine.start(definition, participant, DAY)
    assert [r.message for r in caught.value.reports] == messages
    assert all(r.result == "false" and r.step == "eligibility" for r in caught.value.reports)


def test_eighteen_on_the_start_day_is_eligible(definition):
    assert machine.start(definition, Participant(birth_date=date(2007, 1, 6)), DAY).state.steps == ["kurs"]


# -- found while writing these tests: days_in_step reads the last simple step entered --------------------

IN_COMPOUNDS = yaml_doc("""
    events:
      avsluttet: {title: Avsluttet}
    start: moduler
    steps:
      - id: moduler
        kind: modules
        title: Moduler
        modules:
          - {id: m1, title: Modul 1}
        next: deler
        on:
          - {event: avsluttet, to: deler, guard: "days_in_step >= 90"}
      - id: deler
        kind: parallel
        title: Deler
        next: slutt
        regions:
          - id: a
            title: A
            start: a1
            steps:
              - id: a1
                kind: activity
                title: A1
                on:
                  - {event: fullfort, to: a_ferdig, guard: "days_in_step >= 60"}
              - {id: a_ferdig, kind: milestone, title: A ferdig, final: true}
          - id: b
            title: B
            start: b1
            steps:
              - {id: b1, kind: activity, title: B1, next: b_ferdig}
              - {id: b_ferdig, kind: milestone, title: B ferdig, final: true}
      - {id: slutt, kind: outcome, outcome: education, title: Slutt}
    """)


def test_days_in_step_in_a_module_set_counts_from_entering_it():
    case = Drive.start(load_text(IN_COMPOUNDS), DAY)
    assert case.record("avsluttet", date(2025, 5, 1)).moved[0] == ("moduler", "deler")  # 115 days in the set


def test_days_in_step_in_a_region_counts_from_entering_that_step():
    case = Drive.start(load_text(IN_COMPOUNDS), DAY)
    case.record("modul_fullfort", DAY, modul="m1")
    assert case.active == {"deler", "a1", "b1"}
    case.record("fullfort", date(2025, 3, 1), step="b1")  # the other region moves on
    assert case.record("fullfort", date(2025, 3, 20), step="a1").moved[0] == ("a1", "a_ferdig")  # 73 days in a1
