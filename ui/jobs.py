"""Long-running work started from the dashboard (a CSV import, a manual check run), in a thread, with
progress the page polls. Progress lives in the store (``BackgroundJob``) so that whichever dashboard
worker process answers the poll can show it. Jobs belong to the user who started them and are kept for
an hour after their last progress."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, delete
from sqlmodel import Session

from pathways.calendar import Clock, SystemClock
from pathways.services.context import Actor
from pathways.store.tables import BackgroundJob
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
        with self._lock, Session(self.engine) as session:
            now = self.clock.now()
            row = BackgroundJob(id=job.id, owner_id=job.owner, title=job.title, started_at=now, updated_at=now) \
                if first else session.get(BackgroundJob, job.id)
            if row is None:
                return
            row.state, row.done, row.total, row.message = job.state, job.done, job.total, job.message
            row.result = json.dumps(job.result, ensure_ascii=False) if job.result is not None else None
            row.errors = json.dumps(job.errors, ensure_ascii=False) if job.errors else None
            row.updated_at = now
            if first:
                session.execute(delete(BackgroundJob).where(BackgroundJob.updated_at < now - KEEP))
            session.add(row)
            session.commit()

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
        with Session(self.engine) as session:
            row = session.get(BackgroundJob, job_id[:32])
            mine = row is not None and actor.user_id is not None and row.owner_id == actor.user_id
            if row is None or not mine or row.updated_at < self.clock.now() - KEEP:
                return None
            return Job(row.id, row.title, row.owner_id, row.done, row.total, row.state, row.message,
                       json.loads(row.result) if row.result else None,
                       [tuple(e) for e in json.loads(row.errors)] if row.errors else [])
