"""A participant walked through a pathway with an injected clock, checking the store at every step.

``Walk`` wraps the services the way a case worker uses them: record an event on a date, then look at
the steps, the deadlines and the gaps. After every event it rebuilds the case from its events and
compares with the stored state (the save/restore discipline).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pathways.calendar import FixedClock
from pathways.engine.deadlines import DueItem
from pathways.engine.state import CaseState
from pathways.income.gaps import Gap
from pathways.services import cases, livelihood, participants
from pathways.services.cases import Advanced
from pathways.services.context import Context


@dataclass
class Walk:
    ctx: Context
    clock: FixedClock
    participant: int
    case: int
    history: list[Advanced] = field(default_factory=list)

    @classmethod
    def start(cls, ctx: Context, clock: FixedClock, pathway: str, on: date, *, born: date,
              settled: date | None = None, kommune: str = "Lørenskog", **facts: Any) -> Walk:
        clock.set(on)
        pid = participants.add_participant(ctx, name="Testdeltaker", born=born, settled=settled, kommune=kommune,
                                           fields=facts)
        walk = cls(ctx, clock, pid, cases.enrol(ctx, pid, pathway, on))
        walk.check_rebuild()
        return walk

    def record(self, event: str, on: date, step: str | None = None, **values: Any) -> Advanced:
        """Record ``event`` dated ``on`` (the clock moves there first)."""
        if on > self.clock.today():
            self.clock.set(on)
        result = cases.advance(self.ctx, self.case, event, on, values, step=step)
        self.history.append(result)
        self.check_rebuild()
        return result

    def income(self, source: str, start: date, end: date | None = None, planned: bool = False) -> int:
        return livelihood.add_income(self.ctx, self.participant, source, start, end, planned=planned)

    def check_rebuild(self) -> None:
        assert cases.rebuild(self.ctx, self.case) == cases.stored_state(self.ctx, self.case)

    @property
    def state(self) -> CaseState:
        return cases.stored_state(self.ctx, self.case)

    @property
    def steps(self) -> set[str]:
        state = self.state
        return set(state.steps) | set(state.compounds)

    def deadlines(self, as_of: date | None = None) -> dict[str, DueItem]:
        view = cases.show(self.ctx, self.case, as_of or self.clock.today())
        return {d.id: d for d in view.deadlines}

    def allowed(self) -> set[str]:
        return {a.event for a in cases.show(self.ctx, self.case, self.clock.today()).allowed}

    def gaps(self, as_of: date | None = None, horizon: int = 90) -> list[Gap]:
        return livelihood.participant_gaps(self.ctx, self.participant, as_of or self.clock.today(), horizon)
