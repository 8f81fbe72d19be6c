"""A case driven through the pure engine: ``machine.start`` and ``machine.apply`` with no store or clock.

``Drive`` keeps the events the engine accepted, each as the store would keep it (the validated values
as JSON, the participant facts it was recorded with), so a test can replay them from the start and
compare, as :func:`pathways.services.cases.rebuild` does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pathways.definition.loader import Definition
from pathways.engine import machine
from pathways.engine.deadlines import DueItem, case_deadlines
from pathways.engine.machine import EventInput, Result
from pathways.engine.state import CaseState, Participant

ADULT = Participant(birth_date=date(1990, 5, 17), settlement_date=date(2024, 9, 2))


@dataclass
class Drive:
    definition: Definition
    participant: Participant
    state: CaseState
    started_on: date
    started_as: Participant
    log: list[tuple[EventInput, Participant]] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    @classmethod
    def start(cls, definition: Definition, on: date, participant: Participant = ADULT) -> Drive:
        state = machine.start(definition, participant, on).state
        return cls(definition, participant, state, on, participant)

    def record(self, event: str, on: date, step: str | None = None, today: date | None = None,
               **values: Any) -> Result:
        """Apply ``event`` dated ``on`` (``today`` defaults to that day); keep it only if it is accepted."""
        result = machine.apply(self.definition, self.state, self.participant, EventInput(event, on, values, step),
                               today or on)
        stored = json.loads(json.dumps(result.values))  # as the store keeps them: JSON
        self.log.append((EventInput(event, on, stored, step), self.participant))
        self.results.append(result)
        self.state = result.state
        if result.participant_updates:  # a recorded test result becomes the participant's (as the service does)
            self.participant = Participant.model_validate({**self.participant.model_dump(),
                                                           **result.participant_updates})
        return result

    def replay(self) -> list[Result]:
        """Every accepted event applied again from the start, each on its own date."""
        state = machine.start(self.definition, self.started_as, self.started_on).state
        results = []
        for event, participant in self.log:
            results.append(machine.apply(self.definition, state, participant, event, event.on))
            state = results[-1].state
        return results

    @property
    def active(self) -> set[str]:
        return set(self.state.steps) | set(self.state.compounds)

    def allowed(self) -> set[str]:
        return {a.event for a in machine.allowed_events(self.definition, self.state)}

    def deadlines(self, as_of: date) -> dict[str, DueItem]:
        return {d.id: d for d in case_deadlines(self.definition, self.state, self.participant, as_of)}
