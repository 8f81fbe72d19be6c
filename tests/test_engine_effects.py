"""An effect expression that cannot be computed is a refusal like a bad value, never a crash."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.definition.loader import load_text
from pathways.engine import machine
from pathways.engine.machine import EngineError, EventInput, InputError
from pathways.engine.state import Participant
from tests.conftest import yaml_doc

DOC = yaml_doc("""
    fields:
      timer: {type: number, title: Timer}
      slutt: {type: date, title: Slutt}
    counters:
      sum: {title: Sum}
    events:
      logget: {title: Logget, fields: [timer], optional_fields: [slutt]}
    start: a
    steps:
      - id: a
        kind: activity
        title: A
        next: b
        on:
          - {event: logget, effects: [{counter: sum, add: "timer * 1000000 * 1000000"}], guard: "timer < 5000"}
          - event: logget
            effects: [{counter: sum, add: "years_between(slutt + years(900), today)"}]
      - {id: b, kind: outcome, outcome: work, title: B}
    """)
PARTICIPANT = Participant(birth_date=date(1990, 1, 1))
ON = date(2025, 3, 3)


@pytest.fixture(scope="module")
def definition():
    return load_text(DOC)


def record(definition, **values):
    state = machine.start(definition, PARTICIPANT, date(2025, 1, 6)).state
    return machine.apply(definition, state, PARTICIPANT, EventInput("logget", ON, values), ON)


def test_a_number_that_grows_too_large_is_refused(definition):
    with pytest.raises(EngineError, match="'sum' cannot be counted: a number in the guard grew beyond 1e\\+12"):
        record(definition, timer=4000)
    assert record(definition, timer=1).state.counters["sum"] == 1e12


def test_a_value_the_expression_needs_is_asked_for(definition):
    with pytest.raises(InputError, match="'slutt' is needed to count 'sum'") as caught:
        record(definition, timer=6000)
    assert caught.value.field == "slutt"
    assert record(definition, timer=6000, slutt="2020-01-01").state.counters["sum"] == -895
