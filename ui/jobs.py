"""Long-running work started from the dashboard (a CSV import, a manual check run), in a thread, with
progress the page polls. Jobs belong to the user who started them and are kept in memory for an hour."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KEEP_SECONDS = 3600


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
    errors: list[Any] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def percent(self) -> int:
        return 100 if self.state != "running" else min(99, int(100 * self.done / max(1, self.total)))


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, title: str, owner: int, work: Callable[[Job], Any]) -> Job:
        job = Job(uuid.uuid4().hex, title, owner)
        with self._lock:
            now = time.monotonic()
            for key in [k for k, j in self._jobs.items() if now - j.started > KEEP_SECONDS]:
                del self._jobs[key]
            self._jobs[job.id] = job

        def run() -> None:
            try:
                job.result = work(job)
                job.state = "finished"
            except Exception as exc:
                job.state, job.message = "failed", str(exc)
                job.errors = list(getattr(exc, "errors", []) or [])

        threading.Thread(target=run, name=f"job-{job.id[:8]}", daemon=True).start()
        return job

    def get(self, job_id: str, owner: int) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None
