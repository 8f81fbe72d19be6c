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
from sqlmodel import col, func, select

from pathways.calendar import SystemClock
from pathways.cli import _context, definitions_option, iso_date, main
from pathways.cli.catalogue import init_command
from pathways.definition.catalogue import load_catalogue
from pathways.definition.render import render
from pathways.demo import DEFAULT_KOMMUNE, generate
from pathways.home import var_dir
from pathways.run import (
    _Children,
    _dashboard_address,
    _prefect_defaults_for_check,
    _prefect_environment,
    _serve_with_prefect,
    _temporary_server,
)
from pathways.services.accounts import add_user, ensure_first_admin
from pathways.services.context import Conflict, Context
from pathways.store.tables import Kommune, Participant, User

DEMO_LEDER = "demo-leder"  # the account PATHWAYS_DEMO makes to see the demo cohort


kommune_option = click.option(
    "--kommune", envvar="PATHWAYS_KOMMUNE", default=None, metavar="NAME",
    help="The kommune of the first administrator (and of the demo cohort); env PATHWAYS_KOMMUNE. Asked for "
         f"on a terminal when no account exists yet; default {DEFAULT_KOMMUNE}.")


@main.command("run")
@definitions_option
@click.option("--out", type=click.Path(path_type=Path), default=lambda: var_dir() / "diagrams",
              show_default="PATHWAYS_HOME/var/diagrams", help="Folder for the rendered diagrams.")
@kommune_option
def run_command(definitions: Path, out: Path, kommune: str | None) -> None:
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
    first_run(_context(), kommune, os.environ.get("PATHWAYS_DEMO", ""))
    _serve_with_prefect(_prefect_environment(dict(os.environ)), dashboard=True)


@main.command("serve")
@kommune_option
def serve_command(kommune: str | None) -> None:
    """Serve the dashboard and the API only (PATHWAYS_HOST, PATHWAYS_PORT; default 127.0.0.1:8000)."""
    first_run(_context(), kommune, os.environ.get("PATHWAYS_DEMO", ""))
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


def first_run(ctx: Context, kommune: str | None, demo: str = "") -> None:
    """An empty store's first start: the first administrator, in ``kommune`` (asked for on a terminal,
    else the default), and with ``demo`` (PATHWAYS_DEMO, a number) a demo cohort of that many participants
    in the same kommune, plus a leder account there to see them, loaded only while the store has no
    participant (so a restart adds nothing)."""
    demo = demo.strip()
    if demo and not (demo.isdigit() and int(demo) <= 2_000_000):
        raise click.ClickException(f"PATHWAYS_DEMO must be a number of participants, 0–2000000 (got '{demo}')")
    count = int(demo or 0)
    with ctx.transaction() as session:
        no_accounts = session.exec(select(func.count()).select_from(User)).one() == 0
        no_participants = session.exec(select(func.count()).select_from(Participant)).one() == 0
        first = session.exec(select(Kommune.name).join(User, col(User.kommune_id) == Kommune.id)
                             .where(User.role == "administrator").order_by(col(User.id))).first()
    if kommune is None and no_accounts and sys.stdin.isatty():
        kommune = click.prompt("Which kommune does the first administrator work in?", default=DEFAULT_KOMMUNE)
    kommune = (kommune or first or DEFAULT_KOMMUNE).strip()
    created = ensure_first_admin(ctx, kommune)
    if created:
        click.echo(f"first administrator: username '{created[0]}' in {kommune}, one-time password: {created[1]} "
                   "(change it at first sign-in; create staff under Brukere)")
    if count and no_participants:
        started = time.perf_counter()
        added = generate(ctx.engine, count, 1, ctx.today(), now=ctx.now(), kommuner=[kommune])
        click.echo(f"demo cohort (PATHWAYS_DEMO): {added} participants with one case each in {kommune}, "
                   f"{time.perf_counter() - started:.1f} s")
        with contextlib.suppress(Conflict):
            _, password = add_user(ctx, username=DEMO_LEDER, name="Demo leder", role="leder", kommune=kommune)
            click.echo(f"sign in as '{DEMO_LEDER}' (leder in {kommune}), one-time password: {password}, to see "
                       "the cases")
    elif count:
        click.echo("PATHWAYS_DEMO: the store has participants already; no demo cohort added")


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
