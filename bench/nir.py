"""Benchmark: the NIR overview of the largest kommune of a 100 000-participant demo store (issue 15's target:
a kommune with 10 000 participants in ≤ 5 s), the results one year after exit with their chart for all
100 000 participants (≤ 2 s), and the nightly check ``nir_mangler`` (its share of a sweep).

Three runs each, in one process, on the store as production has it (migrated, after a nightly sweep):

- ``report``: :func:`pathways.services.nir.report` as the command line asks it (the system actor, one
  kommune and year), and the same rows written as CSV (``pathways report nir``'s default format);
- ``results``: :func:`pathways.services.results.results` for the introduction programme in every kommune and
  :func:`~pathways.services.results.chart_svg` (the first run includes loading matplotlib, as a fresh
  dashboard worker's first cohort page does);
- ``check``: the rule family ``nir`` alone (its statement and the flags reconciled), beside a full sweep.

    python bench/nir.py --url sqlite:////tmp/demo100k.db
    python bench/nir.py --url postgresql://postgres@127.0.0.1:5432/demo100k
(make the store first: PATHWAYS_DATABASE_URL=… pathways init && pathways demo --participants 100000)
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench._timing import timed  # noqa: E402
from pathways.calendar import SystemClock  # noqa: E402
from pathways.checks.sweep import run_checks  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.services.export import as_csv  # noqa: E402
from pathways.services.nir import report  # noqa: E402
from pathways.services.results import chart_svg, results  # noqa: E402
from pathways.store.database import make_engine, migrate  # noqa: E402
from pathways.store.tables import Enrolment, Kommune  # noqa: E402

TARGET_REPORT = 5.0  # seconds, a kommune of 10 000 participants
TARGET_RESULTS = 2.0  # seconds, 100 000 participants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    engine = make_engine(args.url)
    migrate(engine)
    today = date.today()
    swept, _ = timed(lambda: run_checks(engine, today))
    with Session(engine) as session:
        kommune, cases = session.exec(select(Kommune.name, func.count(Enrolment.id))
                                      .join(Enrolment, Enrolment.kommune_id == Kommune.id)
                                      .group_by(Kommune.name).order_by(func.count(Enrolment.id).desc())).first()
    ctx = Context(engine, SystemClock(), actor=Actor.system("bench"))
    print(f"{engine.dialect.name}: kommune {kommune} with {cases:,} cases; "
          f"nightly sweep before measuring {swept:.1f} s")

    def whole() -> tuple[int, int]:
        found = report(ctx, today.year, kommune)
        size = sum(len(chunk) for chunk in as_csv(found.headers(), found.table()))
        return len(found.rows), size

    times = []
    for _ in range(args.runs):
        seconds, (rows, size) = timed(whole)
        times.append(seconds)
    print(f"NIR report {today.year}, {rows:,} participants on reported pathways, CSV {size / 1e6:.1f} MB: "
          f"{min(times):.2f}–{max(times):.2f} s over {args.runs} runs (target ≤ {TARGET_REPORT:.0f} s; "
          f"ratio {max(times) / TARGET_REPORT:.2f})")
    def chart() -> int:
        found = results(ctx, "introduksjonsprogram")
        return len(chart_svg(found, "Introduksjonsprogrammet: ett år etter avslutning")) + 0 * len(found.years)

    drawn = [timed(chart)[0] for _ in range(args.runs)]
    exits = sum(y.total for y in results(ctx, "introduksjonsprogram").years)
    print(f"results one year after, every kommune ({exits:,} exits old enough), with the chart: first "
          f"{drawn[0]:.2f} s, then {min(drawn[1:] or drawn):.2f}–{max(drawn[1:] or drawn):.2f} s "
          f"(target ≤ {TARGET_RESULTS:.0f} s; ratio {max(drawn) / TARGET_RESULTS:.2f})")
    rule, sweep = [], []
    for _ in range(args.runs):
        rule.append(timed(lambda: run_checks(engine, today, families=["nir"]))[0])
        sweep.append(timed(lambda: run_checks(engine, today))[0])
    print(f"nightly check nir alone: {min(rule):.2f}–{max(rule):.2f} s; a full sweep: {min(sweep):.2f}–"
          f"{max(sweep):.2f} s")


if __name__ == "__main__":
    main()
