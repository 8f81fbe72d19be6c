"""Servers started for a command die with it: `pathways check` killed with SIGKILL leaves no temporary
Prefect server behind (Linux: the child asks for SIGTERM when its parent dies)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux only")


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def _alive(pid: int) -> bool:
    found = _stat(pid)
    return found is not None and found[1] not in ("Z", "X")


def _children(pid: int) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and (_stat(int(p.name)) or (0,))[0] == pid]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _wait(condition: Callable[[], object], timeout: float) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.1)
    return None


@pytest.mark.slow
def test_check_killed_with_sigkill_takes_its_temporary_prefect_server_with_it(tmp_path):
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "komplett.yaml").write_bytes((FIXTURES / "complete.yaml").read_bytes())
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "PATHWAYS_"))}
    env.update(PYTHONPATH=str(ROOT), PATHWAYS_DATABASE_URL=f"sqlite:///{tmp_path / 'p.db'}",
               PREFECT_HOME=str(tmp_path / "prefect"))
    command = [sys.executable, "-m", "pathways.cli"]
    subprocess.run([*command, "init", "--definitions", str(definitions)], env=env, check=True, capture_output=True,
                   timeout=120)
    parent = subprocess.Popen([*command, "check"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    try:
        server = _wait(lambda: next((pid for pid in _children(parent.pid) if "prefect" in _cmdline(pid)), None), 60)
        assert server, "no Prefect server was started"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        assert _wait(lambda: not _alive(server), 30), f"the server {server} outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        if server and _alive(server):
            os.kill(server, signal.SIGKILL)
