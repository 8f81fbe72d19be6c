"""Benchmark: sending and accepting a hand-off through the service layer (the checklist from the definition,
the hand-off row and its items, the event on the case, the receiver's scope).

Target (issue 14): p95 ≤ 50 ms for each. Runs on a fresh SQLite file and, when PATHWAYS_TEST_POSTGRES_URL (or
--postgres URL) is set, on a fresh PostgreSQL schema.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from pathways.calendar import FixedClock  # noqa: E402
from pathways.services import cases, handoffs, participants  # noqa: E402
from pathways.services.accounts import add_user  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.services.publishing import publish_folder  # noqa: E402
from pathways.services.units import add_unit  # noqa: E402
from pathways.store.database import database_url, make_engine, migrate  # noqa: E402
from pathways.store.tables import Kommune, User  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("PATHWAYS_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        run(engine, "SQLite")
        engine.dispose()
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(database_url(args.postgres))
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        engine = create_engine(database_url(args.postgres), connect_args={"options": f"-csearch_path={schema}"})
        try:
            run(engine, "PostgreSQL")
        finally:
            engine.dispose()
            with admin.begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
