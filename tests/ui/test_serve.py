"""`pathways serve`: the dashboard in its worker processes, stopped as a whole by SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import DEFINITIONS, ROOT


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def test_serve_runs_two_workers_and_sigterm_stops_them_all(tmp_path: Path, free_port):
    port = free_port()
    env = {**os.environ, "PATHWAYS_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}", "PATHWAYS_PORT": str(port),
           "PATHWAYS_WORKERS": "2", "PATHWAYS_SECRET_KEY": "serve-test-" + "k" * 32}
    pathways = [str(Path(sys.executable).parent / "pathways")]  # the console script beside this interpreter
    subprocess.run([*pathways, "init", "--definitions", str(DEFINITIONS)], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    serve = subprocess.Popen([*pathways, "serve"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/logg-inn"
    try:
        deadline = time.monotonic() + 60
        while not _answers(url):
            assert serve.poll() is None and time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.2)
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(30) == 0
        output = serve.stdout.read() if serve.stdout else ""
        assert "first administrator: username 'admin'" in output
        assert output.count("Started server process") == 2  # two worker processes
        assert not _answers(url)  # nothing left listening: the workers stopped with it
    finally:
        if serve.poll() is None:
            serve.kill()
