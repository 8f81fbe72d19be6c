"""Case-wide events through ``machine.apply``: permisjon and gjenoppta, midlertidig stans, avbrudd and
overføring, and what a pathway without them says."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.definition.loader import load_text
from pathways.engine import machine
from pathways.engine.machine import InputError, Refused
from pathways.engine.state import Pause
from tests.conftest import yaml_doc
from tests.engine.drive import Drive

DOC = yaml_doc("""
    lifecycle:
      pause: {reasons: [sykdom, foreldrepermisjon]}
      temporary_stop: true
      discontinue: avbrutt
      transfer: overfort
    start: kurs
    steps:
      - {id: kurs, kind: activity, title: Kurs, next: slutt}
      - {id: slutt, kind: outcome, outcome: work, title: Slutt}
      - {id: avbrutt, kind: outcome, outcome: discontinued, title: Avbrutt}
      - {id: overfort, kind: outcome, outcome: transferred, title: Overført}
    """)
BARE = yaml_doc("""
    start: kurs
    steps:
      - {id: kurs, kind: activity, title: Kurs, next: slutt}
      - {id: slutt, kind: outcome, outcome: work, title: Slutt}
    """)
DAY = date(2025, 1, 6)


@pytest.fixture(scope="module")
def definition():
    return load_text(DOC)


def test_permisjon_pauses_and_gjenoppta_resumes(definition):
    case = Drive.start(definition, DAY)
    case.record("permisjon", date(2025, 2, 3), arsak="sykdom")
    assert case.state.status == "paused" and case.state.paused_since == date(2025, 2, 3)
    assert case.state.days_paused(date(2025, 2, 13)) == 10  # an ongoing pause counts up to the day asked
    assert machine.allowed_names(definition, case.state) == {"gjenoppta": [], "avbrudd": [], "overforing": []}
    case.record("gjenoppta", date(2025, 3, 3))
    assert case.state.status == "active" and case.state.paused_since is None
    assert case.state.pauses == [Pause(start=date(2025, 2, 3), end=date(2025, 3, 3), reason="sykdom")]
    assert case.state.days_paused(date(2025, 12, 31)) == 28
    assert case.state.steps == ["kurs"]  # the step is kept through the pause


def test_a_paused_case_takes_no_transition_until_it_resumes(definition):
    case = Drive.start(definition, DAY)
    case.record("permisjon", date(2025, 2, 3), arsak="foreldrepermisjon")
    with pytest.raises(Refused, match="the case is paused \\(permisjon\\); record 'gjenoppta' before 'Fullført'"):
        case.record("fullfort", date(2025, 2, 4))
    with pytest.raises(Refused, match="permisjon needs an active case; the case is paused"):
        case.record("permisjon", date(2025, 2, 4), arsak="sykdom")
    case.record("gjenoppta", date(2025, 2, 5))
    assert case.record("fullfort", date(2025, 2, 5)).moved == (("kurs", "slutt"),)


def test_permisjon_needs_a_reason_from_the_list(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(InputError, match="'Årsak' is required") as caught:
        case.record("permisjon", DAY)
    assert caught.value.field == "arsak"
    with pytest.raises(InputError, match="'ferie' is not one of: sykdom, foreldrepermisjon"):
        case.record("permisjon", DAY, arsak="ferie")


def test_midlertidig_stans_stops_until_gjenoppta(definition):
    case = Drive.start(definition, DAY)
    case.record("midlertidig_stans", date(2025, 2, 3))
    assert (case.state.status, case.state.stopped_since) == ("stopped", date(2025, 2, 3))
    with pytest.raises(Refused, match="the case is stopped; record 'gjenoppta'"):
        case.record("fullfort", date(2025, 2, 4))
    with pytest.raises(Refused, match="midlertidig stans needs an active case; the case is stopped"):
        case.record("midlertidig_stans", date(2025, 2, 4))
    case.record("gjenoppta", date(2025, 2, 10))
    assert (case.state.status, case.state.stopped_since, case.state.pauses) == ("active", None, [])
    assert case.state.days_paused(date(2025, 3, 1)) == 0  # a stop does not move deadlines


def test_gjenoppta_needs_a_paused_or_stopped_case(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(Refused, match="only a paused or stopped case can be resumed"):
        case.record("gjenoppta", DAY)


@pytest.mark.parametrize(("event", "status", "outcome"), [
    ("avbrudd", "discontinued", "avbrutt"), ("overforing", "transferred", "overfort")])
def test_avbrudd_and_overforing_end_the_case_in_their_outcome(definition, event, status, outcome):
    case = Drive.start(definition, DAY)
    result = case.record(event, date(2025, 2, 3))
    assert result.moved == (("kurs", outcome),)
    assert (case.state.status, case.state.outcome, case.state.ended_on) == (status, outcome, date(2025, 2, 3))
    assert case.state.steps == [] and case.state.left == {"kurs": date(2025, 2, 3)}


def test_ending_a_paused_case_closes_its_pause(definition):
    case = Drive.start(definition, DAY)
    case.record("permisjon", date(2025, 2, 3), arsak="sykdom")
    case.record("avbrudd", date(2025, 2, 20))
    assert case.state.status == "discontinued"
    assert case.state.pauses == [Pause(start=date(2025, 2, 3), end=date(2025, 2, 20), reason="sykdom")]
    assert case.state.days_paused(date(2026, 1, 1)) == 17
    assert case.replay() == case.results


@pytest.mark.parametrize(("event", "message"), [
    ("permisjon", "this pathway has no permisjon \\(no 'lifecycle.pause'\\)"),
    ("midlertidig_stans", "this pathway has no midlertidig stans"),
    ("avbrudd", "this pathway has no 'avbrudd' \\(set 'lifecycle.discontinue'\\)"),
    ("overforing", "this pathway has no 'overforing' \\(set 'lifecycle.transfer'\\)"),
])
def test_a_pathway_without_a_lifecycle_event_refuses_it(event, message):
    definition = load_text(BARE)
    case = Drive.start(definition, DAY)
    assert machine.allowed_names(definition, case.state) == {"fullfort": ["kurs"]}
    with pytest.raises(Refused, match=message):
        case.record(event, DAY)
    assert case.state.status == "active"
