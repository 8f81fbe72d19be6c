"""Reports a kommune owes: ``pathways report nir`` (the NIR overview: each field per participant, its value
from the case and what is missing). Acts as the system actor ``cli`` for the kommune named."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pathways.cli import _context, main
from pathways.services.export import as_csv, as_xlsx
from pathways.services.nir import NirReport, report
from pathways.services.results import Results, chart_svg, results


@main.group("report")
def reports() -> None:
    """Reports: the NIR overview, results one year after exit."""


@reports.command("nir")
@click.option("--kommune", required=True, help="The kommune's name, as the store has it.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="The year the cases ran in.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (else to standard output; xlsx needs a file).")
def report_nir(kommune: str, year: int, fmt: str, out: Path | None) -> None:
    """The NIR overview of KOMMUNE's cases that ran in YEAR: one row per case, each NIR field's value as the
    case has it, and what is missing. CSV with semicolons and a BOM (as Norwegian Excel opens it)."""
    found = report(_context(), year, kommune)
    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs --out FILE")
    data = as_xlsx(f"NIR {year}", found.headers(), found.table()) if fmt == "xlsx" else _encoded(fmt, found)
    _write(data, out, f"{len(found.rows)} participants, {found.missing_count} with something missing")


def _encoded(fmt: str, found: NirReport | Results) -> bytes:
    """A report as JSON or as CSV with semicolons and a BOM."""
    if fmt == "json":
        return json.dumps(found.as_json(), ensure_ascii=False, indent=2).encode() + b"\n"
    return b"".join(as_csv(found.headers(), found.table()))


def _write(data: bytes, out: Path | None, summary: str) -> None:
    """To ``out`` (the summary on standard error), else to standard output."""
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
        click.echo(f"{summary}: {out}", err=True)


@reports.command("results")
@click.option("--pathway", required=True, help="The pathway's id, e.g. introduksjonsprogram.")
@click.option("--kommune", default=None, help="One kommune (else every kommune).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "svg"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (else to standard output).")
def report_results(pathway: str, kommune: str | None, fmt: str, out: Path | None) -> None:
    """Where the participants of PATHWAY were one year after their case ended, per exit year (counts under 5
    shown as <5), as CSV, JSON or the chart (SVG)."""
    found = results(_context(), pathway, kommune=kommune)
    data = chart_svg(found, f"{pathway}: ett år etter avslutning").encode() if fmt == "svg" else _encoded(fmt, found)
    _write(data, out, f"{sum(y.total for y in found.years)} exits in {len(found.years)} years")
