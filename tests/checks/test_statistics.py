"""The nightly sweep leaves the planner statistics fresh (issue 13, Speed): after it rewrote the flags it
analyses the tables it rewrote, so the first caseload of the day is planned on the store as it is."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from pathways.checks.sweep import rewritten, run_checks
from pathways.services import cases
from pathways.services.participants import add_participant


def _analysed(ctx) -> dict[str, int]:
    """Rows the planner believes each table has (SQLite: sqlite_stat1; PostgreSQL: pg_class.reltuples after
    ANALYZE, with the time of the last analyse)."""
    with ctx.engine.connect() as connection:
        if ctx.engine.dialect.name == "sqlite":
            exists = text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if connection.execute(exists).scalar_one() == 0:
                return {}  # never analysed
            found = connection.execute(text("SELECT tbl, stat FROM sqlite_stat1"))
            return {tbl: int(stat.split()[0]) for tbl, stat in found}
        found = connection.execute(text(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL "
            "AND schemaname = current_schema()"))
        return {name: int(rows) for name, rows in found}


def test_the_sweep_analyses_the_flags_it_wrote(ctx):
    for i in range(3):
        pid = add_participant(ctx, name=f"Deltaker {i}", born="1990-01-01", settled="2026-05-01", kommune="Asker")
        cases.enrol(ctx, pid, "introduksjonsprogram", date(2026, 6, 1), "kari")
    assert "flag" not in _analysed(ctx)
    report = run_checks(ctx.engine, date(2026, 11, 22))
    with ctx.engine.connect() as connection:
        flags = connection.execute(text("SELECT count(*) FROM flag")).scalar_one()
    assert flags > 0
    analysed = _analysed(ctx)
    assert analysed.get("flag") == flags  # the statistics count the flags just written
    assert {"flag", "enrolment"} <= set(rewritten(["income_gaps"], report))
