"""The demo cohort: deterministic for a seed, spread over the catalogue, and every case rebuildable."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from pathways.calendar import FixedClock
from pathways.demo import generate
from pathways.services import cases
from pathways.services.context import Context
from pathways.services.publishing import publish_folder
from pathways.store.database import make_engine, migrate
from pathways.store.tables import Enrolment, LivelihoodPeriod
from tests.conftest import DEFINITIONS

TODAY = date(2026, 11, 22)


def demo_store(path: Path, participants: int, seed: int) -> Context:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    ctx = Context(engine, FixedClock(TODAY))
    publish_folder(ctx, DEFINITIONS)
    assert generate(engine, participants, seed=seed, today=TODAY) == participants
    return ctx


def summary(ctx: Context) -> list[tuple]:
    with Session(ctx.engine) as session:
        return [(c.pathway_id, c.status, c.current_steps, c.start_date, c.state) for c in
                session.exec(select(Enrolment).order_by(Enrolment.id))]


def test_demo_is_deterministic_realistic_and_rebuildable(tmp_path):
    ctx = demo_store(tmp_path / "a.db", 300, seed=7)
    first = summary(ctx)
    pathways = Counter(p for p, *_ in first)
    assert pathways.most_common(1)[0][0] == "introduksjonsprogram" and len(pathways) >= 10
    statuses = Counter(s for _, s, *_ in first)
    assert statuses["active"] > 0 and statuses["discontinued"] > 0 and statuses["completed"] > 0
    with Session(ctx.engine) as session:
        periods = session.exec(select(LivelihoodPeriod)).all()
        assert periods and all(p.end is None or p.end >= p.start for p in periods)
    for case_id in range(1, 301):  # every case can be shown (its income periods are valid input)
        assert cases.show(ctx, case_id).id == case_id
    for case_id in range(1, 301, 7):
        assert cases.rebuild(ctx, case_id) == cases.stored_state(ctx, case_id)
    assert summary(demo_store(tmp_path / "b.db", 300, seed=7)) == first
    assert summary(demo_store(tmp_path / "c.db", 300, seed=8)) != first
