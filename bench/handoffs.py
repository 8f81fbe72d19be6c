"""Benchmark: sending and accepting a hand-off through the service layer (the checklist from the definition,
the hand-off row and its items, the event on the case, the receiver's scope).

Target (issue 14): p95 ≤ 50 ms for each. Runs on a fresh SQLite file and, when PATHWAYS_TEST_POSTGRES_URL (or
--postgres URL) is set, on a fresh PostgreSQL schema.

With ``--sweep URL`` (a ``pathways demo`` store), it measures instead what the hand-off family adds to the
nightly sweep (target ≤ 10 %): it hands ``--share`` of the active cases to a NAV unit of their kommune (rows
written directly, a third of them overdue, all planned within 30 days), then times the whole sweep and the
hand-off family's rule (its two queries and the flags it states; reconciling a few hundred flags is small).

    python bench/handoffs.py --sweep sqlite:///var/demo.db [--share 0.05]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, delete, insert  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from bench._timing import postgres_schema, timed  # noqa: E402
from pathways.calendar import FixedClock  # noqa: E402
from pathways.checks.config import load_config  # noqa: E402
from pathways.checks.rules import handoffs as handoff_rule  # noqa: E402
from pathways.checks.sweep import run_checks  # noqa: E402
from pathways.engine.state import ACTIVE  # noqa: E402
from pathways.services import cases, handoffs, participants  # noqa: E402
from pathways.services.accounts import add_user  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.services.publishing import publish_folder  # noqa: E402
from pathways.services.units import add_unit  # noqa: E402
from pathways.store.database import make_engine, migrate  # noqa: E402
from pathways.store.queries.units import default_unit  # noqa: E402
from pathways.store.tables import Enrolment, Handoff, HandoffItem, Kommune, Unit, User  # noqa: E402

CASES = 200
TODAY = date(2026, 11, 22)
TARGET_P95 = 50.0
PASSWORD = "riktig-hest-batteri-stift-benk"


def _actor(ctx: Context, username: str, kind: str) -> Actor:
    with Session(ctx.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        kommune = session.get(Kommune, user.kommune_id)
        assert kommune is not None
    return Actor.user(user.id or 0, user.username, user.role, user.kommune_id, kommune.name, user.unit_id, kind)


def _figures(label: str, what: str, timings: list[float]) -> None:
    timings.sort()
    p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95)]
    print(f"{label:<11} {what} × {len(timings)}: p50 {p50:6.2f} ms   p95 {p95:6.2f} ms (target ≤ {TARGET_P95:g}, "
          f"ratio {p95 / TARGET_P95:.2f})")


def run(engine: Engine, label: str) -> None:
    migrate(engine)
    ctx = Context(engine, FixedClock(TODAY), actor=Actor.system("bench"))
    publish_folder(ctx, ROOT / "definitions")
    add_user(ctx, username="kari", name="Kari Veileder", role="veileder", kommune="Bærum", password=PASSWORD)
    nav = add_unit(ctx, kind="nav", name="NAV Bærum", kommune="Bærum")
    add_user(ctx, username="nina", name="Nina Nav", role="veileder", kommune="Bærum", unit="NAV Bærum",
             password=PASSWORD)
    ids = []
    for n in range(CASES):
        pid = participants.add_participant(ctx, name=f"Bench {n}", born="1992-03-04", settled="2026-10-01",
                                           kommune="Bærum")
        ids.append(cases.enrol(ctx, pid, "introduksjonsprogram", date(2026, 10, 5), "kari"))
    kari = Context(engine, ctx.clock, actor=_actor(ctx, "kari", "flyktningtjeneste"))
    nina = Context(engine, ctx.clock, actor=_actor(ctx, "nina", "nav"))
    sent, accepted, numbers = [], [], []
    for case in ids:
        started = time.perf_counter()
        numbers.append(handoffs.send(kari, case, to_unit=nav, on=TODAY + timedelta(days=14), message="Til NAV",
                                     ticks=["samtykke"]))
        sent.append((time.perf_counter() - started) * 1000)
    for number in numbers:
        started = time.perf_counter()
        handoffs.accept(nina, number, "nina")
        accepted.append((time.perf_counter() - started) * 1000)
    _figures(label, "send  ", sent)
    _figures(label, "accept", accepted)


def sweep(url: str, share: float) -> None:
    """What the hand-off family adds to the nightly sweep of a demo store with ``share`` of its cases handed."""
    engine = make_engine(url)
    migrate(engine)  # a demo store made before the hand-offs existed gets their tables
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(delete(HandoffItem))
        connection.execute(delete(Handoff))
        kommuner = connection.execute(select(Enrolment.kommune_id).distinct()).scalars().all()
        units = {}
        for kommune in kommuner:
            found = connection.execute(select(Unit.id).where(Unit.kommune_id == kommune, Unit.kind == "nav")).scalar()
            if found is None:
                made = connection.execute(insert(Unit).values(kommune_id=kommune, kind="nav",
                                                              name=f"NAV benk {kommune}")).inserted_primary_key
                found = made[0] if made else None
            units[kommune] = found
        active = connection.execute(select(Enrolment.id, Enrolment.kommune_id).where(
            col(Enrolment.status).in_(ACTIVE)).order_by(col(Enrolment.id))).all()
        step = max(1, round(1 / share))
        rows = [{"enrolment_id": case, "kommune_id": kommune, "from_unit_id": default_unit(connection, kommune),
                 "to_unit_id": units[kommune], "planned_on": TODAY + timedelta(days=1 + n % 30), "message": "",
                 "status": "pending", "created_by": "benk", "created_at": now,
                 "sent_on": TODAY - timedelta(days=10 if n % 3 == 0 else 1)}
                for n, (case, kommune) in enumerate(active[::step])]
        connection.execute(insert(Handoff), rows)
    run_checks(engine, TODAY)  # the first sweep writes the flags; the figures are the nights after
    whole, _ = timed(lambda: run_checks(engine, TODAY), repeat=3)
    config = load_config()

    def family() -> int:
        with engine.connect() as connection:
            return len(handoff_rule(connection, config, TODAY))
    mine, found = timed(family, repeat=5)
    print(f"{len(active):,} active cases, {len(rows):,} hand-offs, {found} hand-off flags: the whole sweep "
          f"{whole:.2f} s, the hand-off family's rule {mine * 1000:.1f} ms: {mine / whole:.1%} of it (target ≤ 10 %, "
          f"ratio {mine / whole / 0.10:.2f})")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("PATHWAYS_TEST_POSTGRES_URL"))
    parser.add_argument("--sweep", metavar="URL", help="a demo store: what the hand-off family adds to the sweep")
    parser.add_argument("--share", type=float, default=0.05, help="the share of active cases handed over")
    args = parser.parse_args()
    if args.sweep:
        sweep(args.sweep, args.share)
        return
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        run(engine, "SQLite")
        engine.dispose()
    if args.postgres:
        with postgres_schema(args.postgres) as engine:
            run(engine, "PostgreSQL")


if __name__ == "__main__":
    main()
