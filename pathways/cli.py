"""The ``pathways`` command line. Each command is a thin shell over the library functions the
dashboard calls too; problems are printed as ``FILE:LINE:COL: message`` and exit non-zero."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, NoReturn

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from pathways.calendar import SystemClock
from pathways.definition.catalogue import load_catalogue
from pathways.definition.describe import describe
from pathways.definition.loader import Definition, load_text
from pathways.definition.periods import describe_days
from pathways.definition.problems import DefinitionError
from pathways.definition.render import FORMATS, render
from pathways.demo import generate
from pathways.home import definitions_dir, home, var_dir
from pathways.income.gaps import SOURCES, Gap
from pathways.services.accounts import (
    ROLES,
    add_user,
    create_token,
    ensure_first_admin,
    reset_password,
    revoke_token,
    set_active,
    set_role,
    tokens_of,
    unlock,
)
from pathways.services.cases import advance, enrol, gap_json, show
from pathways.services.context import Actor, Context, ServiceError, definition_of
from pathways.services.grunnbelop import seed_g_table
from pathways.services.livelihood import add_income, participant_gaps
from pathways.services.participants import FACT_FIELDS, ImportRejected, add_participant, import_participants
from pathways.services.publishing import publish_folder
from pathways.store.database import StoreUnavailable, database_url, explain, make_engine, migrate, open_store, shown_url


class _Main(click.Group):
    """The command group: a database that cannot be used is one line of explanation and exit 1, never a
    traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except StoreUnavailable as exc:
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            try:
                message = explain(exc, make_url(database_url()))
            except StoreUnavailable:
                message = None
            if message is None:
                raise
            raise click.ClickException(message) from None

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_help(ctx, formatter)
        where = "PATHWAYS_HOME" if os.environ.get("PATHWAYS_HOME") else "the project folder, as PATHWAYS_HOME is unset"
        with formatter.section("Files"):
            formatter.write_text(f"Home: {home()}, {where}. The catalogue is read from {definitions_dir()}; "
                                 f"{var_dir()} holds the SQLite database (unless PATHWAYS_DATABASE_URL names "
                                 "another), Prefect's database, the diagrams of 'run' and the dashboard's secret key. "
                                 "No command depends on the current folder.")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_version("pathways"), "-V", "--version", prog_name="pathways")
def main() -> None:
    """pathways: qualification pathways for refugees and immigrants, as state machines."""


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


definitions_option = click.option("--definitions", type=click.Path(path_type=Path), default=definitions_dir,
                                  show_default="PATHWAYS_HOME/definitions", help="Folder of pathway documents.")


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
        data = render(definition, fmt, highlight)
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
            (out / f"{pathway_id}.{fmt}").write_bytes(render(definition, fmt))
        click.echo(f"{pathway_id}: {definition.pathway.title} → {out / pathway_id}.svg")
    click.echo(f"{len(catalogue.definitions)} pathways rendered to {out}/, {len(catalogue.problems)} problems")
    if not catalogue.ok:
        sys.exit(1)
    click.get_current_context().invoke(init_command, definitions=definitions)
    _first_admin(_context())
    _serve_with_prefect(_prefect_environment(dict(os.environ)), dashboard=True)


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
            added = generate(ctx.engine, count, seed, ctx.today(), progress=bar.update, now=ctx.now())
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"added {added} participants with one case each in {time.perf_counter() - started:.1f} s")


def _context() -> Context:
    """The store of PATHWAYS_DATABASE_URL, checked (a missing or uninitialised database is a StoreUnavailable,
    which the command group prints as one line). The commands act as the system actor ``cli``: every kommune."""
    return Context(open_store(), SystemClock(), actor=Actor.system("cli"))


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


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


class IsoDate(click.ParamType):
    """A date written YYYY-MM-DD. A wrong one is an error of exit code 1 that says what is wrong with it
    ("--born: 30 February 2025 does not exist"), not a usage error."""

    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        where = f"{param.opts[0]}: " if param is not None and param.opts else ""
        text = str(value).strip()
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        if not match:
            raise click.ClickException(f"{where}'{text}' is not a date: write it YYYY-MM-DD, e.g. 2025-02-28")
        year, month, day = map(int, match.groups())
        if not 1 <= month <= 12:
            raise click.ClickException(f"{where}'{text}': there is no month {month} (months are 01–12)")
        try:
            return date(year, month, day)
        except ValueError:
            raise click.ClickException(f"{where}{day} {MONTHS[month - 1]} {year} does not exist") from None


iso_date = IsoDate()


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
def participants_add(name: str, born: date, settled: date | None, kommune: str, fields: tuple[str, ...],
                     as_json: bool) -> None:
    """Add a participant and print the new id."""
    try:
        pid = add_participant(_context(), name=name, born=born, settled=settled,
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
@click.option("--caseworker", default=None, help="The veileder or jobbspesialist responsible.")
@click.option("--json", "as_json", is_flag=True)
def enrol_command(participant_id: int, pathway_id: str, start: date, caseworker: str | None,
                  as_json: bool) -> None:
    """Start a participant on a pathway; prints the case id."""
    try:
        case_id = enrol(_context(), participant_id, pathway_id, start, caseworker)
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
def advance_command(case_id: int, event: str, on: date, values: tuple[str, ...], step: str | None,
                    as_json: bool) -> None:
    """Record an event on a case."""
    try:
        result = advance(_context(), case_id, event, on, _pairs(values, "--set"), step=step)
    except ServiceError as exc:
        _fail(exc)
    state = result.state
    data: dict[str, Any] = {"case": case_id, "event": result.event_id, "status": state.status,
                            "steps": state.steps + list(state.compounds), "outcome": state.outcome,
                            "moved": [list(m) for m in result.moved], "new_cases": list(result.new_cases)}
    text = f"case {case_id}: {state.status}; " + (f"outcome {state.outcome}" if state.outcome else
                                                  "now in " + ", ".join(data["steps"]))
    _emit(as_json, data, text + (f"; new case(s) {list(result.new_cases)}" if result.new_cases else ""))


@main.group()
def income() -> None:
    """Livelihood periods (inntektskilder)."""


@income.command("add", help="Register a livelihood period for a participant; prints its id.\n\nSOURCE is one of: "
                              + ", ".join(sorted(SOURCES)) + ".")
@click.argument("participant_id", type=int)
@click.argument("source", metavar="SOURCE")
@click.option("--from", "start", type=iso_date, required=True)
@click.option("--to", "end", type=iso_date, default=None)
@click.option("--planned", is_flag=True, help="Expected but not confirmed.")
@click.option("--json", "as_json", is_flag=True)
def income_add(participant_id: int, source: str, start: date, end: date | None, planned: bool,
               as_json: bool) -> None:
    try:
        period = add_income(_context(), participant_id, source, start, end,
                            planned=planned)
    except ServiceError as exc:
        _fail(exc)
    _emit(as_json, {"id": period}, str(period))


@main.command("show")
@click.argument("case_id", type=int)
@click.option("--as-of", type=iso_date, default=None)
@click.option("--json", "as_json", is_flag=True)
def show_command(case_id: int, as_of: date | None, as_json: bool) -> None:
    """A case: current steps, allowed events, deadlines and income gaps."""
    try:
        view = show(_context(), case_id, as_of)
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
        click.echo(f"  {_gap_line(gap)}")


@main.command("gaps")
@click.argument("participant_id", type=int)
@click.option("--as-of", type=iso_date, required=True)
@click.option("--horizon", type=click.IntRange(0, 3650), default=90, show_default=True, help="Days ahead.")
@click.option("--json", "as_json", is_flag=True)
def gaps_command(participant_id: int, as_of: date, horizon: int, as_json: bool) -> None:
    """Income-securing gaps for a participant: current, and projected within the horizon."""
    try:
        found = participant_gaps(_context(), participant_id, as_of, horizon)
    except ServiceError as exc:
        _fail(exc)
    text = "\n".join(_gap_line(g) for g in found) or "ingen gap"
    _emit(as_json, [gap_json(g) for g in found], text)


def _gap_line(gap: Gap) -> str:
    """One gap on a line; one the horizon cut is open-ended: its end is not known, only a least length."""
    if gap.open_ended:
        return f"fra {gap.start}, minst {gap.days} dager ({gap.kind}): {gap.reason}"
    return f"{gap.start} – {gap.end} ({gap.days} dager, {gap.kind}): {gap.reason}"


# -- authoring: publish, diff, migrate ---------------------------------------------------------------


def _author_context(by: str | None) -> Context:
    ctx = _context()
    return Context(ctx.engine, ctx.clock, actor=Actor.system(by or os.environ.get("USER") or "cli"))


@main.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", required=True, help="The change note: what changed and why (required).")
@click.option("--by", help="Who publishes (default: $USER).")
@click.option("--expect", "expected", type=int, help="Refuse unless the newest published version is this one.")
def publish_command(file: Path, note: str, by: str | None, expected: int | None) -> None:
    """Publish FILE as the next version of its pathway (its 'version' must be the newest + 1)."""
    from pathways.services import authoring
    try:
        published = authoring.publish(_author_context(by), file.read_text(encoding="utf-8"), note, str(file),
                                      expected_latest=expected)
    except DefinitionError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{file} is not valid: {len(exc.problems)} problem(s); nothing was published") \
            from None
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"published {published.pathway_id}@{published.version} (sha256 {published.content_hash[:12]})")


@main.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True)
def diff_command(old: str, new: str, as_json: bool) -> None:
    """What changed between two published versions (ID@V1 ID@V2), and the running cases affected."""
    from pathways.services import authoring
    try:
        (pathway_a, va), (pathway_b, vb) = authoring.parse_ref(old), authoring.parse_ref(new)
        if pathway_a != pathway_b:
            raise ServiceError(f"compare versions of one pathway, not '{pathway_a}' with '{pathway_b}'", "ref")
        found = authoring.diff(_context(), pathway_a, va, vb)
    except ServiceError as exc:
        _fail(exc)
    _emit(as_json, found.as_json(), "\n".join(found.lines()))


@main.command("migrate")
@click.argument("old")
@click.argument("new")
@click.option("--mapping", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML: steps: {old: new}, regions: {region: {old: new}}, recompute: [deadline, ...] | all.")
@click.option("--dry-run", is_flag=True, help="Show where every case would land; change nothing.")
@click.option("--by", help="Who migrates (default: $USER).")
@click.option("--json", "as_json", is_flag=True)
def migrate_command(old: str, new: str, mapping_file: Path | None, dry_run: bool, by: str | None,
                    as_json: bool) -> None:
    """Move the running cases of ID@V1 to ID@V2 (batches, one transaction per case; run again to resume)."""
    from pathways.services import authoring
    try:
        (pathway_a, va), (pathway_b, vb) = authoring.parse_ref(old), authoring.parse_ref(new)
        if pathway_a != pathway_b:
            raise ServiceError(f"migrate between versions of one pathway, not '{pathway_a}' and '{pathway_b}'", "ref")
        mapping = authoring.load_mapping(mapping_file.read_text(encoding="utf-8") if mapping_file else "",
                                         str(mapping_file or "mapping"))
        report = authoring.migrate(_author_context(by), pathway_a, va, vb, mapping, dry_run=dry_run)
    except ServiceError as exc:
        _fail(exc)
    _emit(as_json, report.as_json(), "\n".join(report.lines()))
    if report.refused and not dry_run:
        sys.exit(2)


@main.command("forecast")
@click.argument("target")
@click.option("--cohort", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def forecast_command(target: str, cohort: int, seed: int, as_json: bool) -> None:
    """Run a synthetic cohort through a draft (FILE) or a published version (ID@V): time to each outcome
    and where income gaps would appear."""
    from pathways.definition.forecast import forecast
    from pathways.services import authoring
    if Path(target).is_file():
        try:
            definition = load_text(Path(target).read_bytes(), target)
        except DefinitionError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            raise click.ClickException(f"{target} is not valid: {len(exc.problems)} problem(s)") from None
    else:
        try:
            pathway_id, version = authoring.parse_ref(target)
            ctx = _context()
            with ctx.transaction() as session:
                definition = definition_of(session, authoring.version_row(session, pathway_id, version).id or 0)
        except ServiceError as exc:
            _fail(exc)
    found = forecast(definition, cohort, seed)
    _emit(as_json, found.as_json(), "\n".join(found.lines()))


# -- staff accounts and the dashboard ------------------------------------------------------------------


@main.group()
def users() -> None:
    """Staff accounts for the dashboard and tokens for the API."""


@users.command("add")
@click.argument("username")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--kommune", required=True)
def users_add(username: str, name: str, role: str, kommune: str) -> None:
    """Create an account; prints a one-time password to be changed at first sign-in."""
    try:
        _, password = add_user(_context(), username=username, name=name, role=role, kommune=kommune)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"created {username.strip().lower()} ({role}, {kommune}); one-time password: {password}")


@users.command("token")
@click.argument("username")
@click.option("--label", default="integrasjon", show_default=True)
def users_token(username: str, label: str) -> None:
    """Create an API token for a user (Authorization: Bearer TOKEN); shown once."""
    try:
        click.echo(create_token(_context(), username, label))
    except ServiceError as exc:
        _fail(exc)


@users.command("deactivate")
@click.argument("username")
def users_deactivate(username: str) -> None:
    """Deactivate a user: their dashboard sessions end and their API tokens stop working at once."""
    try:
        set_active(_context(), username, False)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"deactivated {username.strip().lower()}")


@users.command("activate")
@click.argument("username")
def users_activate(username: str) -> None:
    """Activate a deactivated user again (their API tokens work again unless revoked)."""
    try:
        set_active(_context(), username, True)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"activated {username.strip().lower()}")


@users.command("reset-password")
@click.argument("username")
def users_reset_password(username: str) -> None:
    """Give a user a new one-time password (printed once); their sessions end and a sign-in lock lifts."""
    try:
        password = reset_password(_context(), username)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"one-time password for {username.strip().lower()}: {password}")


@users.command("unlock")
@click.argument("username")
def users_unlock(username: str) -> None:
    """Lift a user's sign-in lock (after too many failed sign-ins)."""
    try:
        unlock(_context(), username)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"unlocked {username.strip().lower()}")


@users.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def users_role(username: str, role: str) -> None:
    """Change a user's role."""
    try:
        set_role(_context(), username, role)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"{username.strip().lower()} is now {role}")


@users.command("tokens")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True)
def users_tokens(username: str, as_json: bool) -> None:
    """List a user's API tokens (id, label, created, revoked); the tokens themselves are never stored."""
    try:
        rows = tokens_of(_context(), username)
    except ServiceError as exc:
        _fail(exc)
    data: list[dict[str, Any]] = [
        {"id": t.id, "label": t.label, "created_at": t.created_at.isoformat(), "revoked": t.revoked} for t in rows]
    _emit(as_json, data, "\n".join(f"{t['id']}\t{t['label']}\t{t['created_at'][:16]}\t"
                                    f"{'revoked' if t['revoked'] else 'active'}" for t in data) or "no tokens")


@users.command("revoke-token")
@click.argument("token_id", type=int)
def users_revoke_token(token_id: int) -> None:
    """Revoke an API token by its id (see 'pathways users tokens'); it stops working at once."""
    try:
        owner = revoke_token(_context(), token_id)
    except ServiceError as exc:
        _fail(exc)
    click.echo(f"revoked token {token_id} of {owner}")


def _dashboard_address(env: dict[str, str]) -> str:
    return f"http://{env.get('PATHWAYS_HOST', '127.0.0.1')}:{env.get('PATHWAYS_PORT', '8000')}"


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


# -- Prefect: the local server, the served deployment, the on-demand check --------------------------
#
# pathways/ never imports flows/ when it is imported (ARCHITECTURE.md: pathways may not import flows).
# `run` starts the deployment as a subprocess (`python -m flows.nightly`) and needs no import at all;
# `check` imports flows.nightly inside the command, because it must run the very flow the schedule runs.

PREFECT_STARTUP_TIMEOUT = 120.0


@dataclass(frozen=True)
class PrefectEnvironment:
    env: dict[str, str]  # for the children: os.environ with the defaults below filled in
    api_url: str  # the API the deployment talks to
    local: bool  # False when PREFECT_API_URL names another server (scale-out): start no server here

    @property
    def ui_url(self) -> str | None:
        if self.env.get("PREFECT_UI_ENABLED", "true").lower() in ("0", "false", "no", "off"):
            return None
        return self.env.get("PREFECT_UI_URL") or self.api_url.removesuffix("/api")


def _local_api_url(env: dict[str, str]) -> str:
    host = env.get("PREFECT_SERVER_API_HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", "localhost"):
        host = "127.0.0.1"
    return f"http://{host}:{env.get('PREFECT_SERVER_API_PORT') or '4200'}/api"


def _prefect_environment(environ: dict[str, str]) -> PrefectEnvironment:
    """Prefect's settings for `run`: its own SQLite under var/prefect, a server on 127.0.0.1:4200, no
    analytics. Every variable already set wins; a PREFECT_API_URL naming another server means that
    server is used and none is started here."""
    env = dict(environ)
    env.setdefault("PREFECT_HOME", str(var_dir() / "prefect"))
    env.setdefault("PREFECT_SERVER_API_HOST", "127.0.0.1")
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    local_url = _local_api_url(env)
    api_url = (env.get("PREFECT_API_URL") or local_url).rstrip("/")
    env["PREFECT_API_URL"] = api_url
    return PrefectEnvironment(env, api_url, local=api_url.replace("://localhost:", "://127.0.0.1:") == local_url)


def _scheduler_warning() -> str | None:
    """Prefect 3.8's scheduler service cannot insert scheduled runs with SQLAlchemy 2.1 (measured here:
    'Can't evaluate bulk DML statement' in the server log, no run is ever scheduled); 2.0.x works."""
    sqlalchemy, prefect = package_version("sqlalchemy"), package_version("prefect")
    if prefect.startswith("3.8.") and tuple(int(p) for p in sqlalchemy.split(".")[:2]) >= (2, 1):
        return (f"warning: SQLAlchemy {sqlalchemy} breaks the scheduler of Prefect {prefect}: the server will "
                "create no scheduled runs (02:00 never fires; runs started by hand work). Pin SQLAlchemy<2.1.")
    return None


def _healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if its parent (`pathways run`, `serve`, `check`) dies, even by SIGKILL
    (no orphaned server). A parent gone already before the request was made is noticed too."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


class _Children:
    """Child processes, each in a session of its own: Ctrl-C reaches only `pathways run`, which stops
    the deployment first and then the server, each with everything it started (its process group)."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen[bytes], signal.Signals]] = []

    def start(self, name: str, args: list[str], env: dict[str, str], stop_signal: signal.Signals = signal.SIGTERM,
              **kwargs: Any) -> subprocess.Popen[bytes]:
        parent = os.getpid()
        process = subprocess.Popen(args, env=env, start_new_session=True,
                                   preexec_fn=(lambda: _die_with_parent(parent)) if sys.platform == "linux" else None,
                                   **kwargs)
        self.running.append((name, process, stop_signal))
        return process

    def exited(self) -> tuple[str, int] | None:
        for name, process, _ in self.running:
            if process.poll() is not None:
                return name, process.returncode
        return None

    def stop(self, grace: float = 15.0) -> None:
        for name, process, stop_signal in reversed(self.running):
            if process.poll() is None:
                click.echo(f"stopping {name} (pid {process.pid})", err=True)
            for sig, wait in ((stop_signal, grace), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)  # the whole group: flow runs, uvicorn workers
                try:
                    process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.running.clear()


class _Stop(Exception):
    pass


def _serve_with_prefect(prefect: PrefectEnvironment, dashboard: bool = False) -> None:
    """Start `prefect server start` (unless another server is configured or one already answers), wait
    until it is healthy, serve the nightly deployment, and stop both on Ctrl-C, SIGTERM or SIGHUP."""
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in signals}
    children = _Children()
    try:
        _start_server(prefect, children, received)
        # SIGINT: Prefect's runner shuts down cleanly on KeyboardInterrupt (its SIGTERM path warns).
        children.start("the nightly deployment", [sys.executable, "-m", "flows.nightly"], prefect.env,
                       stop_signal=signal.SIGINT)
        click.echo(f"nightly checks served as 'nattlig-kontroll/nattlig' (cron 0 2 * * *, Europe/Oslo) "
                   f"against {prefect.api_url}")
        click.echo(f"Prefect UI: {prefect.ui_url}" if prefect.ui_url else "Prefect UI: disabled")
        if dashboard:
            children.start("the dashboard", [sys.executable, "-m", "ui"], prefect.env, stop_signal=signal.SIGINT)
            click.echo(f"dashboard: {_dashboard_address(prefect.env)}/ (API docs at /api/docs)")
        click.echo("press Ctrl-C to stop")
        while not received:
            if (gone := children.exited()) is not None:
                raise click.ClickException(f"{gone[0]} stopped unexpectedly (exit code {gone[1]})")
            time.sleep(0.5)
    except _Stop:
        pass
    finally:
        children.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"stopped ({signal.Signals(received[0]).name})" if received else "stopped")


def _start_server(prefect: PrefectEnvironment, children: _Children, received: list[int]) -> None:
    if not prefect.local:
        click.echo(f"PREFECT_API_URL is {prefect.api_url}: using that server, not starting one here")
        server, log, offset = None, None, 0
    elif _healthy(prefect.api_url):
        click.echo(f"a Prefect server already answers at {prefect.api_url}; using it")
        return
    else:
        home = Path(prefect.env["PREFECT_HOME"])
        home.mkdir(parents=True, exist_ok=True)
        log = home / "server.log"
        offset = log.stat().st_size if log.exists() else 0  # the log is appended to; show only this start
        click.echo(f"starting the Prefect server (database under {home}, log {log})")
        if warning := _scheduler_warning():
            click.echo(warning, err=True)
        with log.open("ab") as sink:
            server = children.start("the Prefect server", [sys.executable, "-m", "prefect", "server", "start"],
                                    prefect.env, stdout=sink, stderr=subprocess.STDOUT)
    started = time.monotonic()
    while not _healthy(prefect.api_url):
        if received:
            raise _Stop
        if server is not None and server.poll() is not None:
            tail = log.read_bytes()[offset:].decode(errors="replace").splitlines()[-20:] if log else []
            raise click.ClickException("\n".join([f"the Prefect server exited with code {server.returncode}; "
                                                  f"the end of {log}:", *tail]))
        if time.monotonic() - started > PREFECT_STARTUP_TIMEOUT:
            where = f"; see {log}" if log else ""
            raise click.ClickException(f"no answer from {prefect.api_url}/health after "
                                       f"{PREFECT_STARTUP_TIMEOUT:.0f} s{where}")
        time.sleep(0.5)
    click.echo(f"Prefect server ready at {prefect.api_url}" + (f" after {time.monotonic() - started:.1f} s"
                                                                if server is not None else ""))


def _prefect_defaults_for_check() -> None:
    """The settings `run` uses, for a check run on demand. Prefect reads its settings when it is first
    imported, so this only has an effect before that (in tests the harness has set them already)."""
    if "prefect" in sys.modules:
        return
    os.environ.setdefault("PREFECT_HOME", str(var_dir() / "prefect"))
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)  # Prefect makes no parents
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # A fresh var/prefect takes ~15 s to migrate here; Prefect's default limit is 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    local_url = _local_api_url(dict(os.environ))
    if "PREFECT_API_URL" not in os.environ and _healthy(local_url, timeout=0.5):
        # `pathways run` is serving here: report the run to its server (and its UI) instead of starting
        # a temporary second server on the same database.
        os.environ["PREFECT_API_URL"] = local_url


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _temporary_server(children: _Children) -> None:
    """A Prefect server for one `check`, started by us rather than by Prefect's ephemeral mode, so that it
    dies with this process even when it is killed with SIGKILL (Prefect's own temporary server stays
    running then). Sets PREFECT_API_URL; `children.stop()` stops it. Messages go to stderr (stdout may
    be JSON)."""
    port = _free_port()
    env = {**os.environ, "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port),
           "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false"}
    api_url = f"http://127.0.0.1:{port}/api"
    home = Path(env["PREFECT_HOME"]).expanduser()
    log = home / "check-server.log"
    offset = log.stat().st_size if log.exists() else 0
    click.echo(f"starting a temporary Prefect server on 127.0.0.1:{port} (database under {home}, log {log})",
               err=True)
    with log.open("ab") as sink:
        server = children.start("the temporary Prefect server",
                                [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-services"], env, stdout=sink, stderr=subprocess.STDOUT)
    started = time.monotonic()
    while not _healthy(api_url):
        if server.poll() is not None:
            tail = log.read_bytes()[offset:].decode(errors="replace").splitlines()[-20:]
            raise click.ClickException("\n".join([f"the temporary Prefect server exited with code "
                                                  f"{server.returncode}; the end of {log}:", *tail]))
        if time.monotonic() - started > PREFECT_STARTUP_TIMEOUT:
            raise click.ClickException(f"no answer from {api_url}/health after {PREFECT_STARTUP_TIMEOUT:.0f} s; "
                                       f"see {log}")
        time.sleep(0.3)
    os.environ["PREFECT_API_URL"] = api_url


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


if __name__ == "__main__":
    main()
