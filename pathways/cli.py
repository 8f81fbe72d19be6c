"""The ``pathways`` command line. Each command is a thin shell over the library functions the
dashboard calls too; problems are printed as ``FILE:LINE:COL: message`` and exit non-zero."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import NoReturn

import click
from sqlalchemy import inspect

from pathways.calendar import SystemClock
from pathways.definition.catalogue import DEFAULT_DIR, load_catalogue
from pathways.definition.describe import describe
from pathways.definition.loader import Definition
from pathways.definition.periods import describe_days
from pathways.definition.problems import DefinitionError
from pathways.definition.render import FORMATS, render
from pathways.demo import generate
from pathways.services.cases import advance, enrol, gap_json, show
from pathways.services.context import Context, ServiceError
from pathways.services.livelihood import add_income, participant_gaps
from pathways.services.participants import FACT_FIELDS, ImportRejected, add_participant, import_participants
from pathways.services.publishing import publish_folder, seed_g_table
from pathways.store.database import database_url, make_engine, migrate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """pathways: qualification pathways for refugees and immigrants, as state machines."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print problems as a JSON list.")
def validate(paths: tuple[Path, ...], as_json: bool) -> None:
    """Validate pathway documents (default: the definitions/ folder).

    Hand-offs in the named files may point at the pathways of definitions/ as well.
    """
    context = (DEFAULT_DIR,) if paths and DEFAULT_DIR.is_dir() else ()
    catalogue = load_catalogue(paths or (DEFAULT_DIR,), context=context)
    if as_json:
        click.echo(json.dumps([p.as_json() for p in catalogue.problems], ensure_ascii=False, indent=2))
    else:
        for problem in catalogue.problems:
            click.echo(str(problem), err=True)
        count = len(catalogue.definitions)
        click.echo(f"{count} valid pathway{'s' if count != 1 else ''}, {len(catalogue.problems)} problem"
                   f"{'s' if len(catalogue.problems) != 1 else ''}", err=bool(catalogue.problems))
    sys.exit(0 if catalogue.ok else 1)


def _catalogue_entry(pathway_id: str, definitions: Path) -> Definition:
    catalogue = load_catalogue((definitions,))
    try:
        return catalogue.get(pathway_id)
    except KeyError as exc:
        problems = [str(p) for p in catalogue.problems if pathway_id in p.file]
        raise click.ClickException("\n".join([exc.args[0], *problems])) from None


definitions_option = click.option("--definitions", type=click.Path(path_type=Path), default=DEFAULT_DIR,
                                  show_default=True, help="Folder of pathway documents.")


@main.command("render")
@click.argument("pathway_id")
@click.option("--highlight", multiple=True, metavar="STEP", help="Highlight a step (repeatable).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: from the file name, else svg).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@definitions_option
def render_command(pathway_id: str, highlight: tuple[str, ...], fmt: str | None, output: Path,
                   definitions: Path) -> None:
    """Draw a pathway as SVG, PNG or DOT, optionally highlighting steps."""
    definition = _catalogue_entry(pathway_id, definitions)
    fmt = fmt or (output.suffix.lstrip(".") if output.suffix.lstrip(".") in FORMATS else "svg")
    try:
        data = render(definition, fmt, highlight)
    except KeyError as exc:
        raise click.ClickException(exc.args[0]) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    click.echo(f"wrote {output} ({len(data):,} bytes)")


@main.command("describe")
@click.argument("pathway_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@definitions_option
def describe_command(pathway_id: str, as_json: bool, definitions: Path) -> None:
    """Steps, roles, expected time to each outcome and livelihood per step."""
    info = describe(_catalogue_entry(pathway_id, definitions))
    if as_json:
        click.echo(json.dumps(info.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{info.title} ({info.id})")
    click.echo("\nSteg:")
    for step in info.steps:
        length = f"≈ {describe_days(step.expected_days)}" if step.expected_days else ""
        sources = ", ".join(step.livelihood) or "–"
        click.echo(f"  {'  ' * step.depth}{step.title} [{step.kind}] {length}  · {step.owner or '–'}"
                   f"  · livsopphold: {sources}")
    click.echo("\nRoller: " + (", ".join(info.roles) or "–"))
    click.echo("\nForventet tid fra start til utfall (korteste – lengste):")
    for outcome, span in info.outcomes.items():
        click.echo(f"  {outcome}: {span}")
    if info.anytime_outcomes:
        click.echo("  fra alle steg: " + ", ".join(info.anytime_outcomes))


@main.command("run")
@definitions_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("var/diagrams"), show_default=True,
              help="Folder for the rendered diagrams.")
def run_command(definitions: Path, out: Path) -> None:
    """The main job: validate the catalogue and render every pathway (SVG and PNG)."""
    catalogue = load_catalogue((definitions,))
    for problem in catalogue.problems:
        click.echo(str(problem), err=True)
    out.mkdir(parents=True, exist_ok=True)
    for pathway_id, definition in sorted(catalogue.definitions.items()):
        for fmt in ("svg", "png"):
            (out / f"{pathway_id}.{fmt}").write_bytes(render(definition, fmt))
        click.echo(f"{pathway_id}: {definition.pathway.title} → {out / pathway_id}.svg")
    click.echo(f"{len(catalogue.definitions)} pathways rendered to {out}/, {len(catalogue.problems)} problems")
    sys.exit(0 if catalogue.ok else 1)


# -- the case engine ---------------------------------------------------------------------------


@main.command("demo")
@click.option("--participants", "count", type=click.IntRange(1, 2_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
def demo_command(count: int, seed: int) -> None:
    """Add a realistic synthetic cohort (invented names), deterministic for a seed."""
    ctx = _context()
    started = time.perf_counter()
    with click.progressbar(length=count, label="Lager demodeltakere", file=sys.stderr) as bar:
        try:
            added = generate(ctx.engine, count, seed, ctx.today(), progress=bar.update)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"added {added} participants with one case each in {time.perf_counter() - started:.1f} s")


def _context() -> Context:
    engine = make_engine()
    if not inspect(engine).has_table("alembic_version"):
        raise click.ClickException(f"the database at {database_url()} is not initialised; run 'pathways init'")
    return Context(engine, SystemClock(), actor="cli")


def _fail(exc: ServiceError) -> NoReturn:
    where = f"{exc.field}: " if exc.field else ""
    raise click.ClickException(where + str(exc))


def _pairs(items: tuple[str, ...], option: str) -> dict[str, str]:
    values = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"'{item}' is not KEY=VALUE", param_hint=option)
        values[key.strip()] = value.strip()
    return values


def _emit(as_json: bool, data: object, text: str) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2) if as_json else text)


iso_date = click.DateTime(formats=["%Y-%m-%d"])


@main.command("init")
@definitions_option
def init_command(definitions: Path) -> None:
    """Create or migrate the database, then publish the pathway documents of definitions/."""
    engine = make_engine()
    migrate(engine)
    ctx = Context(engine, SystemClock(), actor="init")
    seed_g_table(ctx)
    try:
        results = publish_folder(ctx, definitions)
    except DefinitionError as exc:
        raise click.ClickException("the catalogue has problems:\n" + str(exc)) from None
    except ServiceError as exc:
        _fail(exc)
    new = [f"{pid}@{v}" for pid, v, status in results if status == "new"]
    click.echo(f"database ready at {database_url()}; {len(results)} pathways, {len(new)} newly published"
               + (f": {', '.join(new)}" if new else ""))


@main.group()
def participants() -> None:
    """Add or import participants."""


@participants.command("add")
@click.option("--name", required=True)
@click.option("--born", type=iso_date, required=True, help="Birth date, YYYY-MM-DD.")
@click.option("--settled", type=iso_date, default=None, help="Settlement date (bosettingsdato), YYYY-MM-DD.")
@click.option("--kommune", required=True)
@click.option("--field", "fields", multiple=True, metavar="KEY=VALUE",
              help=f"Another fact (repeatable): {', '.join(FACT_FIELDS)}.")
@click.option("--json", "as_json", is_flag=True)
def participants_add(name: str, born: datetime, settled: datetime | None, kommune: str, fields: tuple[str, ...],
                     as_json: bool) -> None:
    """Add a participant and print the new id."""
    try:
        pid = add_participant(_context(), name=name, born=born.date(), settled=settled.date() if settled else None,
                              kommune=kommune, fields=_pairs(fields, "--field"))
    except ServiceError as exc:
        _fail(exc)
    _emit(as_json, {"id": pid}, str(pid))


@participants.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def participants_import(file: Path, as_json: bool) -> None:
    """Import participants from CSV (name, born, settled, kommune and fact columns); all or nothing."""
    try:
        ids = import_participants(_context(), file)
    except ImportRejected as exc:
        if as_json:
            click.echo(json.dumps({"errors": [e.__dict__ for e in exc.errors]}, ensure_ascii=False, indent=2))
            sys.exit(1)
        _fail(exc)
    except ServiceError as exc:
        _fail(exc)
    _emit(as_json, {"imported": len(ids), "ids": ids}, f"imported {len(ids)} participants (ids {ids[0]}–{ids[-1]})")


@main.command("enrol")
@click.argument("participant_id", type=int)
@click.argument("pathway_id")
@click.option("--start", type=iso_date, required=True)
@click.option("--json", "as_json", is_flag=True)
def enrol_command(participant_id: int, pathway_id: str, start: datetime, as_json: bool) -> None:
    """Start a participant on a pathway; prints the case id."""
    try:
        case_id = enrol(_context(), participant_id, pathway_id, start.date())
    except ServiceError as exc:
        _fail(exc)
    _emit(as_json, {"case": case_id}, str(case_id))


@main.command("advance")
@click.argument("case_id", type=int)
@click.argument("event")
@click.option("--on", "on", type=iso_date, required=True, help="The date it happened.")
@click.option("--set", "values", multiple=True, metavar="FIELD=VALUE", help="An input field (repeatable).")
@click.option("--step", default=None, help="The step the event is for, when several could take it.")
@click.option("--json", "as_json", is_flag=True)
def advance_command(case_id: int, event: str, on: datetime, values: tuple[str, ...], step: str | None,
                    as_json: bool) -> None:
    """Record an event on a case."""
    try:
        result = advance(_context(), case_id, event, on.date(), _pairs(values, "--set"), step=step)
    except ServiceError as exc:
        _fail(exc)
    state = result.state
    data = {"case": case_id, "event": result.event_id, "status": state.status,
            "steps": state.steps + list(state.compounds), "outcome": state.outcome,
            "moved": [list(m) for m in result.moved], "new_cases": list(result.new_cases)}
    text = f"case {case_id}: {state.status}; " + (f"outcome {state.outcome}" if state.outcome else
                                                  "now in " + ", ".join(data["steps"]))
    _emit(as_json, data, text + (f"; new case(s) {list(result.new_cases)}" if result.new_cases else ""))


@main.group()
def income() -> None:
    """Livelihood periods (inntektskilder)."""


@income.command("add")
@click.argument("participant_id", type=int)
@click.argument("source")
@click.option("--from", "start", type=iso_date, required=True)
@click.option("--to", "end", type=iso_date, default=None)
@click.option("--planned", is_flag=True, help="Expected but not confirmed.")
@click.option("--json", "as_json", is_flag=True)
def income_add(participant_id: int, source: str, start: datetime, end: datetime | None, planned: bool,
               as_json: bool) -> None:
    """Register a livelihood period for a participant; prints its id."""
    try:
        period = add_income(_context(), participant_id, source, start.date(), end.date() if end else None,
                            planned=planned)
    except ServiceError as exc:
        _fail(exc)
    _emit(as_json, {"id": period}, str(period))


@main.command("show")
@click.argument("case_id", type=int)
@click.option("--as-of", type=iso_date, default=None)
@click.option("--json", "as_json", is_flag=True)
def show_command(case_id: int, as_of: datetime | None, as_json: bool) -> None:
    """A case: current steps, allowed events, deadlines and income gaps."""
    try:
        view = show(_context(), case_id, as_of.date() if as_of else None)
    except ServiceError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(view.as_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"Sak {view.id} · {view.pathway_id}@{view.pathway_version} · {view.status} · start {view.start_date}")
    for step in view.steps:
        click.echo(f"  nå: {step['title']} (fra {step['since']})")
    if view.outcome:
        click.echo(f"  utfall: {view.outcome} ({view.ended_on})")
    click.echo("Hendelser som kan registreres:")
    for allowed in view.allowed:
        fields = ", ".join(f"{f.name}{'' if f.required else '?'}" for f in allowed.fields)
        click.echo(f"  {allowed.event}: {allowed.title}" + (f" [{fields}]" if fields else ""))
    click.echo("Frister:")
    for item in sorted(view.deadlines, key=lambda d: d.due):
        click.echo(f"  {item.due} {item.status:<8} {item.kind:<8} {item.title}")
    click.echo("Inntektsgap:" + ("" if view.gaps else " ingen"))
    for gap in view.gaps:
        click.echo(f"  {gap.start} – {gap.end} ({gap.days} dager, {gap.kind}): {gap.reason}")


@main.command("gaps")
@click.argument("participant_id", type=int)
@click.option("--as-of", type=iso_date, required=True)
@click.option("--horizon", type=click.IntRange(0, 3650), default=90, show_default=True, help="Days ahead.")
@click.option("--json", "as_json", is_flag=True)
def gaps_command(participant_id: int, as_of: datetime, horizon: int, as_json: bool) -> None:
    """Income-securing gaps for a participant: current, and projected within the horizon."""
    try:
        found = participant_gaps(_context(), participant_id, as_of.date(), horizon)
    except ServiceError as exc:
        _fail(exc)
    text = "\n".join(f"{g.start} – {g.end} ({g.days} dager, {g.kind}): {g.reason}" for g in found) or "ingen gap"
    _emit(as_json, [gap_json(g) for g in found], text)


if __name__ == "__main__":
    main()
