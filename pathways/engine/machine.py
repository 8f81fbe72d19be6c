"""The transition function: (definition, case state, participant, event) → new state and effects.

Pure: no I/O, no clock. The caller passes the effective date with the event and ``today`` (to refuse
events dated in the future). A refused event raises :class:`Refused` saying which guard failed and
with which values; bad input raises :class:`InputError` naming the field.

Semantics, in the words of ``docs/language.md``:
- an event is looked for in the active steps in the order they were entered (or in ``step`` when
  the caller names one); the first transition whose guard holds is taken;
- a transition without ``to`` records values and effects and stays;
- entering a parallel step enters the start of each region; when every region sits in a ``final``
  step the parallel step is left and its ``next`` entered; its ``on`` transitions leave all regions;
- a module set takes ``modul_startet``/``modul_fullfort`` with the field ``modul``; each completed
  module gives its certificate; the join (every required module, or ``at_least``) enters ``next``;
- ``permisjon`` pauses and ``gjenoppta`` resumes (the paused days shift deadlines);
  ``midlertidig_stans`` stops temporarily; ``avbrudd`` and ``overforing`` move to the outcomes named in
  ``lifecycle``; a hand-off asks for a new enrolment (an effect);
- ``frist_brudd:ID`` (recorded by the nightly check) performs the ``on_breach`` of deadline ID once it is
  breached: the case leaves every active step and enters that step, once per round of the deadline's anchor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pathways.bounds import date_problem
from pathways.definition.loader import Definition
from pathways.definition.periods import Period
from pathways.definition.schema import (
    Deadline,
    FieldType,
    InputField,
    Outcome,
    Pathway,
    Step,
    StepKind,
    Transition,
)
from pathways.definition.validation import BREACH_PREFIX
from pathways.definition.vocabulary import BUILTIN_EVENTS, HANDOFF_EVENTS, vocabulary
from pathways.engine.deadlines import case_deadlines
from pathways.engine.inputs import EngineError, EventValues, FieldSpecs, InputError, input_model
from pathways.engine.practice import HOUR_DIGITS, PracticeError, credit_practice
from pathways.engine.state import CaseState, CompoundState, Participant, Pause, Status
from pathways.explain import explain, labels_of
from pathways.guards import NUMBER, Guard, GuardError, GuardUnknown
from pathways.messages import Text, text_of

LIFECYCLE_EVENTS = ("permisjon", "gjenoppta", "midlertidig_stans", "avbrudd", "overforing")
MODULE_EVENTS = ("modul_startet", "modul_fullfort")
_STATUS_BY_OUTCOME: dict[Outcome, Status] = {Outcome.discontinued: "discontinued", Outcome.transferred: "transferred"}


@dataclass(frozen=True)
class GuardReport:
    """Why one transition was not taken: its guard, the values it read, and what it gave."""

    step: str
    to: str | None
    guard: str
    values: dict[str, Any]
    result: str  # "false" or "unknown: 'x' has no value yet"
    message: str | None = None
    explanation: tuple[str, ...] = ()  # in bokmål, which condition failed and what would meet it


class Refused(EngineError):
    """The event is known but not allowed now; ``reports`` explains each guard that failed."""

    def __init__(self, message: str, reports: Iterable[GuardReport] = ()):
        self.reports = list(reports)
        self.text = message  # without the guards' details, which the dashboard shows from ``reports``
        self.summary = message
        details = "; ".join(
            f"{r.message or r.guard} ({r.result}; " + ", ".join(f"{k}={v!r}" for k, v in sorted(r.values.items()))
            + ")" for r in self.reports)
        super().__init__(message + (f": {details}" if details else ""))


@dataclass(frozen=True)
class Effect:
    """Something the caller must do after the state change: ``enrol`` (a hand-off) or ``certificate``."""

    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    title: str
    type: str
    required: bool
    values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    help: str | None = None


@dataclass(frozen=True)
class AllowedEvent:
    """An event that may be recorded now, with the fields it asks for and the steps it applies to."""

    event: str
    title: str
    fields: tuple[FieldSpec, ...]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class EventInput:
    event: str
    on: date
    values: Mapping[str, Any] = field(default_factory=dict)
    step: str | None = None  # which active step the event is for, when several could take it


@dataclass(frozen=True)
class Result:
    state: CaseState
    effects: tuple[Effect, ...]
    moved: tuple[tuple[str, str], ...]  # (from, to) moves made, joins included
    values: dict[str, Any]  # the validated, JSON-native input values
    participant_updates: dict[str, Any] = field(default_factory=dict)  # facts the event's fields update


# -- compiled, kept with the definition ----------------------------------------------------------


class Compiled:
    """Guards parsed once per definition, parents of nested steps, the vocabulary, the events' input models.
    Built once per definition, on first use: ``definition.compiled``."""

    def __init__(self, definition: Definition):
        self.definition = definition
        self.pathway: Pathway = definition.pathway
        self.steps: dict[str, Step] = self.pathway.all_steps()
        self.vocabulary = vocabulary(self.pathway)
        self.parent: dict[str, str] = {}  # step inside a region → its parallel step
        for sid, placed in definition.graph.placed.items():
            if placed.parallel:
                self.parent[sid] = placed.parallel
        self._guards: dict[str, Guard] = {}
        self._fields: dict[str, list[tuple[str, InputField, bool]]] = {}
        self._events: dict[str, list[str]] = {}
        self._models: dict[tuple[str, FieldSpecs], type[EventValues]] = {}
        self.parameters: dict[str, Any] = {
            name: Period.parse(p.default) if p.type == "duration" else p.default
            for name, p in self.pathway.parameters.items()}
        self.counter_defaults = {name: counter.initial for name, counter in self.pathway.counters.items()}
        self.watched = [(f"followup:{f.id}", f.while_in) for f in self.pathway.followups] + \
            [(f"deadline:{d.id}", d.while_in) for d in self.pathway.deadlines if d.while_in]
        self.eligibility = [(Guard(rule.rule, self.vocabulary), rule.message) for rule in self.pathway.eligibility]

    def guard(self, source: str) -> Guard:
        if source not in self._guards:
            self._guards[source] = Guard(source, self.vocabulary)
        return self._guards[source]

    def number(self, source: str | float) -> Guard | float:
        if isinstance(source, int | float):
            return float(source)
        key = "#number:" + source
        if key not in self._guards:
            self._guards[key] = Guard(source, self.vocabulary, expect=NUMBER)
        return self._guards[key]

    def events_of(self, sid: str) -> list[str]:
        """The events a step takes (its transitions', and the module events of a module set)."""
        found = self._events.get(sid)
        if found is None:
            step = self.steps[sid]
            found = list(dict.fromkeys(t.event for t in _transitions(step)))
            if step.kind == StepKind.modules:
                found += [e for e in MODULE_EVENTS if e not in found]
            self._events[sid] = found
        return found

    def declared_fields(self, event: str) -> list[tuple[str, InputField, bool]]:
        found = self._fields.get(event)
        if found is None:
            declared = self.pathway.events.get(event)
            found = [] if declared is None else \
                [(name, self.pathway.fields[name], True) for name in declared.fields] + \
                [(name, self.pathway.fields[name], False) for name in declared.optional_fields]
            self._fields[event] = found
        return found

    def input_model(self, event: str, fields: FieldSpecs) -> type[EventValues]:
        """The model that checks ``event``'s values (one per set of fields: the module events' depend on the
        module sets open)."""
        found = self._models.get((event, fields))
        if found is None:
            found = self._models[(event, fields)] = input_model(event, self.event_title(event), fields)
        return found

    def event_title(self, event: str) -> str:
        declared = self.pathway.events.get(event)
        deadline = self.breach_deadline(event)
        if deadline is not None:
            return f"Frist brutt: {deadline.title}"
        return declared.title if declared else BUILTIN_EVENTS.get(event, HANDOFF_EVENTS.get(event, event))

    def breach_deadline(self, event: str) -> Deadline | None:
        """The deadline whose ``on_breach`` the event ``frist_brudd:ID`` performs, or None."""
        if not event.startswith(BREACH_PREFIX):
            return None
        name = event.removeprefix(BREACH_PREFIX)
        return next((d for d in self.pathway.deadlines if d.id == name and d.on_breach), None)


def compiled(definition: Definition) -> Compiled:
    return definition.compiled


# -- values --------------------------------------------------------------------------------------


def _builtin_fields(c: Compiled, event: str, state: CaseState) -> dict[str, InputField]:
    if event in MODULE_EVENTS:
        modules = tuple(m.id for sid in state.compounds for m in c.steps[sid].modules)
        return {"modul": InputField(type=FieldType.enum, title="Modul", values=modules or ("ingen",))}
    if event == "permisjon" and c.pathway.lifecycle.pause:
        return {"arsak": InputField(type=FieldType.enum, title="Årsak", values=c.pathway.lifecycle.pause.reasons)}
    return {}


def event_fields(c: Compiled, event: str, state: CaseState) -> list[tuple[str, InputField, bool]]:
    """The fields an event asks for: (name, spec, required)."""
    return [(name, spec, True) for name, spec in _builtin_fields(c, event, state).items()] + c.declared_fields(event)


def _typed(c: Compiled, values: Mapping[str, Any]) -> dict[str, Any]:
    """Recorded JSON-native values → the Python values guards compare (dates)."""
    typed: dict[str, Any] = {}
    for name, value in values.items():
        spec = c.pathway.fields.get(name)
        typed[name] = date.fromisoformat(value) if spec is not None and spec.type == FieldType.date and \
            isinstance(value, str) else value
    return typed


def guard_values(c: Compiled, state: CaseState, participant: Participant, on: date,
                 pending: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every name a guard may read, as of ``on``, with ``pending`` input values on top."""
    values: dict[str, Any] = participant.facts(on)
    current = state.steps[-1] if state.steps else None
    values.update({
        "today": on, "start_date": state.start_date, "days_paused": state.days_paused(on),
        "days_in_step": (on - state.entered[current]).days if current in state.entered else 0,
    })
    values.update(c.parameters)
    values.update(c.counter_defaults)
    values.update(state.counters)
    values.update(_typed(c, state.values))
    values.update(_typed(c, pending or {}))
    return values


# -- what may happen now -------------------------------------------------------------------------


def _transitions(step: Step) -> list[Transition]:
    found = [Transition(event="fullfort", to=step.next)] if step.next and step.kind not in (
        StepKind.parallel, StepKind.modules) else []
    return found + list(step.on)


def allowed_names(definition: Definition, state: CaseState) -> dict[str, list[str]]:
    """The events that may be recorded now, each with the active steps that take it (none: case-wide)."""
    c = compiled(definition)
    found: dict[str, list[str]] = {}
    if state.ended:
        return found
    if state.status == "active":
        for sid in [*state.steps, *state.compounds]:
            for event in c.events_of(sid):
                found.setdefault(event, []).append(sid)
    lifecycle = c.pathway.lifecycle
    if state.status == "active" and lifecycle.pause:
        found["permisjon"] = []
    if state.status == "active" and lifecycle.temporary_stop:
        found["midlertidig_stans"] = []
    if state.status in ("paused", "stopped"):
        found["gjenoppta"] = []
    if lifecycle.discontinue:
        found.setdefault("avbrudd", [])
    if lifecycle.transfer:
        found.setdefault("overforing", [])
    return found


def allowed_events(definition: Definition, state: CaseState) -> list[AllowedEvent]:
    """The events that may be recorded now with their fields (guards are checked when recorded)."""
    c = compiled(definition)
    result = []
    for event, steps in allowed_names(definition, state).items():
        specs = tuple(FieldSpec(name, spec.title, spec.type.value, required, spec.values, spec.min, spec.max,
                                spec.unit, spec.help) for name, spec, required in event_fields(c, event, state))
        result.append(AllowedEvent(event, c.event_title(event), specs, tuple(dict.fromkeys(steps))))
    return result


# -- starting a case -----------------------------------------------------------------------------


def carried_evidence(parent: Definition, state: CaseState, child: Definition) -> dict[str, Any]:
    """What a case handed into another pathway (an ``enrol`` effect) takes along of the evidence recorded on
    it that the new pathway reads: its counters of the same name (practice hours: with the months credited
    per year, so that the yearly cap still holds) and the certificates of modules the new pathway has. Pure;
    stored with the new case's first event, so that it is rebuilt the same."""
    counters = compiled(child).pathway.counters
    modules = {m.id for step in child.pathway.all_steps().values() for m in step.modules}
    found: dict[str, Any] = {}
    kept = {n: v for n, v in state.counters.items() if n in counters and v != counters[n].initial}
    if kept:
        found["counters"] = kept
    months = {n: dict(m) for n, m in state.practice_months.items() if n in kept}
    if months:
        found["practice_months"] = months
    certificates = {m: d.isoformat() for m, d in state.certificates.items() if m in modules}
    if certificates:
        found["certificates"] = certificates
    return found


def start(definition: Definition, participant: Participant, on: date,
          carried: Mapping[str, Any] | None = None) -> Result:
    """A new case on ``definition`` from ``on``: eligibility checked, the start step entered; ``carried``:
    the evidence a case handed over brings (:func:`carried_evidence`)."""
    c = compiled(definition)
    state = CaseState(pathway_id=c.pathway.id, version=c.pathway.version, start_date=on, last_event_on=on)
    values = guard_values(c, state, participant, on)
    reports = []
    for guard, message in c.eligibility:
        result = _check(guard, values)
        if result != "true":
            reports.append(GuardReport("eligibility", None, guard.source, {n: values.get(n) for n in guard.names},
                                       result, message, _explained(c, guard, values)))
    if reports:
        raise Refused(Text("not_eligible"), reports)
    if carried:
        state.counters.update({n: float(v) for n, v in carried.get("counters", {}).items()})
        state.practice_months.update({n: dict(m) for n, m in carried.get("practice_months", {}).items()})
        state.certificates.update({m: date.fromisoformat(d) for m, d in carried.get("certificates", {}).items()})
    run = _Run(c, state, on)
    run.enter(c.pathway.start, "start")
    run.track_stays()
    return Result(run.state, tuple(run.effects), tuple(run.moved), {})


# -- recording an event --------------------------------------------------------------------------


def apply(definition: Definition, state: CaseState, participant: Participant, event: EventInput,
          today: date) -> Result:
    """Record ``event`` on a case: validate its input, choose the transition, move, and report effects."""
    c = compiled(definition)
    name, on = event.event, event.on
    if name in HANDOFF_EVENTS:
        return _handoff_step(state, event, today)
    known = set(c.pathway.events) | set(BUILTIN_EVENTS)
    if name not in known and c.breach_deadline(name) is None:
        from pathways.definition.problems import did_you_mean
        raise InputError(Text("unknown_event", event=name, pathway=c.pathway.id, hint=did_you_mean(name, known)),
                         "event")
    if state.ended:
        raise Refused(Text("case_ended", status=state.status, on=state.ended_on))
    problem = date_problem(on)  # a date the deadlines' arithmetic can leave the calendar from
    if not problem and on > today:
        problem = Text("event_after_today", on=on, today=today)
    if not problem and on < state.last_event_on:
        problem = Text("event_before_last", on=on, last=state.last_event_on)
    try:
        values = _validated(c, state, event)
    except InputError as exc:  # the date's problem and the values' together: a form shows them all at once
        if problem:
            raise InputError(problem, "on", {"on": problem, **exc.errors}) from None
        raise
    if problem:
        raise InputError(problem, "on")
    run = _Run(c, state.copy_for_update(), on)
    run.state.last_event_on = on
    run.state.sequence += 1
    if name in LIFECYCLE_EVENTS:
        run.lifecycle(name, values)
    elif name.startswith(BREACH_PREFIX):
        run.breach(name, state, participant)
    elif name in MODULE_EVENTS and state.status == "active":
        run.module(name, values, participant, event.step)
    else:
        run.transition(name, values, participant, event.step)
    run.state.events.setdefault(name, []).append((on, run.state.sequence))
    # A changed value restarts what counts towards deadlines anchored on it; re-recording it does not.
    run.state.value_set.update({k: run.state.sequence for k, v in values.items() if state.values.get(k) != v})
    run.state.values.update(values)
    run.track_stays()
    updates: dict[str, Any] = {fact: v for n, v in values.items()
                               if n in c.pathway.fields and (fact := c.pathway.fields[n].updates)}
    return Result(run.state, tuple(run.effects), tuple(run.moved), values, updates)


def _handoff_step(state: CaseState, event: EventInput, today: date) -> Result:
    """A step of a hand-off to another unit: recorded in the case's history (its values as the hand-off
    service checked them), on a running or an ended case, moving nothing."""
    problem = date_problem(event.on)
    if not problem and event.on > today:
        problem = Text("event_after_today", on=event.on, today=today)
    if not problem and event.on < state.last_event_on:
        problem = Text("event_before_last", on=event.on, last=state.last_event_on)
    if problem:
        raise InputError(problem, "on")
    new = state.copy_for_update()
    new.last_event_on = event.on
    new.sequence += 1
    new.events.setdefault(event.event, []).append((event.on, new.sequence))
    return Result(new, (), (), dict(event.values))


def _validated(c: Compiled, state: CaseState, event: EventInput) -> dict[str, Any]:
    """The event's values checked by its input model (pathways.engine.inputs)."""
    return c.input_model(event.event, tuple(event_fields(c, event.event, state))).parse(event.values)


def _explained(c: Compiled, guard: Guard, values: Mapping[str, Any]) -> tuple[str, ...]:
    """Why ``guard`` failed, in bokmål (only on a refusal: it is not on the way of an event that is taken)."""
    try:
        return tuple(explain(guard, values, labels_of(c.pathway)))
    except GuardError:
        return ()


def _check(guard: Guard, values: Mapping[str, Any]) -> str:
    try:
        return "true" if guard.evaluate(values) else "false"
    except GuardUnknown as exc:
        return f"unknown: {exc}"
    except GuardError as exc:
        return f"error: {exc.message}"


class _Run:
    """One application of an event: mutates a copy of the state, collects effects and moves."""

    def __init__(self, c: Compiled, state: CaseState, on: date):
        self.c, self.state, self.on = c, state, on
        self.effects: list[Effect] = []
        self.moved: list[tuple[str, str]] = []

    def track_stays(self) -> None:
        """Remember when the case entered the steps of each follow-up and each deadline with
        ``while_in`` from outside them, so moving between those steps keeps the clock, and a new
        round of a loop starts a new one."""
        inside_before = set(self.state.inside)
        inside_now = []
        for key, steps in self.c.watched:
            if not self.state.ended and any(self.state.is_in(s) for s in steps):
                inside_now.append(key)
                if key not in inside_before:
                    self.state.stays[key] = self.on
        self.state.inside = inside_now

    # entering and leaving

    def enter(self, sid: str, source: str) -> None:
        step = self.c.steps[sid]
        self.state.entered[sid] = self.on
        self.moved.append((source, sid))
        if step.kind == StepKind.outcome:
            self._end(step)
        elif step.kind == StepKind.parallel:
            self.state.compounds[sid] = CompoundState()
            for region in step.regions:
                self.enter(region.start, sid)
            self._join_if_done(sid)
        elif step.kind == StepKind.modules:
            self.state.compounds[sid] = CompoundState()
        else:
            self.state.steps.append(sid)
            parent = self.c.parent.get(sid)
            if parent and step.final:
                self._join_if_done(parent)

    def leave(self, sid: str) -> None:
        """Leave a step and, for a compound step, everything inside it."""
        if sid in self.state.compounds:
            for inner in [s for s in self.state.steps if self._inside(s, sid)]:
                self.leave(inner)
            for inner in [s for s in self.state.compounds if s != sid and self._inside(s, sid)]:
                self.leave(inner)
            del self.state.compounds[sid]
        elif sid in self.state.steps:
            self.state.steps.remove(sid)
        self.state.left[sid] = self.on

    def _inside(self, sid: str, ancestor: str) -> bool:
        parent = self.c.parent.get(sid)
        while parent:
            if parent == ancestor:
                return True
            parent = self.c.parent.get(parent)
        return False

    def _join_if_done(self, parallel: str) -> None:
        if parallel not in self.state.compounds:
            return
        step = self.c.steps[parallel]
        for region in step.regions:
            ids = {s.id for s in region.steps}
            here = [s for s in self.state.steps if s in ids] + [s for s in self.state.compounds if s in ids]
            if not here or not all(self.c.steps[s].final for s in here):
                return
        self.leave(parallel)
        if step.next:
            self.enter(step.next, parallel)

    def _end(self, step: Step) -> None:
        for sid in list(self.state.compounds):
            if sid in self.state.compounds:
                self.leave(sid)
        for sid in list(self.state.steps):
            self.leave(sid)
        assert step.outcome is not None
        self.state.status = _STATUS_BY_OUTCOME.get(step.outcome, "completed")
        self.state.outcome = step.id
        self.state.ended_on = self.on
        if self.state.paused_since:
            self.state.pauses[-1].end = self.on

    # the three kinds of events

    def transition(self, name: str, values: dict[str, Any], participant: Participant, only: str | None) -> None:
        if self.state.status != "active":
            raise Refused(Text("case_paused" if self.state.status == "paused" else "case_stopped",
                               event=self.c.event_title(name)))
        candidates = [*self.state.steps, *self.state.compounds]
        if only is not None:
            if only not in candidates:
                raise InputError(Text("not_in_step", step=only), "step")
            candidates = [only]
        scope = guard_values(self.c, self.state, participant, self.on, values)
        reports: list[GuardReport] = []
        for sid in candidates:
            # days in the step whose transitions are read (a module set, or this step's own region)
            scope["days_in_step"] = (self.on - self.state.entered[sid]).days if sid in self.state.entered else 0
            for transition in _transitions(self.c.steps[sid]):
                if transition.event != name:
                    continue
                if transition.guard:
                    guard = self.c.guard(transition.guard)
                    result = _check(guard, scope)
                    if result != "true":
                        reports.append(GuardReport(sid, transition.to, transition.guard,
                                                   {n: _shown(scope.get(n)) for n in sorted(guard.names)}, result,
                                                   transition.guard_message, _explained(self.c, guard, scope)))
                        continue
                self._take(sid, transition, scope)
                return
        title = self.c.event_title(name)
        if reports:
            raise Refused(Text("not_allowed_now", event=title), reports)
        where = [self.c.steps[s].title for s in candidates] or Text("no_step")
        raise Refused(Text("not_in_current_step", event=title, steps=where))

    def _take(self, sid: str, transition: Transition, scope: dict[str, Any]) -> None:
        for effect in transition.effects:
            counter = self.c.pathway.counters[effect.counter]
            current = self.state.counters.get(effect.counter, counter.initial)
            if counter.rule == "practice_hours":
                try:
                    credit = credit_practice(counter, scope, self.state.practice_months.setdefault(effect.counter, {}),
                                             self.on)
                except PracticeError as exc:
                    raise InputError(text_of(exc), exc.field) from None
                self.state.counters[effect.counter] = round(current + credit, HOUR_DIGITS)  # no float noise
                continue
            source = effect.add if effect.add is not None else effect.set
            assert source is not None
            number = self.c.number(source)
            try:
                amount = number if isinstance(number, float) else float(number.value(scope))
            except GuardUnknown as exc:
                raise InputError(Text("needed_to_count", name=exc.name, counter=effect.counter), exc.name) from None
            except GuardError as exc:
                raise Refused(Text("cannot_count", counter=effect.counter, reason=exc.message)) from None
            self.state.counters[effect.counter] = current + amount if effect.add is not None else amount
        if transition.handoff:
            self.effects.append(Effect("enrol", {"pathway": transition.handoff.pathway,
                                                 "mode": transition.handoff.mode, "start": self.on.isoformat(),
                                                 "from_step": sid}))
        if transition.to is None:
            return
        self.leave(sid)
        self.enter(transition.to, sid)

    def module(self, name: str, values: dict[str, Any], participant: Participant, only: str | None) -> None:
        module_id = values["modul"]
        owner = next((sid for sid in self.state.compounds if any(m.id == module_id for m in self.c.steps[sid].modules)),
                     None)
        if owner is None or (only is not None and only != owner):
            raise InputError(Text("module_not_in_set", module=module_id), "modul")
        step, compound = self.c.steps[owner], self.state.compounds[owner]
        status = compound.modules.get(module_id)
        if name == "modul_startet":
            if status is not None:
                raise Refused(Text("module_started" if status == "started" else "module_completed", module=module_id))
            running = sum(1 for s in compound.modules.values() if s == "started")
            if step.max_concurrent and running >= step.max_concurrent:
                raise Refused(Text("too_many_modules", limit=step.max_concurrent, running=running))
            compound.modules[module_id] = "started"
            return
        if status == "completed":
            raise Refused(Text("module_completed", module=module_id))
        compound.modules[module_id] = "completed"
        self.state.certificates[module_id] = self.on
        module = next(m for m in step.modules if m.id == module_id)
        if module.certificate:
            self.effects.append(Effect("certificate", {"module": module_id, "title": module.title,
                                                       "certificate": module.certificate, "on": self.on.isoformat()}))
        done = {m for m, s in compound.modules.items() if s == "completed"}
        join = step.join
        if join and join.at_least:
            complete = len(done) >= join.at_least and set(join.modules) <= done
        else:
            complete = {m.id for m in step.modules if m.required} | set(join.modules if join else ()) <= done
        if complete:
            self.leave(owner)
            if step.next:
                self.enter(step.next, owner)

    def breach(self, name: str, before: CaseState, participant: Participant) -> None:
        """Perform a breached deadline's ``on_breach``: leave every active step and enter that step. Only a
        deadline breached on the event's date, once per round of its anchor, and only on an active case."""
        deadline = self.c.breach_deadline(name)
        assert deadline is not None and deadline.on_breach is not None
        if self.state.status != "active":
            raise Refused(Text("breach_inactive", status=self.state.status))
        item = next((d for d in case_deadlines(self.c.definition, before, participant, self.on)
                     if d.id == deadline.id and not d.recurring), None)
        if item is None or item.status != "breached":
            raise Refused(Text("not_breached", deadline=deadline.title, on=self.on))
        if before.recorded((name,), item.anchor_date):
            raise Refused(Text("breach_handled", deadline=deadline.title))
        if self.state.is_in(deadline.on_breach):
            raise Refused(Text("already_in_step", step=deadline.on_breach))
        source = (self.state.steps or list(self.state.compounds) or ["?"])[-1]
        for sid in list(self.state.compounds):
            if sid in self.state.compounds:
                self.leave(sid)
        for sid in list(self.state.steps):
            self.leave(sid)
        self.enter(deadline.on_breach, source)

    def lifecycle(self, name: str, values: dict[str, Any]) -> None:
        lifecycle, status = self.c.pathway.lifecycle, self.state.status
        if name == "permisjon":
            if lifecycle.pause is None:
                raise Refused(Text("no_pause"))
            if status != "active":
                raise Refused(Text("pause_needs_active", status=status))
            self.state.pauses.append(Pause(start=self.on, reason=values.get("arsak")))
            self.state.status = "paused"
        elif name == "gjenoppta":
            if status == "paused":
                self.state.pauses[-1].end = self.on
            elif status == "stopped":
                self.state.stopped_since = None
            else:
                raise Refused(Text("resume_not_paused"))
            self.state.status = "active"
        elif name == "midlertidig_stans":
            if not lifecycle.temporary_stop:
                raise Refused(Text("no_temporary_stop"))
            if status != "active":
                raise Refused(Text("stop_needs_active", status=status))
            self.state.status = "stopped"
            self.state.stopped_since = self.on
        else:
            target = lifecycle.discontinue if name == "avbrudd" else lifecycle.transfer
            if target is None:
                key = "discontinue" if name == "avbrudd" else "transfer"
                raise Refused(Text("no_lifecycle_target", event=name, key=key))
            source = (self.state.steps or list(self.state.compounds) or ["?"])[-1]
            self.enter(target, source)


def _shown(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
