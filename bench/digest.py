"""Benchmark: the summary by e-mail (oppsummering) rendered for 2 000 users, sending excluded.

Target (issue 14, Speed): the digest for 2 000 users renders in ≤ 10 s. Each user's counts are read in
their own scope, as the morning run reads them: the worklist's count (deadlines, flags, gaps, tasks), the
new income-gap flags and their open tasks.

The store: a demo cohort (``pathways demo``) swept by the nightly checks, and 2 000 accounts who chose a
daily summary: the demo's 440 caseworkers (so that a veileder's counts read real cases), a leder per
kommune and the rest veiledere without cases (the NAV and school staff of hand-offs), with 5 000 open
tasks given to them or their units.

    python bench/digest.py                         # 10 000 participants, a fresh SQLite store
    python bench/digest.py --participants 100000
    python bench/digest.py --url postgresql://postgres@127.0.0.1:5432/demo100k   (made with pathways demo)

Measured on 2026-12-07 (the 2-core machine, shared), 10 000 participants, 2 000 users, 5 000 tasks:
SQLite 0.87 s, PostgreSQL 0.46 s (a kommune's veiledere read at once). One user at a time, as
:func:`pathways.services.digest.build` reads them, it took 112 s on SQLite: building each user's
statements costs more than running them.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.worklist import make_store  # noqa: E402
from pathways.calendar import FixedClock  # noqa: E402
from pathways.checks.sweep import run_checks  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.services.digest import build, digests  # noqa: E402
from pathways.store.database import make_engine, migrate  # noqa: E402
from pathways.store.queries.units import default_unit  # noqa: E402
from pathways.store.tables import Enrolment, Kommune, Task, User  # noqa: E402

USERS = 2000
TASKS = 5000
TARGET_S = 10.0


def accounts(url: str, day: date) -> None:
    """2 000 accounts with a daily summary and 5 000 open tasks (an earlier run's removed first)."""
    engine = make_engine(url)
    migrate(engine)
    started = time.perf_counter()
    run_checks(engine, day)
    print(f"nightly sweep: {time.perf_counter() - started:.1f} s")
    now = datetime.now(UTC)
    rng = random.Random(14)
    with engine.begin() as connection:
        old = select(User.id).where(User.username.like("benk-%") | User.username.like("veileder-%")
                                    | User.username.like("jobbspesialist-%"))
        connection.execute(delete(Task).where(Task.created_by == "benk"))
        connection.execute(delete(User).where(User.id.in_(old)))
        kommuner = dict(connection.execute(select(Kommune.name, Kommune.id)).all())
        workers = sorted(set(connection.execute(select(Enrolment.caseworker, Enrolment.kommune_id)
                                                .where(Enrolment.caseworker.is_not(None))).all()))
        units = {k: default_unit(connection, k) for k in kommuner.values()}
        rows = [(name, kommune, "veileder") for name, kommune in workers]
        rows += [(f"benk-leder-{k}", k, "leder") for k in kommuner.values()]
        ids = list(kommuner.values())
        rows += [(f"benk-{n}", ids[n % len(ids)], "veileder") for n in range(USERS - len(rows))]
        connection.execute(insert(User), [
            {"username": name, "name": name, "role": role, "kommune_id": kommune, "unit_id": units[kommune],
             "password_hash": "x", "must_change_password": False, "active": True, "created_at": now,
             "digest": "daily", "email": f"{name}@example.org"} for name, kommune, role in rows[:USERS]])
        people = connection.execute(select(User.id, User.kommune_id).where(User.digest == "daily")).all()
        tasks = []
        for n in range(TASKS):
            user, kommune = rng.choice(people)
            to_unit = n % 5 == 0
            tasks.append({"kommune_id": kommune, "assignee_user_id": None if to_unit else user,
                          "assignee_unit_id": units[kommune] if to_unit else None, "title": f"Oppgave {n}",
                          "due": day + timedelta(days=rng.randint(-5, 20)), "created_by": "benk",
                          "created_at": now})
        connection.execute(insert(Task), tasks)
    print(f"{len(people):,} accounts with a daily summary, {TASKS:,} open tasks")
    engine.dispose()


def measure(url: str, day: date) -> None:
    engine = make_engine(url)
    ctx = Context(engine, FixedClock(day), Actor.system("bench"))
    list(digests(ctx, day))  # warm: published definitions, statement caches
    started = time.perf_counter()
    found = list(digests(ctx, day))
    total = time.perf_counter() - started
    with Session(engine) as session:
        users = session.exec(select(User, Kommune.name).join(Kommune, Kommune.id == User.kommune_id)  # type: ignore[call-overload]
                             .where(User.digest == "daily").limit(200)).all()
    per_user = []
    for user, kommune in users:
        one = time.perf_counter()
        build(ctx, user, kommune, day)
        per_user.append((time.perf_counter() - one) * 1000)
    per_user.sort()
    counted = sum(sum(d.counts.values()) for d in found)
    print(f"{len(found):,} summaries rendered in {total:.2f} s (target ≤ {TARGET_S:.0f} s): "
          f"{'OK' if total <= TARGET_S else 'MISSED'}; {counted:,} items counted in all")
    p95 = per_user[int(len(per_user) * .95) - 1]
    print(f"one user at a time (build): median {statistics.median(per_user):.1f} ms, p95 {p95:.1f} ms, "
          f"max {per_user[-1]:.1f} ms ({engine.dialect.name})")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--url", help="an existing store made with pathways demo (else a fresh SQLite store)")
    args = parser.parse_args()
    day = date.today()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'digest.db'}"
        if not args.url:
            make_store(url, args.participants)
        accounts(url, day)
        measure(url, day)


if __name__ == "__main__":
    main()
