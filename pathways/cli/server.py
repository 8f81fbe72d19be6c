"""The long-running jobs and the on-demand check: run, serve, check (the supervision is pathways.run)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from datetime import date
from pathlib import Path

import click

from pathways.calendar import SystemClock
from pathways.cli import _context, definitions_option, iso_date, main
from pathways.cli.catalogue import init_command
from pathways.definition.catalogue import load_catalogue
from pathways.definition.render import render
from pathways.home import var_dir
from pathways.run import (
    _Children,
    _dashboard_address,
    _prefect_defaults_for_check,
    _prefect_environment,
    _serve_with_prefect,
    _temporary_server,
)
from pathways.services.accounts import (
    ensure_first_admin,
)
from pathways.services.context import Context


@main.command("run")
@definitions_option
@click.option("--out", type=click.Path(path_type=Path), default=lambda: var_dir() / "diagrams",
              show_default="PATHWAYS_HOME/var/diagrams", help="Folder for the rendered diagrams.")
def run_command(definitions: Path, out: Path) -> None:
    """The main job: validate the catalogue and render every pathway (SVG and PNG), initialise the
    database, create a first administrator, then start a Prefect server, the nightly checks and the
    dashboard, and stop them all on Ctrl-C."""
    catalogue = load_catalogue((definitions,))
    for problem in catalogue.problems:
        click.echo(str(problem), err=True)
    out.mkdir(parents=True, exist_ok=True)
    for pathway_id, definition in sorted(catalogue.definitions.items()):
        for fmt in ("svg", "png"):
            (out / f"{pathway_id}.{fmt}").write_bytes(render(definition, fmt, english=True))
        click.echo(f"{pathway_id}: {definition.pathway.title} → {out / pathway_id}.svg")
    click.echo(f"{len(catalogue.definitions)} pathways rendered to {out}/, {len(catalogue.problems)} problems")
    if not catalogue.ok:
        sys.exit(1)
    click.get_current_context().invoke(init_command, definitions=definitions)
    _first_admin(_context())
    _serve_with_prefect(_prefect_environment(dict(os.environ)), dashboard=True)


@main.command("serve")
def serve_command() -> None:
    """Serve the dashboard and the API only (PATHWAYS_HOST, PATHWAYS_PORT; default 127.0.0.1:8000)."""
    _first_admin(_context())
    click.echo(f"dashboard at {_dashboard_address(dict(os.environ))}/ (API docs at /api/docs); Ctrl-C stops")
    # a child process (pathways/ does not import ui/, ARCHITECTURE.md) in a group of its own with its
    # uvicorn workers: Ctrl-C, SIGTERM or SIGHUP stops the whole group, and so does our own death
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    received: list[int] = []
    previous = {s: signal.signal(s, lambda signum, _frame: received.append(signum)) for s in signals}
    children = _Children()
    try:
        children.start("the dashboard", [sys.executable, "-m", "ui"], dict(os.environ), stop_signal=signal.SIGINT)
        while not received:
            if (gone := children.exited()) is not None:
                raise click.ClickException(f"the dashboard stopped unexpectedly (exit code {gone[1]})")
            time.sleep(0.5)
    finally:
        children.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _first_admin(ctx: Context) -> None:
    created = ensure_first_admin(ctx)
    if created:
        click.echo(f"first administrator: username '{created[0]}', one-time password: {created[1]} "
                   "(change it at first sign-in; create staff under Brukere)")


@main.command("check")
@click.option("--date", "on", type=iso_date, default=None, help="The run date, YYYY-MM-DD (default: today, Oslo).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def check_command(on: date | None, as_json: bool) -> None:
    """Run the nightly checks once, now: new, open and resolved flags per kind.

    Runs the same Prefect flow as the schedule, against PREFECT_API_URL when set (or the server of a
    running `pathways run`), else against a temporary local Prefect server (10–20 s to start) that stops
    with the command, however it ends.
    """
    _context().engine.dispose()  # a clear message when the database is not initialised
    _prefect_defaults_for_check()
    children = _Children()
    try:
        if "prefect" not in sys.modules and "PREFECT_API_URL" not in os.environ:
            _temporary_server(children)
        # Imported here, not at the top: pathways/ may not import flows/ (ARCHITECTURE.md), and the check
        # must run the very flow the schedule runs. Importing it also imports Prefect (~1.5 s).
        from flows.nightly import nightly_checks

        run_date = on
        try:
            counts = nightly_checks(run_date=run_date)
        except Exception as exc:
            raise click.ClickException(f"the nightly checks failed: {exc}") from None
    finally:
        if children.running and "prefect" in sys.modules:
            # send Prefect's log records while the temporary server still answers
            from prefect.logging.handlers import APILogWorker
            with contextlib.suppress(Exception):
                APILogWorker.drain_all(timeout=5)
        children.stop()
    if as_json:
        click.echo(json.dumps(counts, ensure_ascii=False, indent=2))
        return
    width = max([len("kind"), *map(len, counts)])
    click.echo(f"Kontroll {(run_date or SystemClock().today()).isoformat()}")
    click.echo(f"{'kind':<{width}}  {'new':>5}  {'open':>5}  {'resolved':>8}")
    for kind, numbers in counts.items():
        click.echo(f"{kind:<{width}}  {numbers['new']:>5}  {numbers['open']:>5}  {numbers['resolved']:>8}")
    totals = {key: sum(n[key] for n in counts.values()) for key in ("new", "open", "resolved")}
    click.echo(f"{'total':<{width}}  {totals['new']:>5}  {totals['open']:>5}  {totals['resolved']:>8}")
