"""Every timestamp a service writes comes from the context's clock (issue 12 item 3): a test that moves
the clock sees the stamps move with it."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from pathways.calendar import OSLO, FixedClock
from pathways.checks.sweep import run_checks
from pathways.services import cases, flags
from pathways.services.accounts import add_user
from pathways.services.audit import user_trail
from pathways.services.context import Actor
from pathways.services.participants import add_participant
from pathways.store.tables import AuditEntry, Event, Flag, Participant, User


def _oslo(stamp: datetime) -> datetime:
    """A stored instant as Oslo wall time (SQLite gives the naive wall time back, PostgreSQL an aware one)."""
    return stamp.astimezone(OSLO).replace(tzinfo=None) if stamp.tzinfo else stamp


def test_audit_entries_are_stamped_by_the_clock_not_the_wall(ctx, clock: FixedClock):
    clock.set(datetime(2026, 3, 29, 3, 30))  # the night summer time starts: 03:30 exists, 02:30 does not
    user_id, _ = add_user(ctx, username="siv", name="Siv Hansen", role="veileder", kommune="Asker")
    clock.advance(days=400, hours=5)
    with Session(ctx.engine) as session:
        kommune_id = session.get(User, user_id).kommune_id
    ctx.actor = Actor.user(user_id, "siv", "veileder", kommune_id, "Asker")
    pid = add_participant(ctx, name="Amina Ali", born="1990-03-04", settled="2026-05-01", kommune="Asker")
    with Session(ctx.engine) as session:
        user = session.get(User, user_id)
        stamps = {a.action: _oslo(a.at) for a in session.exec(select(AuditEntry))}
        created = _oslo(session.get(Participant, pid).created_at)
    assert _oslo(user.created_at) == stamps["user.created"] == datetime(2026, 3, 29, 3, 30)
    assert created == stamps["participant.created"] == datetime(2027, 5, 3, 8, 30)
    assert [_oslo(e.at) for e in user_trail(ctx, user.kommune_id, user_id)] == [datetime(2027, 5, 3, 8, 30),
                                                                                datetime(2026, 3, 29, 3, 30)]


def test_events_and_flag_decisions_are_stamped_by_the_clock(ctx, clock: FixedClock):
    clock.set(datetime(2025, 9, 1, 9, 15))
    pid = add_participant(ctx, name="Amina Ali", born="1994-02-10", settled="2025-08-01", kommune="Asker")
    case = cases.enrol(ctx, pid, "supported_employment", date(2025, 9, 1))
    clock.set(datetime(2025, 9, 20, 23, 59))
    run_checks(ctx.engine, clock.today(), ["deadlines"], clock=clock)
    with Session(ctx.engine) as session:
        [flag] = session.exec(select(Flag)).all()
        assert _oslo(flag.created_at) == _oslo(flag.updated_at) == datetime(2025, 9, 20, 23, 59)
    clock.set(datetime(2025, 9, 22, 7, 5))
    flags.acknowledge(ctx, flag.id)
    with Session(ctx.engine) as session:
        assert _oslo(session.get(Flag, flag.id).updated_at) == datetime(2025, 9, 22, 7, 5)
        [start] = session.exec(select(Event).where(Event.enrolment_id == case)).all()
        assert _oslo(start.recorded_at) == datetime(2025, 9, 1, 9, 15)
