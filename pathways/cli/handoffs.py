"""Hand-offs (overføringer) of a case to another unit: send, accept, return, list."""

from __future__ import annotations

from datetime import date

import click

from pathways.cli import _context, _emit, iso_date, main
from pathways.services import handoffs as service
from pathways.services.handoffs import HandoffView


def _line(view: HandoffView) -> str:
    return (f"{view.id}\tsak {view.case_id}\t{view.to_unit}\t{view.planned_on.isoformat()}\t{view.status}"
            + (f"\t{view.responsible}" if view.responsible else ""))


@main.group()
def handoff() -> None:
    """Hand-offs of a case to NAV, adult education, a school or another kommune, acknowledged by the
    receiver."""


@handoff.command("send")
@click.argument("case", type=int)
@click.option("--to", "to_unit", type=int, required=True, help="The receiving unit's id (pathways units list).")
@click.option("--on", "on", type=iso_date, required=True, help="The planned date, YYYY-MM-DD.")
@click.option("--message", default="", help="What the receiver should know.")
@click.option("--tick", "ticks", multiple=True, help="A checklist item that has passed (repeat for each).")
@click.option("--json", "as_json", is_flag=True)
def handoff_send(case: int, to_unit: int, on: date, message: str, ticks: tuple[str, ...], as_json: bool) -> None:
    """Send a hand-off of CASE; prints its id. Every required checklist item must be ticked."""
    ctx = _context()
    number = service.send(ctx, case, to_unit=to_unit, on=on, message=message, ticks=ticks)
    view = service.show(ctx, number)
    _emit(as_json, view.as_json(), str(number))


@handoff.command("accept")
@click.argument("handoff_id", type=int)
@click.option("--by", "by", required=True, help="The username of the receiving unit's user who is responsible.")
@click.option("--json", "as_json", is_flag=True)
def handoff_accept(handoff_id: int, by: str, as_json: bool) -> None:
    """Accept a hand-off: BY (a user of the receiving unit) is responsible from its planned date."""
    view = service.accept(_context(), handoff_id, by)
    _emit(as_json, view.as_json(), _line(view))


@handoff.command("return")
@click.argument("handoff_id", type=int)
@click.option("--reason", required=True, help="Why it goes back to the sender.")
@click.option("--json", "as_json", is_flag=True)
def handoff_return(handoff_id: int, reason: str, as_json: bool) -> None:
    """Return a hand-off to the sender with a reason."""
    view = service.give_back(_context(), handoff_id, reason)
    _emit(as_json, view.as_json(), _line(view))


@handoff.command("list")
@click.option("--pending", is_flag=True, help="Only those waiting for their receiver.")
@click.option("--json", "as_json", is_flag=True)
def handoff_list(pending: bool, as_json: bool) -> None:
    """The hand-offs (id, case, receiving unit, planned date, status, responsible), the newest first."""
    found = service.inbox(_context(), pending_only=pending)
    _emit(as_json, [v.as_json() for v in found], "\n".join(_line(v) for v in found) or "no hand-offs")
