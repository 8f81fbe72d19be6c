"""Every step kind through ``machine.apply`` alone: simple steps, parallel steps, module sets, hand-offs,
and the input checks every event passes first."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.definition.loader import load_text
from pathways.engine import machine
from pathways.engine.machine import Effect, EngineError, EventInput, InputError, Refused
from tests.conftest import yaml_doc
from tests.engine.drive import ADULT, Drive

DOC = yaml_doc("""
    fields:
      timer: {type: number, title: Timer, min: 0, max: 100}
      notat: {type: text, title: Notat, max_length: 10}
      slutt: {type: date, title: Slutt}
      samtykke: {type: boolean, title: Samtykke}
      niva: {type: cefr, title: Nivå}
      resultat: {type: enum, title: Resultat, values: [bestatt, ikke_bestatt]}
    counters:
      timer_sum: {title: Timer}
      forsok: {title: Forsøk}
    events:
      logget: {title: Logget, fields: [timer], optional_fields: [notat]}
      planlagt: {title: Planlagt, fields: [slutt, samtykke]}
      vurdert: {title: Vurdert, fields: [niva]}
      eksamen: {title: Eksamen, fields: [resultat]}
      fikk_jobb: {title: Fikk jobb}
      over_til_annet: {title: Over til annet løp}
      startet_ved_siden: {title: Startet ved siden}
    start: kartlegging
    steps:
      - id: kartlegging
        kind: activity
        title: Kartlegging
        next: plan
        on:
          - {event: logget, effects: [{counter: timer_sum, add: timer}]}
      - id: plan
        kind: decision
        title: Plan
        on:
          - {event: planlagt, to: opplaering}
      - id: opplaering
        kind: parallel
        title: Opplæring
        next: moduler
        on:
          - {event: fikk_jobb, to: jobb}
        regions:
          - id: teori
            title: Teori
            start: teorikurs
            steps:
              - {id: teorikurs, kind: activity, title: Teorikurs, next: teori_ferdig}
              - {id: teori_ferdig, kind: milestone, title: Teori ferdig, final: true}
          - id: praksis
            title: Praksis
            start: praksisplass
            steps:
              - id: praksisplass
                kind: activity
                title: Praksisplass
                next: praksis_ferdig
                on:
                  - {event: logget, effects: [{counter: timer_sum, add: timer}]}
              - {id: praksis_ferdig, kind: milestone, title: Praksis ferdig, final: true}
      - id: moduler
        kind: modules
        title: Moduler
        max_concurrent: 2
        modules:
          - {id: m1, title: Modul 1, certificate: kompetansebevis}
          - {id: m2, title: Modul 2}
          - {id: m3, title: Modul 3, required: false}
        next: eksamen_steg
        on:
          - {event: fikk_jobb, to: jobb}
      - id: eksamen_steg
        kind: milestone
        title: Eksamen
        on:
          - {event: eksamen, to: jobb, guard: "resultat == 'bestatt'"}
          - {event: eksamen, to: eksamen_steg, effects: [{counter: forsok, add: 1}]}
          - {event: startet_ved_siden, handoff: {pathway: annet, mode: parallel}}
          - {event: over_til_annet, to: overfort, handoff: {pathway: annet, mode: transfer}}
      - {id: jobb, kind: outcome, outcome: work, title: Jobb}
      - {id: overfort, kind: outcome, outcome: transferred, title: Overført}
    """)
AT_LEAST = yaml_doc("""
    start: moduler
    steps:
      - id: moduler
        kind: modules
        title: Moduler
        modules:
          - {id: m1, title: Modul 1}
          - {id: m2, title: Modul 2}
          - {id: m3, title: Modul 3}
        join: {at_least: 2, modules: [m3]}
        next: slutt
      - {id: slutt, kind: outcome, outcome: education, title: Slutt}
    """)
DAY = date(2025, 1, 6)


@pytest.fixture(scope="module")
def definition():
    return load_text(DOC)


def to_modules(definition) -> Drive:
    case = Drive.start(definition, DAY)
    case.record("fullfort", date(2025, 1, 10))
    case.record("planlagt", date(2025, 1, 13), slutt="2025-12-19", samtykke="ja")
    for step in ("teorikurs", "praksisplass"):
        case.record("fullfort", date(2025, 3, 3), step=step)
    assert case.active == {"moduler"}
    return case


# -- simple steps ------------------------------------------------------------------------------------


def test_start_enters_the_start_step(definition):
    result = machine.start(definition, ADULT, DAY)
    assert result.state.steps == ["kartlegging"] and result.state.status == "active"
    assert result.state.entered == {"kartlegging": DAY} and result.moved == (("start", "kartlegging"),)
    assert result.effects == ()


def test_next_is_taken_by_fullfort(definition):
    case = Drive.start(definition, DAY)
    result = case.record("fullfort", date(2025, 1, 10))
    assert result.moved == (("kartlegging", "plan"),)
    assert case.state.steps == ["plan"]
    assert case.state.left == {"kartlegging": date(2025, 1, 10)} and case.state.entered["plan"] == date(2025, 1, 10)
    assert case.state.events == {"fullfort": [(date(2025, 1, 10), 1)]} and case.state.sequence == 1


def test_a_transition_without_to_records_values_and_effects_and_stays(definition):
    case = Drive.start(definition, DAY)
    case.record("logget", date(2025, 1, 7), timer="7,5", notat=" kort ")
    result = case.record("logget", date(2025, 1, 8), timer=2)
    assert result.moved == () and case.state.steps == ["kartlegging"]
    assert case.state.counters == {"timer_sum": 9.5}
    assert case.state.values == {"timer": 2.0, "notat": "kort"}  # the latest value of each field
    assert result.values == {"timer": 2.0}


def test_values_are_checked_and_made_json_native(definition):
    case = Drive.start(definition, DAY)
    case.record("fullfort", DAY)
    result = case.record("planlagt", DAY, slutt=date(2025, 12, 19), samtykke="Nei")
    assert result.values == {"slutt": "2025-12-19", "samtykke": False}


@pytest.mark.parametrize(("event", "values", "field", "message"), [
    ("logget", {}, "timer", "'Timer' is required for 'Logget'"),
    ("logget", {"timer": "   "}, "timer", "'Timer' is required"),
    ("logget", {"timer": "mye"}, "timer", "'mye' is not a number"),
    ("logget", {"timer": True}, "timer", "'True' is not a number"),
    ("logget", {"timer": "nan"}, "timer", "'nan' is not a number"),
    ("logget", {"timer": 101}, "timer", "101 is above the maximum 100"),
    ("logget", {"timer": -1}, "timer", "-1 is below the minimum 0"),
    ("logget", {"timer": 1, "notat": "x" * 11}, "notat", "the text is 11 characters; the limit is 10"),
    ("logget", {"timer": 1, "timr": 2}, "timr", "'Logget' has no field 'timr'"),
    ("planlagt", {"slutt": "19.12.2025", "samtykke": "ja"}, "slutt", "'19.12.2025' is not a date"),
    ("planlagt", {"slutt": "2300-01-01", "samtykke": "ja"}, "slutt", "2300-01-01 is not between 1950-01-01 and 2100"),
    ("planlagt", {"slutt": "2025-12-19", "samtykke": "kanskje"}, "samtykke", "'kanskje' is not yes or no"),
    ("vurdert", {"niva": "B3"}, "niva", "'B3' is not a CEFR level"),
    ("eksamen", {"resultat": "stryk"}, "resultat", "'stryk' is not one of: bestatt, ikke_bestatt"),
    ("ukjent", {}, "event", "unknown event 'ukjent' on pathway 'mini'"),
])
def test_bad_input_names_the_field_and_changes_nothing(definition, event, values, field, message):
    case = Drive.start(definition, DAY)
    before = case.state.model_copy(deep=True)
    with pytest.raises(InputError, match=message) as caught:
        case.record(event, date(2025, 1, 7), **values)
    assert caught.value.field == field
    assert case.state == before and case.log == []


def test_event_dates_are_neither_in_the_future_nor_out_of_order(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(InputError, match="after today") as caught:
        case.record("fullfort", date(2025, 1, 8), today=date(2025, 1, 7))
    assert caught.value.field == "on"
    case.record("fullfort", date(2025, 1, 8))
    with pytest.raises(InputError, match="before the case's last event") as caught:
        case.record("planlagt", date(2025, 1, 7), slutt="2025-12-19", samtykke="ja")
    assert caught.value.field == "on"
    case.record("planlagt", date(2025, 1, 8), slutt="2025-12-19", samtykke="ja")  # the same day is in order


def test_an_event_no_active_step_takes_is_refused(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(Refused, match="'Eksamen' cannot be recorded in the current step \\(Kartlegging\\)"):
        case.record("eksamen", DAY, resultat="bestatt")
    with pytest.raises(InputError, match="the case is not in step 'plan'") as caught:
        case.record("fullfort", DAY, step="plan")
    assert caught.value.field == "step"


def test_the_input_state_is_never_changed(definition):
    case = Drive.start(definition, DAY)
    before = case.state.model_copy(deep=True)
    result = machine.apply(definition, case.state, ADULT, EventInput("logget", DAY, {"timer": 3}), DAY)
    assert case.state == before and result.state.counters == {"timer_sum": 3}


# -- parallel steps ----------------------------------------------------------------------------------


def test_entering_a_parallel_step_enters_the_start_of_each_region(definition):
    case = Drive.start(definition, DAY)
    case.record("fullfort", DAY)
    result = case.record("planlagt", date(2025, 1, 13), slutt="2025-12-19", samtykke="ja")
    assert result.moved == (("plan", "opplaering"), ("opplaering", "teorikurs"), ("opplaering", "praksisplass"))
    assert case.state.steps == ["teorikurs", "praksisplass"] and set(case.state.compounds) == {"opplaering"}
    assert machine.allowed_names(definition, case.state) == {
        "fullfort": ["teorikurs", "praksisplass"], "logget": ["praksisplass"], "fikk_jobb": ["opplaering"]}


def test_an_event_goes_to_the_first_step_entered_unless_a_step_is_named(definition):
    case = Drive.start(definition, DAY)
    case.record("fullfort", DAY)
    case.record("planlagt", DAY, slutt="2025-12-19", samtykke="ja")
    assert case.record("fullfort", date(2025, 2, 3)).moved == (("teorikurs", "teori_ferdig"),)
    case2 = Drive.start(definition, DAY)
    case2.record("fullfort", DAY)
    case2.record("planlagt", DAY, slutt="2025-12-19", samtykke="ja")
    assert case2.record("fullfort", date(2025, 2, 3), step="praksisplass").moved == (
        ("praksisplass", "praksis_ferdig"),)


def test_the_parallel_step_is_left_when_every_region_is_final(definition):
    case = Drive.start(definition, DAY)
    case.record("fullfort", DAY)
    case.record("planlagt", DAY, slutt="2025-12-19", samtykke="ja")
    case.record("fullfort", date(2025, 2, 3), step="teorikurs")
    assert case.active == {"opplaering", "teori_ferdig", "praksisplass"}  # one region still runs
    result = case.record("fullfort", date(2025, 3, 3), step="praksisplass")
    assert result.moved == (("praksisplass", "praksis_ferdig"), ("opplaering", "moduler"))
    assert case.active == {"moduler"}
    assert case.state.left["opplaering"] == case.state.left["teori_ferdig"] == date(2025, 3, 3)


def test_the_parallel_steps_own_transition_leaves_every_region(definition):
    case = Drive.start(definition, DAY)
    case.record("fullfort", DAY)
    case.record("planlagt", DAY, slutt="2025-12-19", samtykke="ja")
    case.record("fullfort", date(2025, 2, 3), step="teorikurs")
    result = case.record("fikk_jobb", date(2025, 2, 10))
    assert result.moved == (("opplaering", "jobb"),)
    assert case.state.steps == [] and case.state.compounds == {}
    assert case.state.status == "completed" and case.state.outcome == "jobb"
    assert {s: case.state.left[s] for s in ("opplaering", "teori_ferdig", "praksisplass")} == dict.fromkeys(
        ("opplaering", "teori_ferdig", "praksisplass"), date(2025, 2, 10))


# -- module sets -------------------------------------------------------------------------------------


def test_modules_start_and_complete_in_any_order_with_their_certificates(definition):
    case = to_modules(definition)
    case.record("modul_startet", date(2025, 3, 10), modul="m2")
    assert case.state.compounds["moduler"].modules == {"m2": "started"}
    assert case.record("modul_fullfort", date(2025, 4, 1), modul="m2").effects == ()  # no certificate
    result = case.record("modul_fullfort", date(2025, 5, 2), modul="m1")  # completed without being started
    assert result.effects == (Effect("certificate", {"module": "m1", "title": "Modul 1",
                                                     "certificate": "kompetansebevis", "on": "2025-05-02"}),)
    assert result.moved == (("moduler", "eksamen_steg"),)  # every required module: the optional m3 is not needed
    assert case.state.certificates == {"m2": date(2025, 4, 1), "m1": date(2025, 5, 2)}
    assert case.active == {"eksamen_steg"}


@pytest.mark.parametrize(("first", "event", "module", "message"), [
    (["modul_startet:m1"], "modul_startet", "m1", "module 'm1' is already started"),
    (["modul_fullfort:m1"], "modul_startet", "m1", "module 'm1' is already completed"),
    (["modul_fullfort:m1"], "modul_fullfort", "m1", "module 'm1' is already completed"),
    (["modul_startet:m1", "modul_startet:m2"], "modul_startet", "m3", "at most 2 modules may run at once; 2 are"),
])
def test_module_events_that_make_no_sense_are_refused(definition, first, event, module, message):
    case = to_modules(definition)
    for item in first:
        name, _, modul = item.partition(":")
        case.record(name, date(2025, 3, 10), modul=modul)
    before = case.state.model_copy(deep=True)
    with pytest.raises(Refused, match=message):
        case.record(event, date(2025, 3, 11), modul=module)
    assert case.state == before


def test_a_module_outside_the_active_set_is_bad_input(definition):
    case = to_modules(definition)
    with pytest.raises(InputError, match="'m9' is not one of: m1, m2, m3") as caught:
        case.record("modul_startet", date(2025, 3, 10), modul="m9")
    assert caught.value.field == "modul"
    with pytest.raises(InputError, match="'m1' is not part of an active module set"):
        case.record("modul_startet", date(2025, 3, 10), step="moduler_x", modul="m1")
    early = Drive.start(definition, DAY)  # no module set is active: there is no module to name
    with pytest.raises(InputError, match="'m1' is not one of: ingen"):
        early.record("modul_startet", DAY, modul="m1")


def test_a_module_sets_own_transition_interrupts_it(definition):
    case = to_modules(definition)
    case.record("modul_startet", date(2025, 3, 10), modul="m1")
    assert case.record("fikk_jobb", date(2025, 3, 20)).moved == (("moduler", "jobb"),)
    assert case.state.compounds == {} and case.state.outcome == "jobb"


def test_at_least_joins_with_the_modules_it_names():
    definition = load_text(AT_LEAST)
    case = Drive.start(definition, DAY)
    case.record("modul_fullfort", DAY, modul="m1")
    assert case.record("modul_fullfort", DAY, modul="m2").moved == ()  # two, but not m3
    assert case.record("modul_fullfort", date(2025, 2, 3), modul="m3").moved == (("moduler", "slutt"),)
    assert case.state.status == "completed"


# -- hand-offs and the first guard that holds ---------------------------------------------------------


def test_a_failed_exam_loops_and_counts_and_a_passed_one_ends(definition):
    case = to_modules(definition)
    for module in ("m1", "m2"):
        case.record("modul_fullfort", date(2025, 5, 2), modul=module)
    result = case.record("eksamen", date(2025, 6, 2), resultat="ikke_bestatt")
    assert result.moved == (("eksamen_steg", "eksamen_steg"),)
    assert case.state.counters == {"forsok": 1} and case.state.entered["eksamen_steg"] == date(2025, 6, 2)
    assert case.record("eksamen", date(2025, 9, 1), resultat="bestatt").moved == (("eksamen_steg", "jobb"),)
    assert case.state.counters == {"forsok": 1} and case.state.status == "completed"


def test_a_handoff_asks_for_an_enrolment(definition):
    case = to_modules(definition)
    for module in ("m1", "m2"):
        case.record("modul_fullfort", date(2025, 5, 2), modul=module)
    beside = case.record("startet_ved_siden", date(2025, 5, 5))
    assert beside.effects == (Effect("enrol", {"pathway": "annet", "mode": "parallel", "start": "2025-05-05",
                                               "from_step": "eksamen_steg"}),)
    assert beside.moved == () and case.active == {"eksamen_steg"}
    result = case.record("over_til_annet", date(2025, 6, 2))
    assert result.effects == (Effect("enrol", {"pathway": "annet", "mode": "transfer", "start": "2025-06-02",
                                               "from_step": "eksamen_steg"}),)
    assert case.state.status == "transferred" and case.state.outcome == "overfort"
    assert case.state.ended_on == date(2025, 6, 2)


def test_nothing_is_recorded_on_an_ended_case(definition):
    case = to_modules(definition)
    case.record("fikk_jobb", date(2025, 3, 20))
    assert machine.allowed_names(definition, case.state) == {}
    with pytest.raises(Refused, match="the case has ended \\(completed on 2025-03-20\\)"):
        case.record("fullfort", date(2025, 3, 21))
    with pytest.raises(EngineError):
        case.record("ukjent", date(2025, 3, 21))


def test_replaying_the_events_gives_the_same_state(definition):
    case = to_modules(definition)
    case.record("modul_startet", date(2025, 3, 10), modul="m1", today=date(2025, 4, 1))
    case.record("modul_fullfort", date(2025, 5, 2), modul="m1")
    assert case.replay() == case.results


# -- the complete example: practice hours credited by calendar month ----------------------------------


def test_practice_is_credited_by_month_and_a_period_not_yet_done_is_bad_input(complete):
    case = Drive.start(complete, DAY)
    case.record("fullfort", date(2025, 1, 20))
    case.record("vedtak_fattet", date(2025, 2, 3), planlagt_slutt="2026-12-31")
    assert case.active == {"opplaering", "teorikurs", "arbeidstrening"}
    before = case.state.model_copy(deep=True)
    with pytest.raises(InputError, match="ends \\(2025-03-31\\) after the event date \\(2025-03-03\\)") as caught:
        case.record("praksis_logget", date(2025, 3, 3), fra="2025-02-03", til="2025-03-31", prosent=100)
    assert caught.value.field == "til" and case.state == before
    case.record("praksis_logget", date(2025, 4, 1), fra="2025-03-01", til="2025-03-31", prosent=50)
    assert case.state.counters == {"praksistimer": 72.5}  # half a month of 1 740 hours a year
    assert case.state.practice_months == {"praksistimer": {"2025": 0.5}}
    assert case.replay() == case.results


def test_an_event_date_outside_the_calendar_is_bad_input(complete):
    case = Drive.start(complete, DAY)
    with pytest.raises(InputError, match="the date 9999-12-01 is not between 1950-01-01 and 2100") as caught:
        case.record("fullfort", date(9999, 12, 1))
    assert caught.value.field == "on"
