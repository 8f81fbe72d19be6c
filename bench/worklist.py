"""Benchmark: the worklist («I dag», ``/i-dag``) under 10 concurrent users, measured after a nightly sweep.

Target (issue 13, Speed): with 100 000 participants in the store, worklist p95 ≤ 150 ms at 10 concurrent
users, on SQLite and on PostgreSQL.

As production has it: the nightly checks run first (they write the flags the worklist reads), then the
planner statistics are refreshed (``ANALYZE``), then the dashboard runs as its own process (``python -m
ui``) and 10 client threads, no think time, each signed in as a different user (8 veiledere of one
kommune: their own cases; 2 ledere: the whole kommune), ask for the worklist (a quarter of the asks with
«vis alle»). Accounts and the server come from :mod:`bench.dashboard`.

    python bench/worklist.py --participants 100000              # a fresh SQLite store in a temporary folder
    python bench/worklist.py --url postgresql://postgres@127.0.0.1:5432/demo100k   (made with pathways demo)
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.dashboard import free_port as port_free  # noqa: E402
from bench.dashboard import pct, prepare, sign_in  # noqa: E402
from pathways.checks.sweep import run_checks  # noqa: E402
from pathways.store.database import make_engine, migrate  # noqa: E402

PATHWAYS = str(Path(sys.executable).parent / "pathways")
TARGET_MS = 150


def make_store(url: str, participants: int) -> None:
    env = {**os.environ, "PATHWAYS_DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([PATHWAYS, "init", "--definitions", str(ROOT / "definitions")], env=env, check=True,
                   capture_output=True)
    subprocess.run([PATHWAYS, "demo", "--participants", str(participants)], env=env, check=True, capture_output=True)
    print(f"demo cohort of {participants:,} participants: {time.perf_counter() - started:.0f} s")


def start_server(url: str, port: int, wait: float = 120) -> subprocess.Popen[bytes]:
    """The dashboard as ``pathways run`` starts it (``python -m ui``), waited for up to ``wait`` seconds."""
    env = {**os.environ, "PATHWAYS_DATABASE_URL": url, "PATHWAYS_PORT": str(port),
           "PATHWAYS_SECRET_KEY": "bench-" + "z" * 40, "PATHWAYS_LOG_LEVEL": "warning"}
    server = subprocess.Popen([sys.executable, "-m", "ui"], cwd=ROOT, env=env)
    stop = time.monotonic() + wait
    while time.monotonic() < stop:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/logg-inn", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the dashboard did not start")


def nightly(url: str) -> None:
    """The nightly sweep, then fresh planner statistics (as the sweep must leave them)."""
    engine = make_engine(url)
    migrate(engine)
    started = time.perf_counter()
    report = run_checks(engine, date.today())
    opened = sum(c["open"] for c in report.counts.values())
    print(f"nightly sweep: {time.perf_counter() - started:.0f} s, {opened:,} open flags")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()


def forget_bench_users(url: str) -> None:
    """Sessions and audit rows of an earlier run's accounts, so that :func:`bench.dashboard.prepare` can make
    them again on a store used before (they refer to the accounts)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        users = "SELECT id FROM \"user\" WHERE username LIKE 'benk-%' OR username LIKE 'veileder-%'"
        for table, column in (("usersession", "user_id"), ("apitoken", "user_id"), ("auditentry", "user_id")):
            connection.execute(text(f"DELETE FROM {table} WHERE {column} IN ({users})"))
    engine.dispose()


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` and its children (the dashboard's worker processes),
    from /proc (Linux; 0 elsewhere)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def run(base: str, users: list[str], seconds: float) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {}
    lock = threading.Lock()
    clients = {u: sign_in(base, u) for u in users}
    for client in clients.values():  # warm: the definitions, the first query plans
        client.get("/i-dag")
    stop = time.monotonic() + seconds

    def work(user: str) -> None:
        rng = random.Random(user)
        client = clients[user]
        role = "leder" if user.startswith("benk-leder") else "veileder"
        while time.monotonic() < stop:
            url = "/i-dag?alle=1" if role == "veileder" and rng.random() < 0.25 else "/i-dag"
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (url, response.status_code)
            with lock:
                timings.setdefault(role, []).append(elapsed)

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an existing store (made with pathways demo); default: a fresh SQLite one")
    parser.add_argument("--participants", type=int, default=100_000, help="size of the fresh store")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--keep", help="make the fresh SQLite store at this path and keep it (reuse: --url)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url
        if url is None:
            url = f"sqlite:///{args.keep or Path(folder) / 'demo.db'}"
            make_store(url, args.participants)
        nightly(url)
        forget_bench_users(url)
        _kommune, veiledere, ledere, _cases = prepare(url)
        port = port_free()
        server = start_server(url, port)
        try:
            server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
            timings = run(f"http://127.0.0.1:{port}", veiledere + ledere, args.seconds)
            server_cpu, client_cpu = cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu
        finally:
            server.terminate()
            server.wait(10)
    backend = url.split(":", 1)[0]
    from ui.__main__ import workers
    print(f"\n{backend}: worklist, 10 concurrent users for {args.seconds:.0f} s, {workers()} dashboard worker "
          f"process(es) on {os.cpu_count()} cores (target p95 ≤ {TARGET_MS} ms)")
    # req/s × mean latency = clients (a closed loop): at a given throughput, p95 follows from it
    print(f"{'role':<9} {'requests':>8} {'req/s':>6} {'mean ms':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
          f"{'p95/target':>10}")
    every = [v for values in timings.values() for v in values]
    for role, values in [*sorted(timings.items()), ("all", every)]:
        print(f"{role:<9} {len(values):>8} {len(values) / args.seconds:>6.1f} {sum(values) / len(values) * 1000:>8.1f} "
              f"{pct(values, 50):>8.1f} {pct(values, 95):>8.1f} {pct(values, 99):>8.1f} "
              f"{pct(values, 95) / TARGET_MS:>10.2f}")
    done = len(every) + len(timings)  # and one warm-up request per client
    if done and server_cpu:
        # 10 clients in a closed loop: mean latency = 10 / throughput, so a p95 at the target needs at least
        # 10 / target requests a second; at the measured CPU per request that takes this many cores
        needed = 10 / (TARGET_MS / 1000)
        print(f"CPU per request: server {server_cpu / done * 1000:.1f} ms, benchmark client "
              f"{client_cpu / done * 1000:.1f} ms; the server used {server_cpu / args.seconds:.2f} of "
              f"{os.cpu_count()} cores. A mean latency of "
              f"{TARGET_MS} ms at 10 clients needs {needed:.0f} requests/s, i.e. "
              f"{needed * (server_cpu + client_cpu) / done:.2f} cores for server and client together")


if __name__ == "__main__":
    main()
