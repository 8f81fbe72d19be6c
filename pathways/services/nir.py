"""The NIR overview: for each participant on a reported pathway in a kommune and year, each field the kommune
registers in the national introduction register (vedtak, sluttmål, integreringskontrakt, tiltak, fravær,
avslutningsårsak), its value as the case has it, and what is missing. Which events and values fill a field,
when it is due and the back-registration window come from the NIR configuration (:mod:`pathways.checks.nir`);
the nightly check ``nir_mangler`` flags what is missing longer than that window.

A field is *missing* when it is due (its anchor, the case's start or end, plus its days, has passed) and the
case has no event for it; *overdue* when it has been missing longer than the back-registration window;
*not due* before that; *not applicable* for a legal regime it is not registered for (sluttmål and
integreringskontrakt under introduksjonsloven). Fravær has no due date: what was recorded, or nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pathways.checks.nir import NirConfig, NirField, nir_config
from pathways.services import access
from pathways.services.context import Context, NotFound, ServiceError, definition_of
from pathways.services.publishing import latest_version
from pathways.services.units import kommune_named
from pathways.store.queries import nir as nir_rows
from pathways.store.tables import Enrolment
from pathways.words import choice_no, date_no, number_no

MONTHS = ("jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des")
STATES = {"ok": "registrert", "missing": "mangler", "overdue": "mangler, over fristen for etterregistrering",
          "not_due": "ikke ennå", "not_applicable": "ikke aktuelt", "none": "ingen registrert"}
MISSING = ("missing", "overdue")
YEARS = (2000, 2100)


@dataclass(frozen=True)
class NirCell:
    text: str  # the value as NIR gets it, in bokmål ("" when there is none)
    state: str  # a key of STATES


@dataclass(frozen=True)
class NirRow:
    case_id: int
    participant_id: int
    name: str
    birth_date: date
    pathway: str
    legal_regime: str
    start: date
    ended_on: date | None
    status: str
    cells: dict[str, NirCell] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [key for key, cell in self.cells.items() if cell.state in MISSING]

    @property
    def overdue(self) -> list[str]:
        return [key for key, cell in self.cells.items() if cell.state == "overdue"]


@dataclass(frozen=True)
class NirReport:
    kommune: str
    year: int
    as_of: date
    fields: list[tuple[str, str]]  # (key, title) in the configuration's order
    rows: list[NirRow]

    def headers(self) -> list[str]:
        return ["Sak", "Deltaker", "Født", "Løp", "Regelverk", "Start", "Slutt",
                *[title for _key, title in self.fields], "Mangler"]

    def table(self) -> Iterable[list[Any]]:
        """One row per case, as the CSV and xlsx downloads have it (a missing field says so in its cell)."""
        titles = dict(self.fields)
        for row in self.rows:
            yield [row.case_id, row.name, date_no(row.birth_date), row.pathway, choice_no(row.legal_regime),
                   date_no(row.start), date_no(row.ended_on) if row.ended_on else "",
                   *[_cell_text(row.cells[key]) for key, _title in self.fields],
                   ", ".join(titles[k] for k in row.missing)]

    def as_json(self) -> dict[str, Any]:
        return {"kommune": self.kommune, "year": self.year, "as_of": self.as_of.isoformat(),
                "fields": [{"key": k, "title": t} for k, t in self.fields],
                "participants": [{
                    "case": r.case_id, "participant": r.participant_id, "name": r.name,
                    "born": r.birth_date.isoformat(), "pathway": r.pathway, "legal_regime": r.legal_regime,
                    "start": r.start.isoformat(), "ended_on": r.ended_on.isoformat() if r.ended_on else None,
                    "fields": {k: {"value": c.text or None, "state": c.state} for k, c in r.cells.items()},
                    "missing": r.missing} for r in self.rows]}

    @property
    def missing_count(self) -> int:
        return sum(1 for r in self.rows if r.missing)


def _cell_text(cell: NirCell) -> str:
    if cell.state in ("ok", "none") and cell.text:
        return cell.text
    return f"{STATES[cell.state]}" if not cell.text else f"{cell.text} ({STATES[cell.state]})"


def report(ctx: Context, year: int, kommune: str | None = None, config: NirConfig | None = None) -> NirReport:
    """The NIR overview of ``year`` for the actor's kommune (a leder: all its cases; a veileder: their own),
    or for ``kommune`` when the system asks (the command line)."""
    if not YEARS[0] <= year <= YEARS[1]:
        raise ServiceError("nir_year", "year", year=year, low=YEARS[0], high=YEARS[1])
    config = config or nir_config()
    first, last = date(year, 1, 1), date(year, 12, 31)
    as_of = min(ctx.today(), last)
    pathways = list(config.pathways)
    with ctx.transaction() as session:
        if ctx.actor.is_system:
            if not kommune:
                raise ServiceError("nir_kommune_needed", "kommune")
            place = kommune_named(session, ctx.actor, kommune)
            kommune_name = place.name
            conditions: list[Any] = [Enrolment.kommune_id == place.id]
        else:
            actor = access.reading(ctx.actor)
            kommune_name = actor.kommune or ""
            conditions = [Enrolment.kommune_id == actor.kommune_id, *access.cases(actor)]
        conn = session.connection()
        found = nir_rows.cases(conn, pathways, first, last, conditions)
        events: dict[int, list[Any]] = defaultdict(list)
        for case_id, name, on, values in nir_rows.events(conn, pathways, first, last, conditions,
                                                           sorted(config.event_names()), as_of):
            events[case_id].append((name, on, values))
        absent: dict[int, list[Any]] = defaultdict(list)
        if any(f.absence for p in config.pathways.values() for f in p.fields.values()):
            for case_id, month, approved, hours in nir_rows.absences(conn, pathways, first, last, conditions):
                absent[case_id].append((month, approved, hours))
        titles = {p: _titles(session, p) for p in pathways}
    keys = list(dict.fromkeys(k for p in config.pathways.values() for k in p.fields))
    field_titles = {k: f.title for p in config.pathways.values() for k, f in p.fields.items()}
    rows = []
    for case_id, pid, name, born, regime, pathway, start, ended_on, status in found:
        spec = config.pathways[pathway].fields
        row = NirRow(case_id, pid, name, born, pathway, regime, start, ended_on, status)
        for key in keys:
            row.cells[key] = _cell(spec.get(key), regime, start, ended_on, events.get(case_id, []),
                                   absent.get(case_id, []), titles[pathway], as_of, config.back_registration_days)
        rows.append(row)
    return NirReport(kommune_name, year, as_of, [(k, field_titles[k]) for k in keys], rows)


def _titles(session: Any, pathway: str) -> dict[str, str]:
    """The event titles of a pathway's newest published version."""
    try:
        definition = definition_of(session, latest_version(session, pathway).id or 0)
    except NotFound:
        return {}
    return {name: event.title for name, event in definition.pathway.events.items()}


def _cell(spec: NirField | None, regime: str, start: date, ended_on: date | None, events: list[Any],
          absent: list[Any], titles: Mapping[str, str], as_of: date, window: int) -> NirCell:
    if spec is None or regime in spec.not_for:
        return NirCell("", "not_applicable")
    found = [(name, on, values) for name, on, values in events if name in spec.events]
    parts = [_event_text(spec, name, on, values, titles) for name, on, values in (found if spec.all else found[-1:])]
    if spec.absence and absent:
        parts = [_absence_text(absent), *parts]
    text = "; ".join(p for p in parts if p)
    if text:
        return NirCell(text, "ok")
    if spec.due is None:
        return NirCell("", "none")
    anchor = start if spec.due.after == "start" else ended_on
    if anchor is None or anchor > as_of:
        return NirCell("", "not_due")
    due = anchor + timedelta(days=spec.due.days)
    if due > as_of:
        return NirCell("", "not_due")
    return NirCell("", "overdue" if (as_of - due).days > window else "missing")


def _event_text(spec: NirField, name: str, on: date, values: str, titles: Mapping[str, str]) -> str:
    title = titles.get(name) or choice_no(name)
    if spec.value:
        value = json.loads(values or "{}").get(spec.value)
        if value is None:
            return f"{title} ({date_no(on)})"
        return f"{_value_text(value)}{' ' + spec.unit if spec.unit else ''} ({date_no(on)})"
    return f"{title} ({date_no(on)})"


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, int | float | Decimal):
        return number_no(value)
    if isinstance(value, str):
        try:
            return date_no(date.fromisoformat(value))
        except ValueError:
            return choice_no(value)
    return str(value)


def _absence_text(absent: list[Any]) -> str:
    by_month: dict[date, dict[bool, int]] = defaultdict(dict)
    for month, approved, hours in absent:
        by_month[month][bool(approved)] = hours
    parts = []
    for month, kinds in sorted(by_month.items()):
        words = [f"{number_no(Decimal(kinds[k]) / 100)} t {label}"
                 for k, label in ((False, "ikke godkjent"), (True, "godkjent")) if k in kinds]
        parts.append(f"{MONTHS[month.month - 1]} {month.year}: {', '.join(words)}")
    return "; ".join(parts)
