"""An event's input model (pathways.engine.inputs): built from the definition, kept with it, and the
first problem in the order of the fields named with its field."""

from __future__ import annotations

import gc
import weakref
from datetime import date, datetime

import pytest

from pathways.definition.loader import load_text
from pathways.engine import machine
from pathways.engine.machine import InputError
from tests.conftest import yaml_doc
from tests.engine.drive import ADULT, Drive

DOC = yaml_doc("""
    fields:
      slutt: {type: date, title: Slutt}
      timer: {type: number, title: Timer, min: 0, max: 100}
      json: {type: text, title: Notat}
      resultat: {type: enum, title: Resultat, values: [bestatt, ikke_bestatt]}
      samtykke: {type: boolean, title: Samtykke}
    events:
      logget: {title: Logget, fields: [slutt, timer], optional_fields: [json, resultat, samtykke]}
    lifecycle:
      discontinue: avbrutt
    start: kurs
    steps:
      - id: kurs
        kind: activity
        title: Kurs
        on:
          - {event: logget, to: ferdig, guard: "slutt <= today"}
          - {event: logget}
      - {id: ferdig, kind: outcome, title: Ferdig, outcome: work}
      - {id: avbrutt, kind: outcome, title: Avbrutt, outcome: discontinued}
""")
DAY = date(2025, 1, 6)


@pytest.fixture
def definition():  # type: ignore[no-untyped-def]
    return load_text(DOC, "mini.yaml")


def test_the_model_of_an_event_is_typed_by_its_fields_and_json_native_out(definition):
    c = machine.compiled(definition)
    state = machine.start(definition, ADULT, DAY).state
    model = c.input_model("logget", tuple(machine.event_fields(c, "logget", state)))
    schema = model.model_json_schema(by_alias=True)["properties"]
    assert list(schema) == ["slutt", "timer", "json", "resultat", "samtykke"]  # a reserved name is a field too
    assert {"type": "string", "format": "date"} in schema["slutt"]["anyOf"]
    assert {"enum": ["bestatt", "ikke_bestatt"], "type": "string"} in schema["resultat"]["anyOf"]
    values = model.parse({"slutt": date(2025, 1, 3), "timer": "37,5", "json": " fint ", "samtykke": "nei",
                          "resultat": ""})
    assert values == {"slutt": "2025-01-03", "timer": 37.5, "json": "fint", "samtykke": False}
    assert c.input_model("logget", tuple(machine.event_fields(c, "logget", state))) is model  # built once


def test_the_first_problem_in_field_order_is_reported_and_unknown_fields_first(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(InputError) as caught:
        case.record("logget", DAY, slutt="i morgen", timer=500, json="x")
    assert (str(caught.value), caught.value.field) == ("'i morgen' is not a date (write YYYY-MM-DD)", "slutt")
    with pytest.raises(InputError) as caught:
        case.record("logget", DAY, timer=500, tmer=1)
    assert (str(caught.value), caught.value.field) == ("'Logget' has no field 'tmer' — did you mean 'timer'?",
                                                       "tmer")
    with pytest.raises(InputError) as caught:
        case.record("logget", DAY, timer=5)
    assert (str(caught.value), caught.value.field) == ("'Slutt' is required for 'Logget'", "slutt")


def test_every_problem_is_collected_in_field_order_for_a_form(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(InputError) as caught:
        case.record("logget", DAY, slutt="i morgen", timer=500, resultat="kanskje", samtykke="tja")
    assert list(caught.value.errors) == ["slutt", "timer", "resultat", "samtykke"]
    assert caught.value.errors["timer"] == "500 is above the maximum 100"
    assert caught.value.field == "slutt"


def test_the_event_date_and_the_values_are_reported_together(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(InputError) as caught:
        case.record("logget", date(2024, 12, 1), timer=5)  # before the case's start, and slutt missing
    assert list(caught.value.errors) == ["on", "slutt"]
    assert caught.value.field == "on"


def test_a_datetime_for_a_date_field_is_refused_not_stored_as_text_no_guard_can_read(definition):
    """Before the input model, a datetime was stored as '2025-01-03T10:00:00', which the next guard
    reading the field failed on with a plain ValueError."""
    case = Drive.start(definition, DAY)
    with pytest.raises(InputError, match="is not a date") as caught:
        case.record("logget", DAY, slutt=datetime(2025, 1, 3, 10, 0), timer=1)
    assert caught.value.field == "slutt"
    case.record("logget", DAY, slutt=date(2025, 1, 3), timer=1)
    assert case.state.outcome == "ferdig"


def test_the_compiled_definition_lives_as_long_as_the_definition():
    """It was kept in a module-wide dictionary keyed by id(), so every definition ever compiled (each
    version the editor previewed) stayed in memory for the life of the process."""
    definition = load_text(DOC, "mini.yaml")
    assert machine.compiled(definition) is machine.compiled(definition) is definition.compiled
    Drive.start(definition, DAY).record("logget", DAY, slutt="2025-01-03", timer=1)
    gone = weakref.ref(definition)
    del definition
    gc.collect()
    assert gone() is None
