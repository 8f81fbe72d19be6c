"""Benchmark: retention planning over a demo store (issue 17: ≤ 5 s at 100 000 participants). The plan for
every kommune (the nightly task's) and for one kommune (the leder's page), three runs each.

    python bench/retention.py --url sqlite:////work/stores/demo100k.db
    python bench/retention.py --url postgresql://postgres@127.0.0.1:5432/demo100k
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from pathways.calendar import FixedClock, SystemClock  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.services.retention import plan  # noqa: E402
from pathways.store.database import make_engine, migrate  # noqa: E402
from pathways.store.tables import Kommune, Participant  # noqa: E402

TARGET = 5.0  # seconds, for 100 000 participants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    engine = make_engine(args.url)
    migrate(engine)  # a store made before the retention's migration
    with engine.connect() as connection:
        people = connection.execute(select(func.count()).select_from(Participant)).scalar_one()
        kommune_id, kommune = connection.execute(
            select(Kommune.id, Kommune.name).join(Participant, Participant.kommune_id == Kommune.id)
            .group_by(Kommune.id, Kommune.name).order_by(func.count().desc()).limit(1)).one()
    print(f"store: {engine.url.render_as_string()} — {people:,} participants")
    scaled = TARGET * people / 100_000
    everyone = Context(engine, SystemClock(), Actor.system("bench"))
    one = Context(engine, SystemClock(), replace(Actor.system("bench"), kommune_id=kommune_id, kommune=kommune))
    # the demo's cases ended lately: as of 2040 every ended case is past its years, and every class is looked up
    later = Context(engine, FixedClock(date(2040, 1, 1)), Actor.system("bench"))
    for label, ctx in (("every kommune", everyone), (f"one kommune ({kommune})", one),
                       ("every kommune as of 01.01.2040", later)):
        times, found = [], None
        for _ in range(args.runs):
            start = time.perf_counter()
            found = plan(ctx)
            times.append(time.perf_counter() - start)
        assert found is not None
        print(f"plan, {label}: {len(found.due):,} participants due ({found.counts()}), {args.runs} runs "
              f"{min(times):.2f}–{max(times):.2f} s   target {scaled:.1f} s   ratio "
              f"{min(times) / scaled:.2f}–{max(times) / scaled:.2f}")
    engine.dispose()


if __name__ == "__main__":
    main()
