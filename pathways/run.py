"""Process supervision for `pathways run`, `serve` and `check`: the local Prefect server, the served
deployment, the dashboard, and child processes that die with their parent."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import click

from pathways.home import var_dir


def _dashboard_address(env: dict[str, str]) -> str:
    return f"http://{env.get('PATHWAYS_HOST', '127.0.0.1')}:{env.get('PATHWAYS_PORT', '8000')}"


# -- Prefect: the local server, the served deployment, the on-demand check --------------------------
#
# pathways/ never imports flows/ when it is imported (ARCHITECTURE.md: pathways may not import flows).
# `run` starts the deployment as a subprocess (`python -m flows.nightly`) and needs no import at all;
# `check` imports flows.nightly inside the command, because it must run the very flow the schedule runs.

PREFECT_STARTUP_TIMEOUT = 120.0


@dataclass(frozen=True)
class PrefectEnvironment:
    env: dict[str, str]  # for the children: os.environ with the defaults below filled in
    api_url: str  # the API the deployment talks to
    local: bool  # False when PREFECT_API_URL names another server (scale-out): start no server here

    @property
    def ui_url(self) -> str | None:
        if self.env.get("PREFECT_UI_ENABLED", "true").lower() in ("0", "false", "no", "off"):
            return None
        return self.env.get("PREFECT_UI_URL") or self.api_url.removesuffix("/api")


def _local_api_url(env: dict[str, str]) -> str:
    host = env.get("PREFECT_SERVER_API_HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", "localhost"):
        host = "127.0.0.1"
    return f"http://{host}:{env.get('PREFECT_SERVER_API_PORT') or '4200'}/api"


def _prefect_environment(environ: dict[str, str]) -> PrefectEnvironment:
    """Prefect's settings for `run`: its own SQLite under var/prefect, a server on 127.0.0.1:4200, no
    analytics. Every variable already set wins; a PREFECT_API_URL naming another server means that
    server is used and none is started here."""
    env = dict(environ)
    env.setdefault("PREFECT_HOME", str(var_dir() / "prefect"))
    env.setdefault("PREFECT_SERVER_API_HOST", "127.0.0.1")
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    local_url = _local_api_url(env)
    api_url = (env.get("PREFECT_API_URL") or local_url).rstrip("/")
    env["PREFECT_API_URL"] = api_url
    return PrefectEnvironment(env, api_url, local=api_url.replace("://localhost:", "://127.0.0.1:") == local_url)


def _scheduler_warning() -> str | None:
    """Prefect 3.8's scheduler service cannot insert scheduled runs with SQLAlchemy 2.1 (measured here:
    'Can't evaluate bulk DML statement' in the server log, no run is ever scheduled); 2.0.x works."""
    sqlalchemy, prefect = package_version("sqlalchemy"), package_version("prefect")
    if prefect.startswith("3.8.") and tuple(int(p) for p in sqlalchemy.split(".")[:2]) >= (2, 1):
        return (f"warning: SQLAlchemy {sqlalchemy} breaks the scheduler of Prefect {prefect}: the server will "
                "create no scheduled runs (02:00 never fires; runs started by hand work). Pin SQLAlchemy<2.1.")
    return None


def _healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if its parent (`pathways run`, `serve`, `check`) dies, even by SIGKILL
    (no orphaned server). A parent gone already before the request was made is noticed too."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


class _Children:
    """Child processes, each in a session of its own: Ctrl-C reaches only `pathways run`, which stops
    the deployment first and then the server, each with everything it started (its process group)."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen[bytes], signal.Signals]] = []

    def start(self, name: str, args: list[str], env: dict[str, str], stop_signal: signal.Signals = signal.SIGTERM,
              **kwargs: Any) -> subprocess.Popen[bytes]:
        parent = os.getpid()
        process = subprocess.Popen(args, env=env, start_new_session=True,
                                   preexec_fn=(lambda: _die_with_parent(parent)) if sys.platform == "linux" else None,
                                   **kwargs)
        self.running.append((name, process, stop_signal))
        return process

    def exited(self) -> tuple[str, int] | None:
        for name, process, _ in self.running:
            if process.poll() is not None:
                return name, process.returncode
        return None

    def stop(self, grace: float = 15.0) -> None:
        for name, process, stop_signal in reversed(self.running):
            if process.poll() is None:
                click.echo(f"stopping {name} (pid {process.pid})", err=True)
            for sig, wait in ((stop_signal, grace), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, sig)  # the whole group: flow runs, uvicorn workers
                try:
                    process.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self.running.clear()


class _Stop(Exception):
    pass


def _serve_with_prefect(prefect: PrefectEnvironment, dashboard: bool = False) -> None:
    """Start `prefect server start` (unless another server is configured or one already answers), wait
    until it is healthy, serve the nightly deployment, and stop both on Ctrl-C, SIGTERM or SIGHUP."""
    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in signals}
    children = _Children()
    try:
        _start_server(prefect, children, received)
        # SIGINT: Prefect's runner shuts down cleanly on KeyboardInterrupt (its SIGTERM path warns).
        children.start("the nightly deployment", [sys.executable, "-m", "flows.nightly"], prefect.env,
                       stop_signal=signal.SIGINT)
        click.echo("nightly checks served as 'nattlig-kontroll/nattlig' (cron 0 2 * * *, Europe/Oslo) and the "
                   "summary by e-mail as 'oppsummering/daglig-oppsummering' (cron 0 7 * * *, Europe/Oslo) "
                   f"against {prefect.api_url}")
        click.echo(f"Prefect UI: {prefect.ui_url}" if prefect.ui_url else "Prefect UI: disabled")
        if dashboard:
            children.start("the dashboard", [sys.executable, "-m", "ui"], prefect.env, stop_signal=signal.SIGINT)
            click.echo(f"dashboard: {_dashboard_address(prefect.env)}/ (API docs at /api/docs)")
        click.echo("press Ctrl-C to stop")
        while not received:
            if (gone := children.exited()) is not None:
                raise click.ClickException(f"{gone[0]} stopped unexpectedly (exit code {gone[1]})")
            time.sleep(0.5)
    except _Stop:
        pass
    finally:
        children.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"stopped ({signal.Signals(received[0]).name})" if received else "stopped")


def _start_server(prefect: PrefectEnvironment, children: _Children, received: list[int]) -> None:
    if not prefect.local:
        click.echo(f"PREFECT_API_URL is {prefect.api_url}: using that server, not starting one here")
        server, log, offset = None, None, 0
    elif _healthy(prefect.api_url):
        click.echo(f"a Prefect server already answers at {prefect.api_url}; using it")
        return
    else:
        home = Path(prefect.env["PREFECT_HOME"])
        home.mkdir(parents=True, exist_ok=True)
        log = home / "server.log"
        offset = log.stat().st_size if log.exists() else 0  # the log is appended to; show only this start
        click.echo(f"starting the Prefect server (database under {home}, log {log})")
        if warning := _scheduler_warning():
            click.echo(warning, err=True)
        with log.open("ab") as sink:
            server = children.start("the Prefect server", [sys.executable, "-m", "prefect", "server", "start"],
                                    prefect.env, stdout=sink, stderr=subprocess.STDOUT)
    started = time.monotonic()
    while not _healthy(prefect.api_url):
        if received:
            raise _Stop
        if server is not None and server.poll() is not None:
            tail = log.read_bytes()[offset:].decode(errors="replace").splitlines()[-20:] if log else []
            raise click.ClickException("\n".join([f"the Prefect server exited with code {server.returncode}; "
                                                  f"the end of {log}:", *tail]))
        if time.monotonic() - started > PREFECT_STARTUP_TIMEOUT:
            where = f"; see {log}" if log else ""
            raise click.ClickException(f"no answer from {prefect.api_url}/health after "
                                       f"{PREFECT_STARTUP_TIMEOUT:.0f} s{where}")
        time.sleep(0.5)
    click.echo(f"Prefect server ready at {prefect.api_url}" + (f" after {time.monotonic() - started:.1f} s"
                                                                if server is not None else ""))


def _prefect_defaults_for_check() -> None:
    """The settings `run` uses, for a check run on demand. Prefect reads its settings when it is first
    imported, so this only has an effect before that (in tests the harness has set them already)."""
    if "prefect" in sys.modules:
        return
    os.environ.setdefault("PREFECT_HOME", str(var_dir() / "prefect"))
    Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)  # Prefect makes no parents
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    # A fresh var/prefect takes ~15 s to migrate here; Prefect's default limit is 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    local_url = _local_api_url(dict(os.environ))
    if "PREFECT_API_URL" not in os.environ and _healthy(local_url, timeout=0.5):
        # `pathways run` is serving here: report the run to its server (and its UI) instead of starting
        # a temporary second server on the same database.
        os.environ["PREFECT_API_URL"] = local_url


def _free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _temporary_server(children: _Children) -> None:
    """A Prefect server for one `check`, started by us rather than by Prefect's ephemeral mode, so that it
    dies with this process even when it is killed with SIGKILL (Prefect's own temporary server stays
    running then). Sets PREFECT_API_URL; `children.stop()` stops it. Messages go to stderr (stdout may
    be JSON)."""
    port = _free_port()
    env = {**os.environ, "PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port),
           "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false"}
    api_url = f"http://127.0.0.1:{port}/api"
    home = Path(env["PREFECT_HOME"]).expanduser()
    log = home / "check-server.log"
    offset = log.stat().st_size if log.exists() else 0
    click.echo(f"starting a temporary Prefect server on 127.0.0.1:{port} (database under {home}, log {log})",
               err=True)
    with log.open("ab") as sink:
        server = children.start("the temporary Prefect server",
                                [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-services"], env, stdout=sink, stderr=subprocess.STDOUT)
    started = time.monotonic()
    while not _healthy(api_url):
        if server.poll() is not None:
            tail = log.read_bytes()[offset:].decode(errors="replace").splitlines()[-20:]
            raise click.ClickException("\n".join([f"the temporary Prefect server exited with code "
                                                  f"{server.returncode}; the end of {log}:", *tail]))
        if time.monotonic() - started > PREFECT_STARTUP_TIMEOUT:
            raise click.ClickException(f"no answer from {api_url}/health after {PREFECT_STARTUP_TIMEOUT:.0f} s; "
                                       f"see {log}")
        time.sleep(0.3)
    os.environ["PREFECT_API_URL"] = api_url
