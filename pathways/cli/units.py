"""A kommune's units (enheter): add and list them."""

from __future__ import annotations

import click

from pathways.cli import _context, _emit, main
from pathways.services.units import KINDS, add_unit, list_units


@main.group()
def units() -> None:
    """A kommune's units: its refugee service, NAV, adult education, schools, employers, other kommuner."""


@units.command("add")
@click.option("--kommune", required=True)
@click.option("--kind", required=True, help=f"One of: {', '.join(KINDS)}.")
@click.option("--name", required=True, help='The unit\'s name, unique in the kommune (e.g. "NAV Asker").')
@click.option("--json", "as_json", is_flag=True)
def units_add(kommune: str, kind: str, name: str, as_json: bool) -> None:
    """Add a unit to a kommune; prints its id."""
    unit_id = add_unit(_context(), kommune=kommune, kind=kind, name=name)
    _emit(as_json, {"id": unit_id}, str(unit_id))


@units.command("list")
@click.option("--kommune", default=None, help="One kommune (else every kommune's units).")
@click.option("--json", "as_json", is_flag=True)
def units_list(kommune: str | None, as_json: bool) -> None:
    """The units (id, kommune, kind, name)."""
    found = list_units(_context(), kommune)
    _emit(as_json, [u.as_json() for u in found],
          "\n".join(f"{u.id}\t{u.kommune}\t{u.kind}\t{u.name}" for u in found) or "no units")
