"""Benchmark: registering a livelihood period on a 100 000-participant store, including what the change
recomputes in the same request (the participant's gaps, the projection ``enrolment.gap_from/gap_to`` the
caseload and the worklist read, and the nightly gap flags the change closes).

Target (issue 13): p95 ≤ 50 ms, measured after a nightly sweep as in production, on SQLite and PostgreSQL.

Three measurements, each printing p50/p95 and p95/target:

- ``service``: :func:`pathways.services.livelihood.add_income` called directly, one call at a time, as a
  veileder (the cost of the request's work alone);
- ``api``: ``POST /api/deltakere/{pid}/inntekt`` (bearer token) against the dashboard process
  (``python -m ui``, as ``pathways run`` starts it), 10 concurrent clients with no think time;
- ``form``: ``POST /saker/{id}/inntekt`` as htmx posts it (the answer is the redrawn livelihood section),
  the same 10 clients.

Each client is a veileder of one kommune registering on their own active cases. Half the registrations
are a one-day period ahead of today (of a source the participant has none of, so nothing overlaps), the
other half close a participant's open gap (another such source, from the gap's first day, open-ended),
which also resolves the gap's nightly flag in the same request.

Every period the benchmark registers carries the note «benk», and at the end it deletes them through the
service (which recomputes the gaps and projections), so the next run measures the same store: before,
later runs measured ever longer livelihood sections (the form's p95 354 → 812 ms over three runs).

    python bench/income_register.py --url sqlite:////tmp/demo100k.db
    python bench/income_register.py --url postgresql://postgres@127.0.0.1:5432/demo100k
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import sys
import threading
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.dashboard import free_port, pct, prepare, sign_in, start_server  # noqa: E402
from pathways.engine.state import ACTIVE  # noqa: E402
from pathways.services import livelihood  # noqa: E402
from pathways.services.accounts import create_token  # noqa: E402
from pathways.services.context import Actor, Context, definition_of  # noqa: E402
from pathways.store.database import make_engine  # noqa: E402
from pathways.store.tables import (  # noqa: E402
    ApiToken,
    AuditEntry,
    Enrolment,
    Kommune,
    LivelihoodPeriod,
    PathwayVersion,
    User,
)

TARGET_MS = 50.0
NOTE = "benk"  # on every period the benchmark registers: :func:`clean_up` deletes them
CLIENTS = 10
SOURCES = ("lonn", "lonnstilskudd", "laerlinglonn", "tiltakspenger", "kvalifiseringsstonad", "introduksjonsstonad")


class Work:
    """The registrations to make, shared by the clients: each participant's next free wage day, and the
    participants whose gap a registration can close (each once)."""

    def __init__(self, url: str, veiledere: list[str]):
        engine = make_engine(url)
        self.cases: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # veileder: (case, pid, source)
        self.closing: dict[str, list[tuple[int, int, date, str]]] = defaultdict(list)  # + gap start, source
        with Session(engine) as session:
            rows = session.execute(select(Enrolment.caseworker, Enrolment.id, Enrolment.participant_id,
                                          Enrolment.gap_from, Enrolment.pathway_version_id)
                                   .where(Enrolment.caseworker.in_(veiledere), Enrolment.status.in_(ACTIVE))
                                   .order_by(Enrolment.id)).all()
            have: dict[int, set[str]] = defaultdict(set)
            for pid, source in session.execute(select(LivelihoodPeriod.participant_id, LivelihoodPeriod.source)
                                               .where(LivelihoodPeriod.participant_id.in_([r[2] for r in rows]))):
                have[pid].add(source)
        engine.dispose()
        today = date.today()
        # one case per pathway version: the warm-up reads each (a worker parses a definition once, 0.1–0.2 s)
        self.per_version: dict[str, dict[int, int]] = defaultdict(dict)  # veileder: version: case
        for worker, case, _, _, version in rows:
            self.per_version[worker].setdefault(version, case)
        for worker, case, pid, gap_from, _ in rows:  # a source the participant has not, so nothing overlaps
            free = [s for s in SOURCES if s not in have[pid]]
            if "ingen" in have[pid] or not free:
                continue
            self.cases[worker].append((case, pid, free[-1]))
            if gap_from is not None and len(free) > 1 and gap_from >= today - timedelta(days=900):
                self.closing[worker].append((case, pid, gap_from, free[0]))
        self.next_day: dict[int, itertools.count[int]] = defaultdict(lambda: itertools.count(40, 3))
        self.lock = threading.Lock()

    def next(self, worker: str, rng: random.Random) -> tuple[str, int, int, str, date, date | None]:
        """(kind, case, participant, source, from, to) of the next registration of ``worker``."""
        with self.lock:
            if rng.random() < 0.5 and self.closing[worker]:
                case, pid, start, source = self.closing[worker].pop()
                return "lukker gap", case, pid, source, start, None
            case, pid, source = rng.choice(self.cases[worker])
            day = date.today() + timedelta(days=next(self.next_day[pid]))
        return "én dag", case, pid, source, day, day


def service_run(url: str, work: Work, veiledere: list[str], count: int) -> dict[str, list[float]]:
    """``count`` calls of the service, one at a time, as the veiledere in turn."""
    engine = make_engine(url)
    actors = {}
    with Session(engine) as session:
        for worker in veiledere:
            user_id, kommune_id, kommune = session.execute(
                select(User.id, User.kommune_id, Kommune.name).join(Kommune, Kommune.id == User.kommune_id)
                .where(User.username == worker)).one()
            actors[worker] = Actor.user(user_id, worker, "veileder", kommune_id, kommune)
    with Session(engine) as session:  # as a running dashboard has them: every published definition parsed
        for version in session.execute(select(PathwayVersion.id)).scalars():
            definition_of(session, version)
    rng = random.Random(13)
    timings: dict[str, list[float]] = defaultdict(list)
    for i in range(count):
        worker = veiledere[i % len(veiledere)]
        kind, _case, pid, source, start, end = work.next(worker, rng)
        ctx = Context(engine, actor=actors[worker])
        started = time.perf_counter()
        livelihood.add_income(ctx, pid, source, start, end, amount="15000", note=NOTE)
        timings[kind].append(time.perf_counter() - started)
    engine.dispose()
    return timings


def http_run(base: str, url: str, work: Work, veiledere: list[str], path: str, seconds: float
             ) -> tuple[dict[str, list[float]], int]:
    """10 clients (the veiledere, the first ones twice) posting registrations for ``seconds``: through the
    API (``path`` "api") or the case page's form as htmx posts it ("form"). Returns the timings and how many
    were refused (an overlap the bench did not foresee)."""
    engine = make_engine(url)
    tokens = {w: create_token(Context(engine, actor=Actor.system("bench")), w, "benk") for w in veiledere}
    users = [veiledere[i % len(veiledere)] for i in range(CLIENTS)]
    clients = [sign_in(base, user) for user in users]
    csrf = [re.search(r'name="csrf_token" value="([^"]+)"', c.get("/saker").text).group(1)  # type: ignore[union-attr]
            for c in clients]
    for n, user in enumerate(users):  # warm: each worker process parses the definitions it reads
        for case in work.per_version[user].values():
            clients[n].get(f"/saker/{case}")
    timings: dict[str, list[float]] = defaultdict(list)
    refused = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(n: int) -> None:
        rng, user, http = random.Random(n), users[n], clients[n]
        while time.monotonic() < stop:
            kind, case, pid, source, start, end = work.next(user, rng)
            amount = "15000"
            started = time.perf_counter()
            if path == "api":
                body = {"source": source, "from": start.isoformat(), "to": end.isoformat() if end else None,
                        "amount": amount, "note": NOTE}
                response = http.post(f"/api/deltakere/{pid}/inntekt", json=body,
                                     headers={"Authorization": f"Bearer {tokens[user]}"})
                ok = response.status_code == 201
            else:
                form = {"csrf_token": csrf[n], "source": source, "from": start.isoformat(),
                        "to": end.isoformat() if end else "", "status": "confirmed", "amount": amount, "note": NOTE}
                response = http.post(f"/saker/{case}/inntekt", data=form, headers={"HX-Request": "true"})
                ok = response.status_code == 200
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    timings[kind].append(elapsed)
                elif response.status_code == 422:
                    refused[0] += 1
                else:
                    raise AssertionError((path, response.status_code, response.text[:300]))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with Session(engine) as session:  # the tokens go (a later run's prepare deletes these users)
        ids = select(ApiToken.id).where(ApiToken.user_id.in_(select(User.id).where(User.username.in_(veiledere))))
        session.execute(delete(AuditEntry).where(AuditEntry.token_id.in_(ids)))
        session.execute(delete(ApiToken).where(ApiToken.id.in_(ids)))
        session.commit()
    engine.dispose()
    return timings, refused[0]


def clean_up(url: str) -> None:
    """Delete the periods the benchmark registered, through the service (the gaps and the projections
    recomputed), so that the store is as it was for the next run (the nightly sweep raises the flags again)."""
    engine = make_engine(url)
    ctx = Context(engine, actor=Actor.system("bench"))
    with Session(engine) as session:
        ids = session.execute(select(LivelihoodPeriod.id).where(LivelihoodPeriod.note == NOTE)).scalars().all()
    started = time.perf_counter()
    for period_id in ids:
        livelihood.delete_income(ctx, period_id, "benchmark")
    engine.dispose()
    print(f"deleted the {len(ids):,} periods the benchmark registered in {time.perf_counter() - started:.0f} s")


def show(name: str, timings: dict[str, list[float]], seconds: float | None = None) -> None:
    every = [v for vs in timings.values() for v in vs]
    for kind, values in [*sorted(timings.items()), ("alle", every)]:
        print(f"{name:<8} {kind:<12} {len(values):>6} {pct(values, 50):>8.1f} {pct(values, 95):>8.1f} "
              f"{pct(values, 99):>8.1f} {pct(values, 95) / TARGET_MS:>10.2f}")
    if seconds:
        print(f"{'':<8} {len(every) / seconds:.1f} registrations/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--seconds", type=float, default=20, help="of each HTTP run")
    parser.add_argument("--calls", type=int, default=300, help="direct service calls")
    args = parser.parse_args()
    clean_up(args.url)  # a run that was stopped left its periods behind
    _kommune, veiledere, _ledere, _cases = prepare(args.url)
    work = Work(args.url, veiledere)
    print(f"{sum(len(v) for v in work.cases.values()):,} active cases of {len(veiledere)} veiledere, "
          f"{sum(len(v) for v in work.closing.values()):,} with a gap a registration can close")
    results = [("service", service_run(args.url, work, veiledere, args.calls), None, 0)]
    port = free_port()
    server = start_server(args.url, port)
    try:
        for path in ("api", "form"):
            timings, refused = http_run(f"http://127.0.0.1:{port}", args.url, work, veiledere, path, args.seconds)
            results.append((path, timings, args.seconds, refused))
    finally:
        server.terminate()
        server.wait(10)
    clean_up(args.url)
    from ui.__main__ import workers
    print(f"\n{args.url.split(':', 1)[0]}: registering a livelihood period (target p95 ≤ {TARGET_MS:.0f} ms); "
          f"service: one call at a time; api, form: {CLIENTS} concurrent clients, {workers()} dashboard worker "
          f"process(es) on {os.cpu_count()} cores")
    print(f"{'path':<8} {'kind':<12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95/target':>10}")
    for name, timings, seconds, refused in results:
        show(name, timings, seconds)
        if refused:
            print(f"{'':<8} {refused} refused (422) and left out")


if __name__ == "__main__":
    main()
