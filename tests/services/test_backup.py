"""Backup and restore (issue 17): the drill (writers busy while the backup runs, then a restore into a fresh
store that rebuilds every case and sweeps to the same flags), and every refusal with the target untouched.
Both backends."""

from __future__ import annotations

import io
import json
import tarfile
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, inspect, select, text, update
from sqlmodel import Session

from pathways.calendar import FixedClock
from pathways.checks.sweep import run_checks
from pathways.demo import generate
from pathways.services import backup as backups
from pathways.services import cases
from pathways.services.backup import BackupError, backup, prune, read_manifest, restore
from pathways.services.context import Context, ServiceError
from pathways.store.tables import Enrolment, Event, Flag, Participant

ON = date(2026, 11, 22)


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def flags_of(engine: Engine, exclude: set[int] = frozenset()) -> list[tuple]:
    with Session(engine) as session:
        return sorted((f.natural_key, f.kind, f.state, f.severity, f.message, f.due) for f in session.exec(
            select(Flag)).scalars() if f.enrolment_id not in exclude)


def active_cases(engine: Engine) -> list[int]:
    with engine.connect() as connection:
        return list(connection.execute(select(Enrolment.id).where(Enrolment.status == "active")
                                       .order_by(Enrolment.id)).scalars())


@pytest.fixture
def cohort(ctx: Context) -> Context:
    generate(ctx.engine, 120, seed=17, today=ON)
    run_checks(ctx.engine, ON)
    return ctx


def test_drill_backup_while_four_writers_advance_then_restore_verified(cohort, schemaless, tmp_path):
    ctx = cohort
    active = active_cases(ctx.engine)
    assert len(active) >= 40
    mine = [active[i::4] for i in range(4)]  # each writer its own cases: no conflicts between them
    stop, touched, errors = threading.Event(), set(), []
    started = threading.Barrier(5)

    def writer(own: list[int]) -> None:
        started.wait()
        paused: set[int] = set()
        while not stop.is_set():
            for case in own:
                if stop.is_set():
                    break
                try:
                    if case in paused:
                        cases.resume(ctx, case, ON)
                        paused.discard(case)
                    else:
                        cases.pause(ctx, case, ON, "velferd")
                        paused.add(case)
                    touched.add(case)
                except ServiceError:
                    continue
                except Exception as exc:
                    errors.append(exc)
                    return

    threads = [threading.Thread(target=writer, args=(own,)) for own in mine]
    for thread in threads:
        thread.start()
    started.wait()
    time.sleep(0.3)  # the writers are busy
    with ctx.engine.connect() as connection:
        committed = set(connection.execute(select(Event.id)).scalars())  # every event committed before it began
    file = tmp_path / "backups" / "pathways-test.tar"
    manifest = backup(ctx.engine, file, ctx.clock)
    time.sleep(0.2)  # and after it
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert touched, "the writers advanced nothing"
    assert file.stat().st_mode & 0o777 == 0o600
    assert manifest.counts["event"] >= len(committed)

    done = restore(file, url_of(schemaless))
    assert done.differences == []
    assert done.cases == manifest.counts["enrolment"]
    with schemaless.connect() as connection:
        restored_events = set(connection.execute(select(Event.id)).scalars())
        counts = {t: connection.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one() for t in manifest.counts}
    assert committed <= restored_events
    assert counts == manifest.counts  # the manifest counted the snapshot itself

    # the restored store runs the nightly check; the cases no writer touched get the flags they have here
    run_checks(ctx.engine, ON)
    run_checks(schemaless, ON)
    assert flags_of(schemaless, exclude=touched) == flags_of(ctx.engine, exclude=touched)
    assert flags_of(schemaless, exclude=touched)


def test_restore_refuses_with_the_target_untouched(cohort, schemaless, tmp_path):
    ctx = cohort
    good = tmp_path / "good.tar"
    manifest = backup(ctx.engine, good, ctx.clock)
    target = url_of(schemaless)

    def untouched() -> None:
        assert inspect(schemaless).get_table_names() == []

    # truncated
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(BackupError, match=r"truncated|corrupt|not a pathways backup"):
        restore(truncated, target)
    untouched()

    # corrupt: one byte of the payload changed, the size kept
    corrupt = tmp_path / "corrupt.tar"
    data = bytearray(good.read_bytes())
    data[-20000] ^= 0xFF
    corrupt.write_bytes(bytes(data))
    with pytest.raises(BackupError, match=r"corrupt|truncated"):
        restore(corrupt, target)
    untouched()

    # not a backup at all
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"this is no tar file" * 100)
    with pytest.raises(BackupError, match="not a pathways backup"):
        restore(garbage, target)
    untouched()

    # from a newer schema
    newer = tmp_path / "newer.tar"
    with tarfile.open(good) as source, tarfile.open(newer, "w") as out:
        for member in source.getmembers():
            payload = source.extractfile(member)
            assert payload is not None
            data = payload.read()
            if member.name == "manifest.json":
                raw = json.loads(data)
                raw["revision"] = "9999_from_the_future"
                data = json.dumps(raw).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match=r"9999_from_the_future.*does not know"):
        restore(newer, target)
    untouched()

    # a store that is not empty: the source itself
    before = flags_of(ctx.engine)
    with pytest.raises(BackupError, match="not empty"):
        restore(good, url_of(ctx.engine))
    assert flags_of(ctx.engine) == before

    # the other backend
    other = "sqlite:////tmp/never-made.db" if manifest.backend == "postgresql" else \
        "postgresql://nobody@127.0.0.1:1/none"
    with pytest.raises(BackupError, match="cannot be restored into"):
        restore(good, other)
    assert not Path("/tmp/never-made.db").exists()

    # and the good one still restores
    assert restore(good, target).differences == []


def test_restore_reports_a_case_whose_state_does_not_rebuild(cohort, schemaless, tmp_path):
    ctx = cohort
    case = active_cases(ctx.engine)[0]
    with ctx.engine.begin() as connection:
        state = json.loads(connection.execute(select(Enrolment.state).where(Enrolment.id == case)).scalar_one())
        state["steps"] = ["et_steg_som_ikke_finnes"]
        connection.execute(update(Enrolment).where(Enrolment.id == case).values(state=json.dumps(state)))
    file = tmp_path / "b.tar"
    backup(ctx.engine, file, ctx.clock)
    done = restore(file, url_of(schemaless))
    assert [c for c, _ in done.differences] == [case]
    assert "steps" in done.differences[0][1]


def test_backup_of_an_uninitialised_store_is_refused(schemaless, tmp_path):
    if schemaless.url.get_backend_name() == "sqlite":  # a file must exist for the online backup to read it
        with schemaless.begin() as connection:
            connection.execute(text("CREATE TABLE leftover (id integer)"))
    with pytest.raises(BackupError, match="not initialised"):
        backup(schemaless, tmp_path / "x.tar", FixedClock(ON))
    assert not (tmp_path / "x.tar").exists()


def test_missing_pg_dump_is_a_clear_error(monkeypatch, ctx, tmp_path):
    if ctx.engine.url.get_backend_name() != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's")
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup(ctx.engine, tmp_path / "x.tar", ctx.clock)


def test_prune_keeps_the_newest(tmp_path):
    names = [f"pathways-2026120{d}T013000Z.tar" for d in range(1, 6)]
    for name in [*names, "other.tar", "pathways-notes.txt"]:
        (tmp_path / name).write_bytes(b"x")
    gone = prune(tmp_path, 2)
    assert [p.name for p in gone] == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[3:], "other.tar", "pathways-notes.txt"])
    with pytest.raises(BackupError, match="at least one"):
        prune(tmp_path, 0)


def test_cli_backup_and_restore(cohort, schemaless, tmp_path, monkeypatch):
    from pathways.cli import main

    monkeypatch.setenv("PATHWAYS_DATABASE_URL", url_of(cohort.engine))
    monkeypatch.setenv("PATHWAYS_BACKUP_DIR", str(tmp_path / "kopier"))
    runner = CliRunner()
    made = runner.invoke(main, ["backup", "--json"])
    assert made.exit_code == 0, made.output
    file = Path(json.loads(made.stdout)["file"])
    assert file.parent == tmp_path / "kopier" and backups.NAME.match(file.name)
    with cohort.engine.connect() as connection:
        people = connection.execute(select(func.count()).select_from(Participant)).scalar_one()
    assert read_manifest(file).counts["participant"] == people >= 120
    done = runner.invoke(main, ["restore", str(file), "--into", url_of(schemaless)])
    assert done.exit_code == 0, done.output
    assert "0 differ" in done.stdout
    again = runner.invoke(main, ["restore", str(file), "--into", url_of(schemaless)])
    assert again.exit_code == 1 and "not empty" in again.output

