"""One computation, one answer: the nightly income-gap flag of every participant of a 2 000-person demo
cohort names the trigger, the days and the kind that ``pathways gaps --json`` gives on the same date
(the gaps still open on that date: a gap closed before it is history, not a flag)."""

from __future__ import annotations

import json
import random
import re
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from pathways.calendar import FixedClock
from pathways.checks.rules import TRIGGER_WORDS
from pathways.checks.sweep import run_checks
from pathways.cli import main
from pathways.demo import generate
from pathways.services.context import Context
from pathways.services.publishing import publish_folder
from pathways.store.database import make_engine, migrate
from pathways.store.tables import Flag, Participant
from tests.conftest import DEFINITIONS

ON = date(2026, 11, 22)
TRIGGERS = {words: code for code, words in TRIGGER_WORDS.items()}
MESSAGE = re.compile(r"Inntektsgap \((nå|kommer)\) (?:fra (\S+), minst (\d+) dager|(\S+) – (\S+) \((\d+) dag(?:er)?\))"
                     r"(?: \(utløser: ([^)]+)\))?: ")


def day(text: str) -> date:
    return datetime.strptime(text, "%d.%m.%Y").date()


def read(flag: Flag) -> tuple:
    """What a person reads in the flag: the kind, the first day, the last day looked at, whether the
    gap runs on past it, and the trigger."""
    found = MESSAGE.match(flag.message)
    assert found, flag.message
    when, open_start, open_days, start, end, _, words = found.groups()
    kind = "current" if when == "nå" else "projected"
    if open_start:
        first = day(open_start)
        return kind, first, first + timedelta(days=int(open_days) - 1), True, TRIGGERS.get(words)
    return kind, day(start), day(end), False, TRIGGERS.get(words)


@pytest.mark.slow  # half a minute: about 600 runs of the command
def test_every_nightly_gap_flag_matches_pathways_gaps(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = make_engine(url)
    migrate(engine)
    publish_folder(Context(engine, FixedClock(ON)), DEFINITIONS)
    assert generate(engine, 2_000, seed=15, today=ON) == 2_000
    run_checks(engine, ON, ["income_gaps"])
    with Session(engine) as session:
        people = session.exec(select(Participant.id)).all()
        flags = session.exec(select(Flag).where(Flag.kind == "inntektsgap")).all()
    nightly: dict[int, set[tuple]] = {pid: set() for pid in people}
    for flag in flags:
        assert flag.state == "open" and flag.participant_id is not None
        nightly[flag.participant_id].add(read(flag))
        assert flag.due == read(flag)[1]

    monkeypatch.setenv("PATHWAYS_DATABASE_URL", url)
    runner = CliRunner()
    command: dict[int, set[tuple]] = {}
    # every participant the night flagged, and as many of the others again, chosen at random (seeded): the
    # command and the night must agree on both
    flagged = sorted(pid for pid, found in nightly.items() if found)
    others = random.Random(15).sample(sorted(set(people) - set(flagged)), k=min(len(people) - len(flagged),
                                                                               max(400, len(flagged))))
    nightly = {pid: nightly[pid] for pid in flagged + others}
    for pid in flagged + others:
        result = runner.invoke(main, ["gaps", str(pid), "--as-of", ON.isoformat(), "--json"])
        assert result.exit_code == 0, result.output
        command[pid] = {(g["kind"], date.fromisoformat(g["start"]), date.fromisoformat(g["end"]), g["open_ended"],
                         g["trigger"]) for g in json.loads(result.stdout) if date.fromisoformat(g["end"]) >= ON}
    assert len(flags) > 50 and len({f[4] for found in command.values() for f in found}) >= 3  # a real mix
    assert nightly == command
