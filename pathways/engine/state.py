"""The state of one case (enrolment) and the inputs the engine reads.

``CaseState`` is a projection of the case's events: the engine derives it, the store keeps a copy for
fast reads, and :func:`pathways.services.cases.rebuild` rebuilds it from the events at any time.
Field values are kept JSON-native (dates as ISO text) so the state round-trips through the store.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pathways.guards import EARLIEST_DATE, LATEST_DATE
from pathways.messages import Text

Status = Literal["active", "paused", "stopped", "completed", "discontinued", "transferred"]
CefrLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2"]
ACTIVE: tuple[str, ...] = ("active", "paused", "stopped")  # a case still running, on leave or stopped
ENDED: frozenset[str] = frozenset({"completed", "discontinued", "transferred"})


class Participant(BaseModel):
    """What the rules may read about a participant (the guard vocabulary's participant fields).

    Only what the rules in DOMAIN.md need: no name or national id here.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    birth_date: date
    settlement_date: date | None = None
    gender: Literal["female", "male", "unspecified"] = "unspecified"
    norwegian_oral: CefrLevel | None = None
    norwegian_written: CefrLevel | None = None
    education_track: Literal["spor1", "spor2", "spor3"] | None = None
    has_primary_school: bool | None = None
    has_upper_secondary: bool | None = None
    legal_regime: Literal["introduksjonsloven", "integreringsloven", "integreringsloven_6a"] = "integreringsloven"
    lives_with_parents: bool = False
    dependants: int = Field(default=0, ge=0)
    registered_with_nav: bool | None = None

    @field_validator("birth_date", "settlement_date")
    @classmethod
    def _in_the_calendar_of_cases(cls, value: date | None) -> date | None:
        """Dates the rules add durations to stay where that cannot leave the calendar."""
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise ValueError(Text("date_outside_years", value=value, low=EARLIEST_DATE.year, high=LATEST_DATE.year))
        return value

    def age_on(self, day: date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def facts(self, day: date) -> dict[str, Any]:
        values = self.model_dump()
        values["age"] = self.age_on(day)
        return values


class CompoundState(BaseModel):
    """An active parallel step or module set: which modules are started or completed."""

    modules: dict[str, Literal["started", "completed"]] = {}


class Pause(BaseModel):
    start: date
    end: date | None = None
    reason: str | None = None


class CaseState(BaseModel):
    """Where a case is: active steps, values recorded, counters, pauses, and how it ended."""

    pathway_id: str
    version: int
    status: Status = "active"
    start_date: date
    last_event_on: date
    steps: list[str] = []  # active simple steps (inside regions too), in the order they were entered
    compounds: dict[str, CompoundState] = {}  # active parallel steps and module sets
    entered: dict[str, date] = {}  # the latest entry into every step ever entered
    left: dict[str, date] = {}  # the latest exit from every step ever left
    values: dict[str, Any] = {}  # the latest value of every input field recorded (JSON-native)
    counters: dict[str, float] = {}
    practice_months: dict[str, dict[str, float]] = {}  # counter → calendar year → months credited
    events: dict[str, list[tuple[date, int]]] = {}  # each event's (date, sequence) occurrences, in order
    value_set: dict[str, int] = {}  # field → the sequence of the event that last recorded it
    certificates: dict[str, date] = {}  # module → the day its certificate (kompetansebevis) was earned
    stays: dict[str, date] = {}  # follow-up or deadline → when the case last entered its steps from outside
    inside: list[str] = []  # the follow-ups and deadlines whose steps the case is in now
    pauses: list[Pause] = []
    stopped_since: date | None = None
    outcome: str | None = None  # the outcome step the case ended in
    ended_on: date | None = None
    sequence: int = 0  # events applied
    # deadline → [anchor, due] pinned by a migration to a new version ("keep the timer"): the deadline
    # keeps the due date the old version gave it for as long as its anchor stays the same
    kept_due: dict[str, list[str]] = {}

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @property
    def paused_since(self) -> date | None:
        return self.pauses[-1].start if self.pauses and self.pauses[-1].end is None else None

    def days_paused(self, as_of: date) -> int:
        """Days of permisjon so far, an ongoing pause counted up to ``as_of``."""
        return sum(((p.end or as_of) - p.start).days for p in self.pauses if p.start <= as_of)

    def copy_for_update(self) -> CaseState:
        """A copy whose containers can be changed without touching this state (values are immutable
        scalars, so one level of copying is enough; much cheaper than a generic deep copy)."""
        return self.model_copy(update={
            "steps": list(self.steps),
            "compounds": {k: CompoundState(modules=dict(v.modules)) for k, v in self.compounds.items()},
            "entered": dict(self.entered), "left": dict(self.left), "values": dict(self.values),
            "counters": dict(self.counters),
            "practice_months": {k: dict(v) for k, v in self.practice_months.items()},
            "events": {k: list(v) for k, v in self.events.items()}, "stays": dict(self.stays),
            "inside": list(self.inside),
            "value_set": dict(self.value_set), "certificates": dict(self.certificates),
            "pauses": [p.model_copy() for p in self.pauses], "kept_due": dict(self.kept_due),
        })

    def recorded(self, events: tuple[str, ...], since: date, after: int = 0) -> list[date]:
        """The dates on or after ``since`` (and after event number ``after``) when any of ``events`` was
        recorded, earliest first."""
        return sorted(d for e in events for d, seq in self.events.get(e, ()) if d >= since and seq > after)

    def is_in(self, step_id: str) -> bool:
        return step_id in self.steps or step_id in self.compounds
