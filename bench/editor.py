"""Benchmark: the editor's validation round-trip (issue 6: under 300 ms for the largest catalogue pathway).

Serves the dashboard (``python -m ui``, one worker) on a fresh SQLite store with the catalogue published,
signs in as an administrator and posts every catalogue document to the editor's check endpoint, as the
editor does while one types (debounced): the document is parsed, validated and, when valid, drawn as SVG.
Each document is checked 20 times valid and 20 times with a typo in a step reference (problems, no
diagram); p50 and p95 of the HTTP round trip on loopback.

    python bench/editor.py
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from dashboard import free_port, start_server  # noqa: E402

from pathways.services.accounts import add_user  # noqa: E402
from pathways.services.context import Actor, Context  # noqa: E402
from pathways.services.publishing import publish_folder  # noqa: E402
from pathways.store.database import make_engine, migrate  # noqa: E402

PASSWORD = "benk-passord-123"
ROUNDS = 20
TARGET_MS = 300


def main() -> None:
    import httpx
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'editor.db'}"
    engine = make_engine(url)
    migrate(engine)
    ctx = Context(engine, actor=Actor.system("bench"))
    publish_folder(ctx, ROOT / "definitions")
    add_user(ctx, username="benk-admin", name="Benk", role="administrator", kommune="Asker", password=PASSWORD)
    engine.dispose()
    os.environ["PATHWAYS_WORKERS"] = "1"
    port = free_port()
    server = start_server(url, port)
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/logg-inn").text).group(1)
        assert client.post("/logg-inn", data={"csrf_token": token, "username": "benk-admin",
                                              "password": PASSWORD}).status_code == 303
        print(f"{'pathway':<26} {'lines':>5} {'valid p50':>9} {'p95 ms':>7} {'typo p50':>9} {'p95 ms':>7} "
              f"{'p95/target':>10}")
        for path in sorted((ROOT / "definitions").glob("*.yaml"), key=lambda p: -len(p.read_text())):
            text = path.read_text(encoding="utf-8")
            typo = re.sub(r"(?m)^(\s+to: )([a-z_]+)$", r"\1\2x", text, count=1)
            timings: dict[str, list[float]] = {"valid": [], "typo": []}
            for kind, doc in (("valid", text), ("typo", typo)):
                for _ in range(ROUNDS):
                    started = time.perf_counter()
                    answer = client.post(f"/admin/lop/{path.stem}/sjekk", data={"csrf_token": token, "document": doc})
                    timings[kind].append((time.perf_counter() - started) * 1000)
                    body = answer.json()
                    assert (not body["problems"]) == (kind == "valid"), (path.name, kind, body["problems"][:2])
            v, t = sorted(timings["valid"]), sorted(timings["typo"])
            v95, t95 = v[int(0.95 * (ROUNDS - 1))], t[int(0.95 * (ROUNDS - 1))]
            print(f"{path.stem:<26} {text.count(chr(10)):>5} {statistics.median(v):>9.1f} {v95:>7.1f} "
                  f"{statistics.median(t):>9.1f} {t95:>7.1f} {max(v95, t95) / TARGET_MS:>10.2f}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
