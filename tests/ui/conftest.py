"""A small world for the dashboard tests: two kommuner, staff in every role, cases with flags.

Asker: veileder kari (Amina's case, flagged: the vedtak deadline passed), veileder ola (Yonas's case,
settled recently: no deadline passed),
leder lise, administrator anne; Fatima has no case yet (intake). Bærum: veileder per (Olena's case).
The clock stands at 2026-11-22 and the nightly checks have run on that date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from pathways.calendar import FixedClock
from pathways.checks.sweep import run_checks
from pathways.services import cases
from pathways.services.accounts import add_user, create_token
from pathways.services.context import Context
from pathways.services.participants import add_participant
from pathways.store.tables import Flag
from ui.app import Settings, create_app

TODAY = date(2026, 11, 22)
PASSWORD = "riktig-hest-batteri"
STAFF = {  # username: (role, kommune)
    "kari": ("veileder", "Asker"), "ola": ("veileder", "Asker"), "lise": ("leder", "Asker"),
    "anne": ("administrator", "Asker"), "per": ("veileder", "Bærum"),
}


@dataclass
class World:
    ctx: Context
    clock: FixedClock
    amina: int  # kari's case (Asker), at the vedtak step with a breached deadline
    yonas: int  # ola's case (Asker)
    olena: int  # per's case (Bærum)
    amina_pid: int
    fatima_pid: int  # Asker, no case
    olena_pid: int
    tokens: dict[str, str]

    def flags(self, case_id: int) -> list[Flag]:
        with Session(self.ctx.engine) as session:
            return list(session.exec(select(Flag).where(Flag.enrolment_id == case_id)))


def build_world(ctx: Context, clock: FixedClock) -> World:
    """The world in ``ctx``'s store: built there, or, in a store cloned from the world's template
    (tests/conftest.py), the one built in the template, given this test's context and clock."""
    from tests.conftest import built_with
    kind, built = built_with(ctx.engine)
    if kind == "world" and isinstance(built, World):
        clock.set(TODAY)
        return replace(built, ctx=ctx, clock=clock)
    clock.set(date(2026, 8, 1))
    for username, (role, kommune) in STAFF.items():
        add_user(ctx, username=username, name=username.capitalize() + " Nordmann", role=role, kommune=kommune,
                 password=PASSWORD)
    amina_pid = add_participant(ctx, name="Amina Ali", born="1990-03-04", settled="2026-05-01", kommune="Asker")
    amina = cases.enrol(ctx, amina_pid, "introduksjonsprogram", date(2026, 8, 1), "kari")
    clock.set(date(2026, 9, 1))
    cases.advance(ctx, amina, "fullfort", date(2026, 8, 10))
    cases.advance(ctx, amina, "kartlegging_fullfort", date(2026, 9, 1))  # now at the vedtak step
    yonas_pid = add_participant(ctx, name="Yonas Haile", born="1995-06-07", settled="2026-10-01", kommune="Asker")
    yonas = cases.enrol(ctx, yonas_pid, "introduksjonsprogram", date(2026, 10, 1), "ola")
    fatima_pid = add_participant(ctx, name="Fatima Hassan", born="1988-01-02", settled="2026-10-01", kommune="Asker")
    olena_pid = add_participant(ctx, name="Olena Kovalenko", born="1992-02-03", settled="2026-06-01", kommune="Bærum")
    olena = cases.enrol(ctx, olena_pid, "introduksjonsprogram", date(2026, 9, 1), "per")
    clock.set(TODAY)
    run_checks(ctx.engine, TODAY)
    tokens = {name: create_token(ctx, name, "test") for name in STAFF}
    return World(ctx, clock, amina, yonas, olena, amina_pid, fatima_pid, olena_pid, tokens)


@pytest.fixture
def world(ctx: Context, clock: FixedClock) -> World:
    return build_world(ctx, clock)


@pytest.fixture
def app(world: World):
    return create_app(world.ctx.engine, world.clock, Settings("test-secret-" + "x" * 32))


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class Browser:
    """A TestClient signed in as one user, posting forms with the page's CSRF token."""

    def __init__(self, app, username: str | None):
        self.client = TestClient(app, follow_redirects=False)
        self.username = username
        if username:
            page = self.client.get("/logg-inn")
            response = self.client.post("/logg-inn", data={"csrf_token": csrf_of(page.text), "username": username,
                                                           "password": PASSWORD, "next": "/"})
            assert response.status_code == 303, response.text

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def token(self) -> str:
        return csrf_of(self.client.get("/logg-inn").text)

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.token(), **(data or {})}, **kwargs)


@pytest.fixture
def browser(app):
    return lambda username=None: Browser(app, username)
