"""The pathway definition language: pydantic models for one pathway document.

A document is YAML (see ``docs/language.md`` for a guided tour). These models check its *shape*
(keys, types, enumerations); the *structure* (references, reachability, joins, guards) is checked
by :mod:`pathways.definition.validation` on the parsed model. Every model is frozen: a loaded
definition never changes.

Norwegian words used here (DOMAIN.md has the full list): *steg* step, *hendelse* event,
*frist* deadline, *oppfølging* follow-up, *livsopphold* livelihood, *utfall* outcome.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pathways.definition.periods import Period
from pathways.messages import Text

IDENT = r"^[a-z][a-z0-9_]*$"
Ident = Annotated[str, Field(pattern=IDENT, max_length=64)]
"""Identifiers are lower-case ASCII snake case: stable keys for the store and the URLs."""


class Strict(BaseModel):
    """Base for every model: unknown keys are errors, and nothing is mutable after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class StepKind(StrEnum):
    activity = "activity"  # aktivitet: something the participant does over time
    decision = "decision"  # vedtak/beslutning: staff choose between branches
    milestone = "milestone"  # a point in time (exam passed, contract signed)
    outcome = "outcome"  # utfall: where a case ends
    parallel = "parallel"  # regions that run side by side and join
    modules = "modules"  # an unordered set of modules with a join


class Outcome(StrEnum):
    work = "work"  # arbeid
    education = "education"  # utdanning
    nav_measure = "nav_measure"  # NAV-tiltak
    social_assistance = "social_assistance"  # sosialhjelp
    discontinued = "discontinued"  # avbrutt
    transferred = "transferred"  # overført til et annet løp


class Livelihood(StrEnum):
    """The income registry of DOMAIN.md. ``ingen`` states that no livelihood is expected."""

    introduksjonsstonad = "introduksjonsstonad"
    tiltakspenger = "tiltakspenger"
    kvalifiseringsstonad = "kvalifiseringsstonad"
    lonn = "lonn"
    lonnstilskudd = "lonnstilskudd"
    laerlinglonn = "laerlinglonn"
    aap = "aap"
    dagpenger = "dagpenger"
    jobbsjansen_stonad = "jobbsjansen_stonad"
    sykepenger = "sykepenger"  # during sick leave (permisjon), when the participant has earned it
    foreldrepenger = "foreldrepenger"  # during parental leave, when earned
    sosialhjelp = "sosialhjelp"
    ingen = "ingen"


class FieldType(StrEnum):
    date = "date"
    number = "number"
    enum = "enum"
    text = "text"
    cefr = "cefr"
    boolean = "boolean"


class DeadlineKind(StrEnum):
    reminder = "reminder"  # påminnelse: flags, never changes state
    breach = "breach"  # brudd: flags as overdue, may force a transition


class DayCount(StrEnum):
    calendar = "calendar"
    working = "working"  # Norwegian working days: no weekends, no public holidays


class Source(Strict):
    """Where a rule comes from: a seed document with line numbers, a law, a web page."""

    seed: str | None = None
    lines: str | None = Field(default=None, pattern=r"^\d+(-\d+)?(,\s*\d+(-\d+)?)*$")
    law: str | None = None
    url: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _has_reference(self) -> Source:
        if not (self.seed or self.law or self.url):
            raise ValueError(Text("source_needs_ref"))
        return self


class Variant(Strict):
    """Whose version of the pathway this is: national, one county's, one kommune's."""

    scope: Literal["national", "county", "kommune"] = "national"
    county: str | None = None
    kommune: str | None = None


class Parameter(Strict):
    """A value the sources leave open (for example a county's minimum practice); set per variant."""

    type: Literal["number", "duration", "cefr", "text", "boolean"]
    default: Any
    title: str
    unit: str | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _default_matches_type(self) -> Parameter:
        value = self.default
        ok = {
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "duration": isinstance(value, str) and Period.is_valid(value),
            "cefr": isinstance(value, str) and value in CEFR_LEVELS,
            "text": isinstance(value, str),
            "boolean": isinstance(value, bool),
        }[self.type]
        if not ok:
            raise ValueError(Text("bad_default", value=repr(value), type=self.type))
        return self


CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")


class InputField(Strict):
    """A typed value staff enter when they record an event (exam date, result, hours)."""

    type: FieldType
    title: str
    values: tuple[Ident, ...] | None = None  # for enum
    min: float | None = None  # for number
    max: float | None = None
    unit: str | None = None
    max_length: int | None = Field(default=None, gt=0, le=10_000)  # for text
    help: str | None = None
    updates: Literal["norwegian_oral", "norwegian_written", "education_track", "has_primary_school",
                     "has_upper_secondary", "registered_with_nav", "dependants", "lives_with_parents"] | None = None
    """A participant fact this field updates when recorded (a Norwegian test result follows the
    participant into the next pathway)."""

    @model_validator(mode="after")
    def _type_options(self) -> InputField:
        if self.type == FieldType.enum and not self.values:
            raise ValueError(Text("enum_needs_values"))
        if self.type != FieldType.enum and self.values is not None:
            raise ValueError(Text("values_only_enum"))
        if self.type != FieldType.number and (self.min is not None or self.max is not None):
            raise ValueError(Text("min_max_only_number"))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(Text("min_above_max", min=self.min, max=self.max))
        return self


class Counter(Strict):
    """A number that accumulates from events (practice hours, exam attempts).

    ``rule: practice_hours`` applies the praksiskandidat credit rules to an event that records a
    practice period (``period``: the from and to date fields) and its ``percentage`` of a full
    position, counted in calendar months: a whole month at or above ``full_time_percentage`` is one
    month, below it counts in proportion, a month covered in part by its days; no calendar year gives
    more than ``max_months_per_year`` months; a full year is ``hours_per_year`` hours. A period that
    ends after the event's date is refused. Prior documented practice is recorded the same way.
    """

    title: str
    unit: str | None = None
    initial: float = 0
    rule: Literal["sum", "practice_hours"] = "sum"
    period: tuple[Ident, Ident] | None = None
    percentage: Ident | None = None
    full_time_percentage: float = Field(default=80, gt=0, le=100)
    max_months_per_year: float = Field(default=12, gt=0, le=12)
    hours_per_year: float = Field(default=1740, gt=0)

    @model_validator(mode="after")
    def _practice_fields(self) -> Counter:
        if self.rule == "practice_hours" and (self.period is None or self.percentage is None):
            raise ValueError(Text("practice_counter_needs"))
        if self.rule != "practice_hours" and (self.period or self.percentage):
            raise ValueError(Text("period_only_practice"))
        return self


class Effect(Strict):
    """What an event does to counters besides moving: ``add`` an expression's value to a counter."""

    counter: Ident
    add: str | float | None = None
    set: str | float | None = None

    @model_validator(mode="after")
    def _one_action(self) -> Effect:
        if (self.add is None) == (self.set is None):
            raise ValueError(Text("effect_add_or_set"))
        return self


class Handoff(Strict):
    """Start the participant on another pathway (a new enrolment).

    ``mode: transfer`` ends this case (it moves to the transition's target, normally an outcome
    of kind transferred); ``mode: parallel`` keeps this case running beside the new one.
    """

    pathway: Ident
    mode: Literal["transfer", "parallel"] = "transfer"


class ChecklistItem(Strict):
    """One thing that must pass when a participant is handed over from a step to another unit (an item of
    the hand-off's checklist): a kartleggingsresultat, the integreringsplan, the status in Norwegian, the
    income plan. Consent (``samtykke``) is added as a required item by itself when the receiving unit is
    outside the kommune's refugee service (:mod:`pathways.services.handoffs`)."""

    key: Ident
    label: str = Field(min_length=1, max_length=200)  # in bokmål: what the receiver gets
    required: bool = True  # must be ticked before the hand-off is sent


class Event(Strict):
    """Something staff record (a hendelse): its title, the fields it asks for."""

    title: str
    title_en: str | None = None
    fields: tuple[Ident, ...] = ()
    optional_fields: tuple[Ident, ...] = ()
    role: Ident | None = None  # who may record it; default: the step's owner and leaders


class Transition(Strict):
    """An event that may happen in a step: where it leads and under which condition.

    Several transitions of one step may share an event: the first whose guard holds wins (that is
    how a decision branches). Without ``to`` the event is recorded but the step stays (follow-ups,
    logged hours). A ``to`` that names the same step is a loop (a retake).
    """

    event: Ident
    to: Ident | None = None
    guard: str | None = None
    guard_message: str | None = None
    effects: tuple[Effect, ...] = ()
    handoff: Handoff | None = None


class Duration(Strict):
    """How long a step normally takes (``expected``), at the least and at the most."""

    min: Period | None = None
    expected: Period
    max: Period | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Duration:
        lo, mid, hi = self.min, self.expected, self.max
        if lo is not None and lo.approx_days > mid.approx_days:
            raise ValueError(Text("duration_min_above_expected", min=lo, expected=mid))
        if hi is not None and mid.approx_days > hi.approx_days:
            raise ValueError(Text("duration_expected_above_max", expected=mid, max=hi))
        return self


class Module(Strict):
    """One module of a module set; completing it gives a certificate (kompetansebevis)."""

    id: Ident
    title: str
    title_en: str | None = None
    duration: Duration | None = None
    certificate: str | None = None
    required: bool = True


class Join(Strict):
    """When a module set is done: every required module, or at least a number of modules."""

    at_least: int | None = Field(default=None, ge=1)
    modules: tuple[Ident, ...] = ()  # specific modules that must be among the completed ones


class Step(Strict):
    """A step (steg) of the pathway. Compound kinds hold ``regions`` or ``modules``.

    On a compound step, ``next`` is taken when the join completes; its ``on`` transitions may happen
    at any time while the regions or modules are running, and leave them all (the participant
    left the course for a job, the employment behind a contract ended).
    """

    id: Ident
    kind: StepKind
    title: str
    title_en: str | None = None
    description: str | None = None
    owner: Ident | None = None
    duration: Duration | None = None
    livelihood: tuple[Livelihood, ...] | None = None
    next: Ident | None = None
    on: tuple[Transition, ...] = ()
    outcome: Outcome | None = None
    final: bool = False  # inside a region: reaching this step completes the region
    regions: tuple[Region, ...] = ()
    modules: tuple[Module, ...] = ()
    join: Join | None = None
    max_concurrent: int | None = Field(default=None, ge=1)
    handoffs: tuple[ChecklistItem, ...] = ()  # what must pass when the participant is handed over from here

    @model_validator(mode="after")
    def _kind_fits(self) -> Step:
        kind = self.kind
        if kind == StepKind.outcome:
            if self.outcome is None:
                raise ValueError(Text("outcome_needs_outcome"))
            if self.next or self.on:
                raise ValueError(Text("outcome_no_next"))
        elif self.outcome is not None:
            raise ValueError(Text("outcome_only_outcome"))
        if kind == StepKind.parallel and len(self.regions) < 2:
            raise ValueError(Text("parallel_two_regions"))
        if kind != StepKind.parallel and self.regions:
            raise ValueError(Text("regions_only_parallel"))
        if kind == StepKind.modules and not self.modules:
            raise ValueError(Text("modules_needs_modules"))
        if kind != StepKind.modules and (self.modules or self.join or self.max_concurrent):
            raise ValueError(Text("modules_only_modules"))
        if kind == StepKind.outcome and self.handoffs:
            raise ValueError(Text("handoffs_not_outcome"))
        return self


class Region(Strict):
    """A line of work inside a parallel step; it completes when it reaches a ``final`` step."""

    id: Ident
    title: str
    start: Ident
    steps: tuple[Step, ...] = Field(min_length=1)


Step.model_rebuild()


class Deadline(Strict):
    """A frist: ``anchor`` + ``offset``, counted in calendar or Norwegian working days.

    Anchors: ``start`` (pathway start), ``step:ID`` (entry into a step), ``participant:FIELD``
    (settlement or birth date), ``field:FIELD`` (a date recorded on an event), ``deadline:ID``
    (another deadline). The deadline is open while the case is in one of ``while_in`` (default:
    whenever the anchor exists), met when ``met_by`` is recorded, and may force ``on_breach``.
    ``offset`` may name a duration parameter, with an optional leading minus.
    """

    id: Ident
    title: str
    anchor: str
    offset: str = "P0D"
    days: DayCount = DayCount.calendar
    kind: DeadlineKind = DeadlineKind.breach
    while_in: tuple[Ident, ...] = ()
    met_by: tuple[Ident, ...] = ()
    on_breach: Ident | None = None
    shifts_with_pause: bool = True
    legal_basis: str | None = None
    source: str | None = None

    @field_validator("anchor")
    @classmethod
    def _anchor_form(cls, value: str) -> str:
        if value == "start" or re.fullmatch(r"(step|participant|field|deadline):[a-z][a-z0-9_]*", value):
            return value
        raise ValueError(Text("bad_anchor"))


class FollowUp(Strict):
    """A recurring follow-up (oppfølging) while the case is in given steps: every ``every`` (an ISO 8601
    duration or the name of a duration parameter)."""

    id: Ident
    title: str
    every: str
    while_in: tuple[Ident, ...] = Field(min_length=1)
    done_by: tuple[Ident, ...] = Field(min_length=1)
    kind: DeadlineKind = DeadlineKind.reminder
    owner: Ident | None = None
    source: str | None = None


class Eligibility(Strict):
    """A condition the participant must meet to be enrolled, with the reason shown when not."""

    rule: str
    message: str


class Pause(Strict):
    """Permisjon: which reasons allow a pause, for how long, and which deadlines it shifts."""

    reasons: tuple[Ident, ...] = Field(min_length=1)
    max: Period | None = None
    livelihood: tuple[Livelihood, ...] = ()


class Lifecycle(Strict):
    """Case-wide events, possible from any step that is not an outcome.

    ``discontinue`` (avbrudd) and ``transfer`` name the outcome step the case moves to;
    ``temporary_stop`` allows midlertidig stans (the case stays, benefits stop).
    """

    pause: Pause | None = None
    temporary_stop: bool = False
    discontinue: Ident | None = None
    transfer: Ident | None = None


class Target(Strict):
    """A result the pathway is measured against (e.g. 70 % in work or education after a year)."""

    title: str
    outcomes: tuple[Outcome, ...] = Field(min_length=1)
    share: float = Field(gt=0, le=1)
    within: Period | None = None
    source: str | None = None


class Role(Strict):
    title: str


class Pathway(Strict):
    """A whole pathway document (kvalifiseringsløp)."""

    id: Ident
    version: int = Field(ge=1)
    title: str
    title_en: str | None = None
    description: str | None = None
    variant: Variant = Variant()
    legal_basis: tuple[str, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    roles: dict[Ident, Role] = {}
    parameters: dict[Ident, Parameter] = {}
    fields: dict[Ident, InputField] = {}
    counters: dict[Ident, Counter] = {}
    events: dict[Ident, Event] = {}
    eligibility: tuple[Eligibility, ...] = ()
    livelihood: tuple[Livelihood, ...] = ()
    lifecycle: Lifecycle = Lifecycle()
    start: Ident
    steps: tuple[Step, ...] = Field(min_length=1)
    deadlines: tuple[Deadline, ...] = ()
    followups: tuple[FollowUp, ...] = ()
    targets: tuple[Target, ...] = ()

    def period(self, text: str, *, negative: bool = True) -> Period | None:
        """The period ``text`` names: an ISO 8601 duration or a duration parameter, with a leading '-'
        when ``negative`` allows it (deadline offsets); None when it names neither."""
        text = text.strip()
        if Period.is_valid(text) and (negative or not text.startswith("-")):
            return Period.parse(text)
        sign, bare = ("-", text[1:]) if negative and text.startswith("-") else ("", text)
        parameter = self.parameters.get(bare)
        if parameter is None or parameter.type != "duration":
            return None
        period = Period.parse(parameter.default)
        return period.negated() if sign else period

    def all_steps(self) -> dict[str, Step]:
        """Every step, nested ones included, by id (ids are unique across the document)."""
        found: dict[str, Step] = {}

        def visit(steps: tuple[Step, ...]) -> None:
            for step in steps:
                found.setdefault(step.id, step)
                for region in step.regions:
                    visit(region.steps)

        visit(self.steps)
        return found
