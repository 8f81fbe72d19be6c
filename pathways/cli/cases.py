"""The case engine: participants, their cases and livelihood periods, and a synthetic demo cohort."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import click

from pathways.cli import _context, _emit, _fail, _pairs, iso_date, main
from pathways.demo import generate
from pathways.income.gaps import SOURCES, Gap
from pathways.services.cases import advance, enrol, gap_json, show
from pathways.services.context import ServiceError
from pathways.services.innsyn import FORMATS, export
from pathways.services.innsyn_document import pdf
from pathways.services.livelihood import (
    add_income,
    confirm_income,
    correct_income,
    delete_income,
    end_income,
    extend_income,
    participant_gaps,
    participant_livelihood,
)
from pathways.services.participants import (
    FACT_FIELDS,
    ImportRejected,
    add_participant,
    check_import,
    import_participants,
)
from pathways.store.tables import LivelihoodPeriod


@main.command("demo")
@click.option("--participants", "count", type=click.IntRange(1, 2_000_000), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--kommune", "kommuner", multiple=True, metavar="NAME",
              help="Put the cohort in this kommune (repeatable; default: ten demo kommuner).")
def demo_command(count: int, seed: int, kommuner: tuple[str, ...]) -> None:
    """Add a realistic synthetic cohort (invented names), deterministic for a seed."""
    ctx = _context()
    started = time.perf_counter()
    with click.progressbar(length=count, label="Lager demodeltakere", file=sys.stderr) as bar:
        try:
            added = generate(ctx.engine, count, seed, ctx.today(), progress=bar.update, now=ctx.now(),
                             kommuner=[k.strip() for k in kommuner if k.strip()] or None)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"added {added} participants with one case each in {time.perf_counter() - started:.1f} s")


@main.group()
def participants() -> None:
    """Add, import or export participants."""


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
    pid = add_participant(_context(), name=name, born=born, settled=settled,
                          kommune=kommune, fields=_pairs(fields, "--field"))
    _emit(as_json, {"id": pid}, str(pid))


@participants.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Only check the file and show the first rows; write nothing.")
@click.option("--json", "as_json", is_flag=True)
def participants_import(file: Path, check: bool, as_json: bool) -> None:
    """Import participants from CSV (comma or semicolon; UTF-8 or Windows-1252) or Excel .xlsx: columns
    name/navn, born/fødselsdato, settled/bosatt, kommune and the fact columns; dates 31.12.1990 or
    1990-12-31. All or nothing."""
    try:
        if check:
            try:
                with file.open("rb") as stream:
                    checked = check_import(_context(), stream, str(file))
            except OSError as exc:
                raise ServiceError("cannot_read_file", "file", path=file, reason=exc.strerror) from None
            lines = [f"{checked.count} participants can be imported" if not checked.failed
                     else f"{checked.failed} error(s); nothing would be imported",
                     *(f"  line {r['line']}: {r['name']}, born {r['born']}, {r['kommune']}" for r in checked.sample),
                     *(str(e) for e in checked.errors[:50])]
            _emit(as_json, checked.as_json(), "\n".join(lines))
            if checked.failed:
                sys.exit(1)
            return
        ids = import_participants(_context(), file)
    except ImportRejected as exc:
        if as_json:
            click.echo(json.dumps({"errors": [e.__dict__ for e in exc.errors]}, ensure_ascii=False, indent=2))
            sys.exit(1)
        _fail(exc)
    except ServiceError as exc:
        _fail(exc)
    _emit(as_json, {"imported": len(ids), "ids": ids}, f"imported {len(ids)} participants (ids {ids[0]}–{ids[-1]})")


@participants.command("export")
@click.argument("participant_id", type=int)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True,
              help="json: machine-readable; pdf: the document in bokmål the participant reads.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write to FILE (needed for pdf); without it the JSON goes to standard output.")
def participants_export(participant_id: int, fmt: str, out: Path | None) -> None:
    """Everything kept about a participant, for their right of access (innsyn): their facts, cases, events
    with their values, deadlines, livelihood, absence, flags, notes, hand-offs, tasks and who recorded what.
    The export is recorded in the audit trail."""
    if fmt == "pdf" and out is None:
        raise click.UsageError("--format pdf writes a file: name it with --out FILE")
    exported = export(_context(), participant_id, fmt)
    data = pdf(exported) if fmt == "pdf" else (exported.dumps() + "\n").encode()
    if out is None:
        click.echo(data.decode(), nl=False)
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    click.echo(f"wrote {out} ({fmt}, {len(data):,} bytes)", err=True)


@main.command("enrol")
@click.argument("participant_id", type=int)
@click.argument("pathway_id")
@click.option("--start", type=iso_date, required=True)
@click.option("--caseworker", default=None, help="The veileder or jobbspesialist responsible.")
@click.option("--json", "as_json", is_flag=True)
def enrol_command(participant_id: int, pathway_id: str, start: date, caseworker: str | None,
                  as_json: bool) -> None:
    """Start a participant on a pathway; prints the case id."""
    case_id = enrol(_context(), participant_id, pathway_id, start, caseworker)
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
    result = advance(_context(), case_id, event, on, _pairs(values, "--set"), step=step)
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
@click.option("--amount", default=None, help="Kroner per month, where the source has an amount.")
@click.option("--note", default=None)
@click.option("--json", "as_json", is_flag=True)
def income_add(participant_id: int, source: str, start: date, end: date | None, planned: bool, amount: str | None,
               note: str | None, as_json: bool) -> None:
    period = add_income(_context(), participant_id, source, start, end, planned=planned, amount=amount, note=note)
    _emit(as_json, {"id": period}, str(period))


def _period_json(row: LivelihoodPeriod) -> dict[str, Any]:
    return {"id": row.id, "source": row.source, "from": row.start.isoformat(),
            "to": row.end.isoformat() if row.end else None, "planned": row.planned,
            "amount_kr": row.amount_ore / 100 if row.amount_ore is not None else None, "note": row.note}


@income.command("list")
@click.argument("participant_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def income_list(participant_id: int, as_json: bool) -> None:
    """A participant's livelihood periods and the income gaps they leave (as of today)."""
    found = participant_livelihood(_context(), participant_id)
    periods = [_period_json(row) for row in found.periods]
    gaps = [gap_json(gap) for gap in found.gaps]
    lines = [f"{p['id']}: {p['source']} {p['from']}–{p['to'] or 'open'}{' planned' if p['planned'] else ''}"
             for p in periods] or ["no livelihood periods"]
    lines += [f"gap {g['start']}–{g['end']} ({g['kind']})" for g in gaps]
    _emit(as_json, {"periods": periods, "gaps": gaps}, "\n".join(lines))


@income.command("confirm")
@click.argument("period_id", type=int)
def income_confirm(period_id: int) -> None:
    """A planned period is confirmed (the decision is made, the contract signed)."""
    confirm_income(_context(), period_id)
    click.echo(f"period {period_id} confirmed")


@income.command("extend")
@click.argument("period_id", type=int)
@click.option("--to", "end", type=iso_date, default=None, help="The new end (later); leave out: open-ended.")
def income_extend(period_id: int, end: date | None) -> None:
    """The period runs on to a later date, or with no end."""
    extend_income(_context(), period_id, end)
    click.echo(f"period {period_id} runs {'to ' + end.isoformat() if end else 'with no end'}")


@income.command("end")
@click.argument("period_id", type=int)
@click.option("--on", "end", type=iso_date, required=True, help="The last day of the period.")
def income_end(period_id: int, end: date) -> None:
    """End a period (early, or give an open-ended one its end)."""
    end_income(_context(), period_id, end)
    click.echo(f"period {period_id} ends {end.isoformat()}")


@income.command("correct")
@click.argument("period_id", type=int)
@click.option("--source", default=None)
@click.option("--from", "start", type=iso_date, default=None)
@click.option("--to", "end", type=iso_date, default=None)
@click.option("--open-ended", is_flag=True, help="Remove the end date.")
@click.option("--planned/--confirmed", default=None)
@click.option("--amount", default=None)
@click.option("--note", default=None)
def income_correct(period_id: int, source: str | None, start: date | None, end: date | None, open_ended: bool,
                   planned: bool | None, amount: str | None, note: str | None) -> None:
    """Correct what was registered wrong: the fields given, checked together as one period."""
    if open_ended and end is not None:
        raise click.UsageError("give --to or --open-ended, not both")
    given: dict[str, Any] = {"source": source, "start": start, "end": end, "planned": planned, "amount": amount,
                             "note": note}
    changes = {name: value for name, value in given.items() if value is not None}
    if open_ended:
        changes["end"] = None
    if not changes:
        raise click.UsageError("nothing to correct: give at least one of --source, --from, --to, --open-ended, "
                               "--planned/--confirmed, --amount, --note")
    correct_income(_context(), period_id, **changes)
    click.echo(f"period {period_id} corrected: {', '.join(changes)}")


@income.command("delete")
@click.argument("period_id", type=int)
@click.option("--reason", required=True, help="Why (kept in the audit trail with what the period said).")
def income_delete(period_id: int, reason: str) -> None:
    """Delete a period registered by mistake."""
    delete_income(_context(), period_id, reason)
    click.echo(f"period {period_id} deleted")


@main.command("show")
@click.argument("case_id", type=int)
@click.option("--as-of", type=iso_date, default=None)
@click.option("--json", "as_json", is_flag=True)
def show_command(case_id: int, as_of: date | None, as_json: bool) -> None:
    """A case: current steps, allowed events, deadlines and income gaps."""
    view = show(_context(), case_id, as_of)
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
    found = participant_gaps(_context(), participant_id, as_of, horizon)
    text = "\n".join(_gap_line(g) for g in found) or "ingen gap"
    _emit(as_json, [gap_json(g) for g in found], text)


def _gap_line(gap: Gap) -> str:
    """One gap on a line; one the horizon cut is open-ended: its end is not known, only a least length."""
    if gap.open_ended:
        return f"fra {gap.start}, minst {gap.days} dager ({gap.kind}): {gap.reason}"
    return f"{gap.start} – {gap.end} ({gap.days} dager, {gap.kind}): {gap.reason}"
