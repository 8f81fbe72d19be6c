"""The ``pathways`` command line. Each command is a thin shell over the library functions the
dashboard calls too; problems are printed as ``FILE:LINE:COL: message`` and exit non-zero."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pathways.definition.catalogue import DEFAULT_DIR, load_catalogue


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """pathways: qualification pathways for refugees and immigrants, as state machines."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print problems as a JSON list.")
def validate(paths: tuple[Path, ...], as_json: bool) -> None:
    """Validate pathway documents (default: the definitions/ folder)."""
    catalogue = load_catalogue(paths or (DEFAULT_DIR,))
    if as_json:
        click.echo(json.dumps([p.as_json() for p in catalogue.problems], ensure_ascii=False, indent=2))
    else:
        for problem in catalogue.problems:
            click.echo(str(problem), err=True)
        count = len(catalogue.definitions)
        click.echo(f"{count} valid pathway{'s' if count != 1 else ''}, {len(catalogue.problems)} problem"
                   f"{'s' if len(catalogue.problems) != 1 else ''}", err=bool(catalogue.problems))
    sys.exit(0 if catalogue.ok else 1)


if __name__ == "__main__":
    main()
