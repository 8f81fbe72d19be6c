"""The catalogue of pathway documents: validate, render, describe, and init (which publishes them)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pathways.calendar import SystemClock
from pathways.cli import _fail, definitions_option, main
from pathways.definition.catalogue import load_catalogue
from pathways.definition.describe import describe
from pathways.definition.loader import Definition
from pathways.definition.periods import describe_days
from pathways.definition.problems import DefinitionError
from pathways.definition.render import FORMATS, render
from pathways.home import definitions_dir
from pathways.services.context import Actor, Context, ServiceError
from pathways.services.grunnbelop import seed_g_table
from pathways.services.publishing import publish_folder
from pathways.store.database import make_engine, migrate, shown_url


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print problems as a JSON list.")
def validate(paths: tuple[Path, ...], as_json: bool) -> None:
    """Validate pathway documents (default: the definitions/ folder).

    Hand-offs in the named files may point at the pathways of definitions/ as well.
    """
    context = (definitions_dir(),) if paths and definitions_dir().is_dir() else ()
    catalogue = load_catalogue(paths or (definitions_dir(),), context=context)
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


@main.command("render")
@click.argument("pathway_id")
@click.option("--highlight", multiple=True, metavar="STEP", help="Highlight a step (repeatable).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format; must agree with the extension of FILE (default: from it, else svg).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
@definitions_option
def render_command(pathway_id: str, highlight: tuple[str, ...], fmt: str | None, output: Path,
                   definitions: Path) -> None:
    """Draw a pathway as SVG, PNG or DOT, optionally highlighting steps."""
    fmt = _output_format(output, fmt)
    if not output.parent.is_dir():
        raise click.ClickException(f"cannot write {output}: the folder {output.parent} does not exist")
    definition = _catalogue_entry(pathway_id, definitions)
    try:
        data = render(definition, fmt, highlight, english=True)
    except KeyError as exc:
        raise click.ClickException(exc.args[0]) from None
    output.write_bytes(data)
    click.echo(f"wrote {output} ({len(data):,} bytes)")


def _output_format(output: Path, fmt: str | None) -> str:
    """The format named by the file's extension; --format must agree with it. No extension: --format, else svg."""
    suffix = output.suffix.lstrip(".").lower()
    if not suffix:
        return fmt or "svg"
    if suffix not in FORMATS:
        raise click.ClickException(f"cannot write {output}: '.{suffix}' is not a format pathways renders; "
                                   f"name the file .{', .'.join(FORMATS)}")
    if fmt and fmt != suffix:
        raise click.ClickException(f"cannot write {output}: --format {fmt} does not match the extension '.{suffix}'")
    return suffix


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


@main.command("init")
@definitions_option
def init_command(definitions: Path) -> None:
    """Create or migrate the database, then publish the pathway documents of definitions/."""
    engine = make_engine()
    migrate(engine)  # a database that cannot be reached is explained by the command group
    ctx = Context(engine, SystemClock(), actor=Actor.system("init"))
    seed_g_table(ctx)
    try:
        results = publish_folder(ctx, definitions)
    except DefinitionError as exc:
        raise click.ClickException("the catalogue has problems:\n" + str(exc)) from None
    except ServiceError as exc:
        _fail(exc)
    new = [f"{pid}@{v}" for pid, v, status in results if status == "new"]
    click.echo(f"database ready at {shown_url()}; {len(results)} pathways, {len(new)} newly published"
               + (f": {', '.join(new)}" if new else ""))
