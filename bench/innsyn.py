"""Benchmark: the participant's innsyn export (issue 17: one participant with 200 events in ≤ 1 s).

On a fresh SQLite store (and, when PATHWAYS_TEST_POSTGRES_URL or --postgres URL is set, on a fresh PostgreSQL
schema): one participant on the introduction programme with 200 events recorded through the case service
(100 leaves for «velferd» and their ends, ``cases.pause``/``cases.resume``), a livelihood period, notes and
the nightly checks' flags; then the export as the veileder would ask for it, three times as JSON
(:func:`pathways.services.innsyn.export` and the JSON text) and three times as PDF (the same and the
document rendered with weasyprint, ``pathways/services/innsyn_document.py``).

    python bench/innsyn.py [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine  # noqa: E402

from bench._timing import postgres_schema  # noqa: E402
from pathways.calendar import FixedClock  # noqa: E402
from pathways.checks.sweep import run_checks  # noqa: E402
from pathways.services import cases, innsyn, livelihood, participants  # noqa: E402
from pathways.services import innsyn_document as document  # noqa: E402
from pathways.services.accounts import add_user, authenticate  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.services.dashboard import add_note  # noqa: E402
from pathways.services.publishing import publish_folder  # noqa: E402
from pathways.store.database import make_engine, migrate  # noqa: E402

EVENTS = 200  # besides the enrolment itself
TARGET = 1.0  # seconds
START = date(2025, 1, 6)
TODAY = date(2026, 11, 22)
RUNS = 3
PASSWORD = "riktig-hest-batteri-stift-benk"


def _participant(engine: Engine) -> tuple[Context, int]:
    """The store with one participant whose case has :data:`EVENTS` events; a context acting as the veileder."""
    migrate(engine)
    ctx = Context(engine, FixedClock(TODAY), actor=Actor.system("bench"))
    publish_folder(ctx, ROOT / "definitions")
    add_user(ctx, username="kari", name="Kari Veileder", role="veileder", kommune="Bærum", password=PASSWORD)
    pid = participants.add_participant(ctx, name="Bench Innsyn", born="1992-03-04", settled="2024-12-01",
                                       kommune="Bærum")
    case = cases.enrol(ctx, pid, "introduksjonsprogram", START, "kari")
    for n in range(EVENTS // 2):
        day = START + timedelta(days=3 * n)
        cases.pause(ctx, case, day, "velferd")
        cases.resume(ctx, case, day + timedelta(days=1))
    livelihood.add_income(ctx, pid, "introduksjonsstonad", START, date(2027, 12, 31), amount="15012.50",
                          note="Vedtak om introduksjonsstønad")
    for n in range(5):
        add_note(ctx, case, f"Samtale nr. {n + 1}: ønsker praksisplass i barnehage.")
    run_checks(engine, TODAY)
    kari = authenticate(ctx, "kari", PASSWORD)  # the veileder's own actor, as the dashboard has it
    assert kari is not None
    return Context(engine, ctx.clock, actor=kari.actor), pid


def run(engine: Engine, label: str) -> None:
    ctx, pid = _participant(engine)
    exported = innsyn.export(ctx, pid)
    events = sum(len(c["events"]) for c in exported.cases)
    document.pdf(exported)  # the first document loads pango and the fonts: once per process, not measured

    def as_json() -> int:
        return len(innsyn.export(ctx, pid, "json").dumps())

    def as_pdf() -> int:
        return len(document.pdf(innsyn.export(ctx, pid, "pdf")))

    for what, make in (("JSON", as_json), ("PDF ", as_pdf)):
        times, size = [], 0
        for _ in range(RUNS):
            started = time.perf_counter()
            size = make()
            times.append(time.perf_counter() - started)
        print(f"{label:<10} {what} ({events} events, {size / 1000:,.0f} kB) × {RUNS}: "
              f"{', '.join(f'{t:.3f}' for t in times)} s   worst {max(times):.3f} s "
              f"(target ≤ {TARGET:g} s, ratio {max(times) / TARGET:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default=os.environ.get("PATHWAYS_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        run(engine, "SQLite")
        engine.dispose()
    if args.postgres:
        with postgres_schema(args.postgres) as engine:
            run(engine, "PostgreSQL")


if __name__ == "__main__":
    main()
