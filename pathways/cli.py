"""The ``pathways`` command line. Each command is a thin shell over the library functions the
dashboard calls too; problems are printed as ``FILE:LINE:COL: message`` and exit non-zero."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pathways.definition.catalogue import DEFAULT_DIR, load_catalogue
from pathways.definition.describe import describe
from pathways.definition.loader import Definition
from pathways.definition.periods import describe_days
from pathways.definition.render import FORMATS, render


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


if __name__ == "__main__":
    main()
