"""Property: random event sequences on every catalogue pathway (with the complete example and the two
small documents of this folder) raise nothing but the engine's own errors, leave the state they were
given untouched, keep the state consistent, and replaying the accepted events from the start gives the
same results, as rebuilding a case from its events does."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pathways.definition.catalogue import load_catalogue
from pathways.definition.loader import load_text
from pathways.definition.schema import StepKind
from pathways.engine import machine
from pathways.engine.deadlines import case_deadlines
from pathways.engine.machine import AllowedEvent, Compiled, EngineError, InputError, compiled, event_fields
from pathways.engine.state import CaseState, Participant
from pathways.guards import CEFR_NAMES, EARLIEST_DATE, LATEST_DATE
from tests.conftest import DEFINITIONS, FIXTURES
from tests.engine import test_deadlines, test_steps
from tests.engine.drive import Drive

CATALOGUE = load_catalogue([DEFINITIONS, FIXTURES / "complete.yaml"])
# and the two small documents of this folder: no catalogue pathway breaches into a step (on_breach) yet
EXTRA = {"frister": load_text(test_deadlines.DOC), "steg": load_text(test_steps.DOC)}
PATHWAYS = sorted(CATALOGUE.definitions) + sorted(EXTRA)
MAX_EVENTS = 40

# PATHWAYS_FUZZ_EXAMPLES=500 for a long run; the default keeps the suite quick. Derandomized: CI sees the
# same sequences every run.
SETTINGS = settings(max_examples=int(os.environ.get("PATHWAYS_FUZZ_EXAMPLES", "30")), deadline=None,
                    derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

maybe_true = st.sampled_from([True, True, False, None])  # the facts entry rules ask for, mostly there
levels = st.sampled_from([None, *CEFR_NAMES, "B1", "B2"])


@st.composite
def participants(draw: st.DrawFn, on: date) -> Participant:
    """Someone who might be enrolled on ``on``: mostly of working age and settled in the last few years."""
    born = on - timedelta(days=draw(st.integers(15 * 365, 67 * 365)))
    return Participant(
        birth_date=born,
        settlement_date=draw(st.none() | st.integers(0, 8 * 365).map(lambda d: on - timedelta(days=d))),
        gender=draw(st.sampled_from(["female", "male", "unspecified"])),
        norwegian_oral=draw(levels),
        norwegian_written=draw(levels),
        education_track=draw(st.none() | st.sampled_from(["spor1", "spor2", "spor3"])),
        has_primary_school=draw(maybe_true),
        has_upper_secondary=draw(st.sampled_from([True, False, False, None])),
        legal_regime=draw(st.sampled_from(["integreringsloven", "introduksjonsloven", "integreringsloven_6a"])),
        lives_with_parents=draw(st.booleans()),
        dependants=draw(st.integers(0, 6)),
        registered_with_nav=draw(maybe_true),
    )


junk = st.none() | st.text(max_size=6) | st.integers(-10**6, 10**6) | st.floats() | st.booleans()


def value_for(data: st.DataObject, kind: str, spec: Any, day: date) -> Any:
    """A value for a field of ``kind``: mostly one it accepts, now and then anything at all."""
    if data.draw(st.integers(0, 19)) == 0:
        return data.draw(junk)
    if kind == "date":
        near = data.draw(st.dates(max(EARLIEST_DATE, day - timedelta(days=1100)),
                                  min(LATEST_DATE, day + timedelta(days=1100))))
        return near if data.draw(st.booleans()) else near.isoformat()
    if kind == "number":
        low = spec.min if spec.min is not None else -50
        high = spec.max if spec.max is not None else max(low, 0) + 10_000
        return data.draw(st.integers(int(low), int(min(high, low + 12)))  # small counts: years, attempts
                         | st.integers(int(low), int(high)) | st.floats(low, high, allow_nan=False))
    if kind == "enum":
        return data.draw(st.sampled_from(spec.values or ("x",)))
    if kind == "cefr":
        return data.draw(st.sampled_from(CEFR_NAMES).map(lambda v: v if data.draw(st.booleans()) else v.lower()))
    if kind == "boolean":
        return data.draw(st.sampled_from([True, False, "ja", "nei"]))
    return data.draw(st.text(max_size=30))


def ends(c: Compiled, event: AllowedEvent) -> bool:
    """Whether every transition ``event`` may take from its steps ends the case."""
    targets = [t.to for sid in event.steps for t in c.steps[sid].on if t.event == event.event]
    targets += [c.steps[sid].next for sid in event.steps if event.event == "fullfort"]
    return all(to is not None and c.steps[to].kind == StepKind.outcome for to in targets)


def draw_event(data: st.DataObject, case: Drive, day: date) -> tuple[str, str | None, dict[str, Any]]:
    """An event to record: mostly one allowed now, sometimes a breach or another event of the pathway."""
    definition, state = case.definition, case.state
    ending = ("avbrudd", "overforing")  # always allowed: drawn now and then only, or walks end early
    allowed = [a for a in machine.allowed_events(definition, state) if a.event not in ending]
    c = compiled(definition)
    breaches = [f"frist_brudd:{d.id}" for d in definition.pathway.deadlines if d.on_breach]
    others = [*definition.pathway.events, *breaches, *ending, "fullfort", "modul_startet", "modul_fullfort", "ukjent"]
    choice = data.draw(st.integers(0, 19))
    step = None
    in_steps = [a for a in allowed if a.steps] or allowed  # mostly what moves the case along,
    onwards = [a for a in in_steps if not ends(c, a)] or in_steps  # and most often not out of it
    if allowed and choice < 17:
        event = data.draw(st.sampled_from(onwards if choice < 11 else in_steps if choice < 14 else allowed))
        name = event.event
        if event.steps and data.draw(st.booleans()):
            step = data.draw(st.sampled_from(event.steps))
    elif breaches and choice < 19:
        name = data.draw(st.sampled_from(breaches))
    else:
        name = data.draw(st.sampled_from(others))
        if data.draw(st.integers(0, 3)) == 0:
            step = data.draw(st.sampled_from(sorted(c.steps)))
    values: dict[str, Any] = {}
    for field, spec, required in event_fields(c, name, state):
        # optional values half the time; now and then a required one is left out
        if (required or data.draw(st.booleans())) and data.draw(st.integers(0, 29)) > 0:
            values[field] = value_for(data, spec.type.value, spec, day)
    if data.draw(st.integers(0, 29)) == 0:
        values["ukjent_felt"] = 1
    return name, step, values


def check_consistent(case: Drive, day: date) -> None:
    """What must hold of any state the engine gives: it round-trips through JSON (the store keeps it so),
    an ended case is in no step, a running one is in some step, and a step inside a region only with its
    parallel step; its deadlines and allowed events can be computed."""
    state, c = case.state, compiled(case.definition)
    assert CaseState.model_validate_json(state.model_dump_json()) == state
    active = [*state.steps, *state.compounds]
    assert len(active) == len(set(active)), active
    assert all(s in c.steps for s in active), active
    if state.ended:
        assert not active and state.outcome in c.steps and state.ended_on == day
    else:
        assert active, "a running case is in at least one step"
        assert state.outcome is None and state.ended_on is None
    for sid in active:
        parent = c.parent.get(sid)
        assert parent is None or parent in state.compounds, (sid, parent)
    for as_of in (day, min(day + timedelta(days=400), LATEST_DATE)):  # now, and when much has fallen due
        case_deadlines(case.definition, state, case.participant, as_of)
    machine.allowed_events(case.definition, state)


@pytest.mark.parametrize("pathway_id", PATHWAYS)
@SETTINGS
@given(data=st.data())
def test_random_event_sequences_raise_only_engine_errors_and_replay_to_the_same_state(pathway_id, data):
    definition = EXTRA.get(pathway_id) or CATALOGUE.get(pathway_id)
    on = data.draw(st.dates(date(2023, 1, 1), date(2026, 12, 31)), label="start")
    for _ in range(20):  # someone eligible (the refusals are an engine error too)
        try:
            case = Drive.start(definition, on, data.draw(participants(on), label="participant"))
            break
        except EngineError:
            continue
    else:
        return
    for _ in range(MAX_EVENTS):
        last = case.state.last_event_on
        day = last + timedelta(days=data.draw(st.integers(-2, 90) | st.integers(90, 800)))
        today = day + timedelta(days=data.draw(st.integers(-1, 60)))
        name, step, values = draw_event(data, case, day)
        given_state, before, accepted = case.state, case.state.model_copy(deep=True), len(case.log)
        offered = machine.allowed_names(definition, given_state)
        try:
            case.record(name, day, step=step, today=today, **values)
        except InputError as exc:  # bad input names its field (or the event itself: None)
            assert exc.field is None or (isinstance(exc.field, str) and exc.field), exc
            assert case.state == before and len(case.log) == accepted
            continue
        except EngineError:  # refused: nothing changed
            assert case.state == before and len(case.log) == accepted
            continue
        assert given_state == before, "apply changed the state it was given"
        if not name.startswith("frist_brudd:"):  # what was taken was offered (the nightly check records breaches)
            assert name in offered, (name, offered)
            assert step is None or not offered[name] or step in offered[name], (name, step, offered)
        check_consistent(case, day)
        if case.state.ended:
            break
    # --hypothesis-show-statistics shows how far the walks get
    event(f"{case.state.status}, {min(len(case.log) // 10 * 10, 30)}+ events accepted")
    assert case.replay() == case.results
