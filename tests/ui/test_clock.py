"""The dashboard's own bookkeeping takes its time from the app's clock (issue 12 item 3): a test moves
the clock to lift a sign-in lock and to let a finished job expire."""

from __future__ import annotations

import time

import pytest

from pathways.calendar import FixedClock
from pathways.services.context import Actor
from tests.ui.conftest import PASSWORD
from ui.jobs import KEEP, Job, Jobs
from ui.security import Throttle, Throttled


def test_the_per_minute_sign_in_limit_lifts_when_the_clock_passes_the_window(world):
    throttle = Throttle(world.ctx.engine, world.clock)
    for _ in range(5):
        throttle.attempt("ola", "192.0.2.1")
    with pytest.raises(Throttled) as refused:
        throttle.attempt("ola", "192.0.2.1")
    assert (refused.value.kind, refused.value.minutes) == ("user", 1)
    assert throttle.locked("ola") == 1
    world.clock.advance(seconds=59)
    assert throttle.locked("ola") == 1
    world.clock.advance(seconds=2)  # the five failures are more than a minute old
    assert throttle.locked("ola") is None
    assert throttle.attempt("ola", "192.0.2.1")  # counted again, not refused


def test_a_locked_user_signs_in_once_the_dashboards_clock_moved_on(browser, world):
    guest = browser(None)
    token = guest.token()
    for _ in range(5):
        guest.client.post("/logg-inn", data={"csrf_token": token, "username": "ola", "password": "galt-" * 3})
    right = {"csrf_token": token, "username": "ola", "password": PASSWORD}
    assert guest.client.post("/logg-inn", data=right).status_code == 429
    world.clock.advance(minutes=1, seconds=1)
    assert guest.client.post("/logg-inn", data=right).status_code == 303


def _finished(jobs: Jobs, job: Job, owner: Actor) -> Job:
    deadline = time.monotonic() + 20
    while (seen := jobs.get(job.id, owner)) is None or seen.state == "running":
        assert time.monotonic() < deadline, "the job did not finish"
        time.sleep(0.02)
    return seen


def test_a_job_expires_an_hour_after_its_last_progress_by_the_clock(world):
    clock: FixedClock = world.clock
    jobs = Jobs(world.ctx.engine, clock)
    owner = Actor.user(1, "ola", "veileder", 1, "Asker")  # a job is its starter's alone
    job = jobs.start("Prøve", owner, lambda job: {"svar": 42})
    assert _finished(jobs, job, owner).result == {"svar": 42}
    clock.advance(hours=1)
    assert jobs.get(job.id, owner) is not None  # exactly an hour: still kept
    clock.advance(seconds=1)
    assert jobs.get(job.id, owner) is None
    clock.advance(seconds=-1)
    assert jobs.get(job.id, owner) is not None  # expired is not yet deleted
    clock.advance(seconds=1)
    later = jobs.start("Neste", owner, lambda job: None)  # a new job clears the expired ones
    _finished(jobs, later, owner)
    clock.advance(seconds=-1)
    assert jobs.get(job.id, owner) is None
    assert KEEP.total_seconds() == 3600
