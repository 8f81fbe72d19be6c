"""Long-running work started from the dashboard (a CSV import, a manual check run), in a thread, with
progress the page polls. Progress lives in the store (``BackgroundJob``) so that whichever dashboard
worker process answers the poll can show it. Jobs belong to the user who started them and are kept for
an hour after their last progress."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from pathways.calendar import Clock, SystemClock
from pathways.services import background
from pathways.services.context import Actor, Engine
from ui.messages import norsk

KEEP = timedelta(hours=1)


SAVE_EVERY = 0.5  # seconds between progress writes


@dataclass
class Job:
    id: str
    title: str
    owner: int  # user id
    done: int = 0
    total: int = 1
    state: str = "running"  # running | finished | failed
    message: str = ""
    result: Any = None
    errors: list[tuple[int | None, str | None, str]] = field(default_factory=list)  # (line, field, message)
    _saved: float = 0.0
    _save: Callable[[Job], None] | None = None

    @property
    def percent(self) -> int:
        return 100 if self.state != "running" else min(99, int(100 * self.done / max(1, self.total)))

    def progress(self, done: int, total: int | None = None, message: str | None = None) -> None:
        """Record progress; written to the store at most every SAVE_EVERY seconds."""
        self.done = done
        if total is not None:
            self.total = total
        if message is not None:
            self.message = message
        now = time.monotonic()
        if self._save is not None and now - self._saved >= SAVE_EVERY:
            self._saved = now
            self._save(self)


class Jobs:
    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine, self.clock = engine, clock or SystemClock()
        self._lock = threading.Lock()  # one writer per process at a time (SQLite)

    def _write(self, job: Job, first: bool = False) -> None:
        with self._lock:
            now = self.clock.now()
            background.save_job(self.engine, job.id, job.owner, job.title, state=job.state, done=job.done,
                                total=job.total, message=job.message, result=job.result, errors=job.errors, now=now,
                                first=first, keep_since=now - KEEP)

    def start(self, title: str, owner: Actor, work: Callable[[Job], Any]) -> Job:
        """Run ``work`` in a thread as a job of ``owner`` (a signed-in user: only they see it)."""
        if owner.user_id is None:
            raise ValueError(f"a job belongs to a signed-in user, not to {owner.name}")
        job = Job(uuid.uuid4().hex, title, owner.user_id, _save=self._write)
        self._write(job, first=True)

        def run() -> None:
            try:
                job.result = work(job)
                job.state = "finished"
            except Exception as exc:
                # jobs are the dashboard's: what went wrong is kept in bokmål (ui.messages)
                job.state, job.message = "failed", norsk(exc)
                job.errors = [(getattr(e, "line", None), getattr(e, "field", None), norsk(getattr(e, "message", e)))
                              for e in getattr(exc, "errors", []) or []]
            self._write(job)

        threading.Thread(target=run, name=f"job-{job.id[:8]}", daemon=True).start()
        return job

    def get(self, job_id: str, actor: Actor) -> Job | None:
        """The job when ``actor`` started it (anyone else's is none) and it is recent."""
        row = background.load_job(self.engine, job_id[:32])
        mine = row is not None and actor.user_id is not None and row.owner == actor.user_id
        if row is None or not mine or row.updated_at < self.clock.now() - KEEP:
            return None
        return Job(row.id, row.title, row.owner, row.done, row.total, row.state, row.message, row.result,
                   row.errors)
