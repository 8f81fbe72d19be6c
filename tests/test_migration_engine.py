"""Moving one case between versions, pure (no store): regions, module sets, compound steps, the
mapping's own mistakes, and kept deadlines, on the fixture that uses every construct."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pathways.definition.loader import Definition, load_text
from pathways.engine import machine
from pathways.engine.machine import EventInput
from pathways.engine.migration import CannotMove, MappingError, StepMapping, check_mapping, migrate_state
from pathways.engine.state import CaseState, Participant
from tests.conftest import FIXTURES

TEXT = (FIXTURES / "complete.yaml").read_text(encoding="utf-8")
PERSON = Participant(birth_date=date(1990, 1, 1), settlement_date=date(2024, 1, 1))
DAY = date(2025, 6, 1)


def version(text: str) -> Definition:
    return load_text(text, "komplett.yaml")


V1 = version(TEXT)
# version 2: the theory course renamed (in its region), module 3 dropped
V2 = version(TEXT.replace("version: 1", "version: 2", 1).replace("teorikurs", "fagteorikurs")
             .replace("      - {id: modul3, title: Modul 3, duration: {expected: P5M}, certificate: kompetansebevis, "
                      "required: false}\n", ""))


def walk(*events: tuple[str, date, dict[str, Any]]) -> CaseState:
    state = machine.start(V1, PERSON, date(2025, 1, 6)).state
    for name, on, values in events:
        state = machine.apply(V1, state, PERSON, EventInput(name, on, values), today=on).state
    return state


IN_TRAINING = [("fullfort", date(2025, 2, 3), {}),
               ("vedtak_fattet", date(2025, 2, 10), {"planlagt_slutt": "2026-06-30"})]


def test_a_step_in_a_parallel_region_moves_by_the_regions_mapping():
    state = walk(*IN_TRAINING)
    assert set(state.steps) == {"teorikurs", "arbeidstrening"} and "opplaering" in state.compounds
    mapping = StepMapping.from_data({"regions": {"teori": {"teorikurs": "fagteorikurs"}}})
    check_mapping(V1, V2, mapping)
    moved = migrate_state(V1, V2, state, PERSON, mapping, DAY)
    assert set(moved.state.steps) == {"fagteorikurs", "arbeidstrening"}
    assert moved.state.entered["fagteorikurs"] == state.entered["teorikurs"] and "teorikurs" not in moved.state.entered
    assert moved.state.version == 2 and moved.state.sequence == state.sequence + 1
    with pytest.raises(CannotMove, match="it is in 'teorikurs', which komplett@2 does not have"):
        migrate_state(V1, V2, state, PERSON, StepMapping(), DAY)


def test_a_module_set_that_lost_a_started_module_cannot_move():
    done = [*IN_TRAINING, ("fullfort", date(2025, 3, 3), {})]  # theory done: both regions final, joined
    assert "moduler" in walk(*done).compounds
    started = walk(*done, ("modul_startet", date(2025, 3, 10), {"modul": "modul3"}))
    with pytest.raises(CannotMove, match="has started modul3"):
        migrate_state(V1, V2, started, PERSON, StepMapping(), DAY)
    fine = walk(*done, ("modul_startet", date(2025, 3, 10), {"modul": "modul1"}))
    assert migrate_state(V1, V2, fine, PERSON, StepMapping(), DAY).state.compounds["moduler"].modules == {
        "modul1": "started"}


def test_the_mapping_itself_is_checked():
    with pytest.raises(MappingError, match="mapped to both 'fagteorikurs' and 'annet'"):
        StepMapping.from_data({"steps": {"teorikurs": "fagteorikurs"}, "regions": {"teori": {"teorikurs": "annet"}}})
    with pytest.raises(MappingError, match="expected a list of deadline ids or 'all'"):
        StepMapping.from_data({"recompute": "noen"})
    with pytest.raises(MappingError, match="a case cannot change between simple and compound steps"):
        check_mapping(V1, V2, StepMapping({"teorikurs": "moduler"}))
    with pytest.raises(MappingError, match="recompute names 'finnes_ikke'"):
        check_mapping(V1, V2, StepMapping({}, frozenset({"finnes_ikke"})))
    assert StepMapping.from_data({"recompute": "all"}).recompute is None


def test_an_ended_case_or_one_with_a_later_event_cannot_move():
    ended = walk(*IN_TRAINING, ("avbrudd", date(2025, 3, 1), {}))
    with pytest.raises(CannotMove, match="has ended"):
        migrate_state(V1, V2, ended, PERSON, StepMapping({"teorikurs": "fagteorikurs"}), DAY)
    state = walk(*IN_TRAINING)
    with pytest.raises(CannotMove, match="after the migration date"):
        migrate_state(V1, V2, state, PERSON, StepMapping({"teorikurs": "fagteorikurs"}), date(2025, 2, 1))


def test_a_step_that_keeps_its_id_but_becomes_compound_cannot_take_its_cases():
    shape = version(TEXT.replace("version: 1", "version: 2", 1).replace(
        "  - id: kartlegging\n    kind: activity\n", "  - id: kartlegging\n    kind: modules\n"
        "    modules:\n      - {id: k1, title: Kartleggingsmodul}\n", 1))
    state = walk()
    assert state.steps == ["kartlegging"]
    with pytest.raises(CannotMove, match="cannot change between simple and compound steps"):
        migrate_state(V1, shape, state, PERSON, StepMapping(), DAY)
