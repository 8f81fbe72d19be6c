"""Retention and deletion (issue 17): a participant whose last case ended beyond the policy's years is listed,
archived (JSON and PDF) and deleted; nothing of them is left in any table (searched for their name, birth
date and id); cohort counts are the same before and after; nothing happens without the confirmed list."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, String, Text, select
from sqlmodel import Session, SQLModel

from pathways.checks.sweep import run_checks
from pathways.services import cases, dashboard, livelihood, participants, readlog, retention
from pathways.services.retention_policy import load_policy
from pathways.store.tables import Enrolment, Participant

TODAY = date(2026, 11, 22)
NAME, BORN = "Zahra Testesen", date(1987, 5, 17)


@pytest.fixture
def people(ctx, clock):
    """Zahra: one case ended in 2013 with a period, a note, flags and reads; Omar: ended in 2023 (flags due
    only); Lina: active."""
    clock.set(date(2012, 4, 1))
    zahra = participants.add_participant(ctx, name=NAME, born=BORN.isoformat(), settled="2012-03-09",
                                         kommune="Asker")
    case = cases.enrol(ctx, zahra, "introduksjonsprogram", date(2012, 4, 1), "kari")
    livelihood.add_income(ctx, zahra, "introduksjonsstonad", date(2012, 4, 1), date(2013, 1, 31),
                          note="Zahra Testesen får stønad")
    dashboard.add_note(ctx, case, "Samtale med Zahra Testesen om arbeidspraksis")
    clock.set(date(2012, 9, 1))
    run_checks(ctx.engine, date(2012, 9, 1))  # flags of the running case
    clock.set(date(2013, 2, 1))
    cases.discontinue(ctx, case, date(2013, 2, 1))
    clock.set(date(2023, 3, 1))
    omar = participants.add_participant(ctx, name="Omar Eksempel", born="1990-01-01", settled="2023-01-10",
                                        kommune="Asker")
    omar_case = cases.enrol(ctx, omar, "introduksjonsprogram", date(2023, 3, 1), "kari")
    clock.set(date(2024, 1, 10))
    run_checks(ctx.engine, date(2024, 1, 10))
    cases.discontinue(ctx, omar_case, date(2024, 1, 10))
    clock.set(TODAY)
    lina = participants.add_participant(ctx, name="Lina Aktiv", born="1995-01-01", settled="2026-01-10",
                                        kommune="Asker")
    cases.enrol(ctx, lina, "introduksjonsprogram", date(2026, 2, 1), "kari")
    cases.show(ctx, case)  # a read in the read log
    readlog.flush()
    return {"zahra": zahra, "zahra_case": case, "omar": omar, "lina": lina}


def _everything(engine: Engine) -> list[tuple[str, str, object]]:
    """Every value of every text column and every participant-id column of every table."""
    found = []
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c.name for c in table.columns if isinstance(c.type, String | Text) or c.name.endswith(
                "participant_id")]
            if not columns:
                continue
            for row in connection.execute(select(*[table.c[c] for c in columns])):
                found += [(table.name, c, v) for c, v in zip(columns, row, strict=True) if v is not None]
    return found


def test_plan_lists_what_falls_due_and_changes_nothing(ctx, people):
    found = retention.plan(ctx)
    due = {d.participant_id: d for d in found.due}
    assert set(due) == {people["zahra"], people["omar"]}
    assert due[people["zahra"]].classes == ("case_history", "notes", "livelihood", "flags")
    assert due[people["zahra"]].archive(found.policy) and due[people["zahra"]].since == date(2013, 2, 1)
    assert due[people["omar"]].classes == ("flags",) and not due[people["omar"]].archive(found.policy)
    assert retention.plan(ctx).as_json() == found.as_json()  # planning wrote nothing


def test_apply_archives_then_leaves_nothing_of_the_person_and_keeps_the_counts(ctx, people, tmp_path):
    before = dashboard.cohort(ctx, "introduksjonsprogram")
    zahra = people["zahra"]
    folder = tmp_path / "arkiv"
    done = retention.apply(ctx, [zahra, people["omar"]], retention.archive_participant, folder=folder)
    assert (done.participants, done.removed, done.skipped) == (2, 1, 0)

    archived = sorted(folder.iterdir())
    assert [p.suffix for p in archived] == [".json", ".pdf"] and all(p.stat().st_mode & 0o777 == 0o600
                                                                        for p in archived)
    record = json.loads(archived[0].read_text())
    assert record["participant"]["name"] == NAME and record["cases"][0]["events"]
    assert archived[1].read_bytes().startswith(b"%PDF")

    left = _everything(ctx.engine)
    for needle in ("Zahra", "Testesen", BORN.isoformat(), "17.05.1987"):
        assert [x for x in left if needle in str(x[2])] == [], needle
    assert [x for x in left if x[1].endswith("participant_id") and x[2] == zahra] == []
    with Session(ctx.engine) as session:
        assert session.get(Participant, zahra) is None
        moved = session.get(Enrolment, people["zahra_case"])
        assert moved is not None and moved.status == "discontinued" and moved.caseworker is None
        pseudonym = session.get(Participant, moved.participant_id)
        assert pseudonym.name.startswith("Anonymisert ") and pseudonym.birth_date == date(1987, 1, 1)
        assert pseudonym.pseudonymised_on == TODAY
    after = dashboard.cohort(ctx, "introduksjonsprogram")
    assert (after.active, after.outcomes, after.finished, after.per_step) == (
        before.active, before.outcomes, before.finished, before.per_step)

    # Omar kept everything but his flags; nothing falls due any more
    assert participants.read_participant(ctx, people["omar"])[0].name == "Omar Eksempel"
    assert retention.plan(ctx).due == []
    again = retention.apply(ctx, [zahra, people["omar"]], retention.archive_participant, folder=folder)
    assert (again.participants, again.skipped) == (0, 2)


def test_only_the_confirmed_are_carried_out(ctx, people, tmp_path):
    folder = tmp_path / "arkiv"
    done = retention.apply(ctx, [people["omar"], people["lina"]], retention.archive_participant, folder=folder)
    assert (done.participants, done.skipped) == (1, 1)  # Lina is not due; Zahra was not confirmed
    assert participants.read_participant(ctx, people["zahra"])[0].name == NAME
    assert not folder.exists()  # Omar's flags are deleted, not archived
    dry = retention.apply(ctx, [people["zahra"]], retention.archive_participant, folder=folder, dry_run=True)
    assert dry.participants == 1 and participants.read_participant(ctx, people["zahra"])[0].name == NAME


def test_a_bad_policy_is_refused_with_its_line(tmp_path):
    policy = tmp_path / "p.yaml"
    policy.write_text("classes:\n  case_history: {years: 3, then: archive}\n  notes: {years: 5, then: archive}\n"
                      "  livelihood: {years: 2, then: delete}\n  flags: {years: 2, then: burn}\n"
                      "  read_log: {years: 5, then: delete}\n")
    with pytest.raises(ValueError, match=r"p.yaml:5"):
        load_policy(policy)
    policy.write_text(policy.read_text().replace("burn", "delete"))
    with pytest.raises(ValueError, match="notes cannot be kept longer"):
        load_policy(policy)


def test_cli_plan_and_apply(ctx, people, tmp_path, monkeypatch):
    from pathways.cli import main

    monkeypatch.setenv("PATHWAYS_DATABASE_URL", ctx.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("PATHWAYS_ARCHIVE_DIR", str(tmp_path / "arkiv"))
    runner = CliRunner()
    shown = runner.invoke(main, ["retention", "plan", "--json"])
    assert shown.exit_code == 0, shown.output
    assert {d["participant"] for d in json.loads(shown.stdout)["due"]} == {people["zahra"], people["omar"]}
    refused = runner.invoke(main, ["retention", "apply"], input="n\n")
    assert refused.exit_code == 1 and participants.read_participant(ctx, people["zahra"])[0].name == NAME
    done = runner.invoke(main, ["retention", "apply", "--yes"])
    assert done.exit_code == 0, done.output
    assert "applied to 2 participants: 1 replaced by a pseudonym, 2 archive files" in done.stdout
    assert len(list((tmp_path / "arkiv").iterdir())) == 2
    assert "nothing falls due" in runner.invoke(main, ["retention", "apply", "--yes"]).stdout
