"""The sweep as a whole: re-runs never duplicate, an interrupted run ends where an uninterrupted one
does, staff decisions on flags are kept, snoozes end on their date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, update
from sqlmodel import Session, select

from pathways.checks.sweep import FAMILIES, run_checks
from pathways.demo import generate
from pathways.services.context import Actor
from pathways.store.tables import Enrolment, Flag

ON = date(2026, 11, 22)


def snapshot(ctx) -> list[tuple]:
    with Session(ctx.engine) as session:
        return sorted((f.natural_key, f.kind, f.state, f.severity, f.due, f.message, f.enrolment_id,
                       f.participant_id) for f in session.exec(select(Flag)))


def test_rerun_interrupted_run_and_staff_decisions(ctx, backend):
    # the demo cohort is mostly on track (pathways/demo.py): enough people for a mix of flag kinds
    generate(ctx.engine, 500, seed=11, today=ON)
    first = run_checks(ctx.engine, ON)
    flags = snapshot(ctx)
    assert len(flags) > 50 and len({kind for _, kind, *_ in flags}) >= 4
    assert any(kind == "frist_brudd" for _, kind, *_ in flags), "the cohort has no passed deadline to snooze"
    assert sum(c["new"] for c in first.counts.values()) == len(flags)

    again = run_checks(ctx.engine, ON)  # the same date: nothing new, nothing resolved, nothing changed
    assert snapshot(ctx) == flags
    assert all(c["new"] == 0 and c["resolved"] == 0 for c in again.counts.values())
    assert {k: c["open"] for k, c in again.counts.items()} == {k: c["open"] for k, c in first.counts.items()}

    # killed after three families, then run again: the same flags as the uninterrupted run
    with ctx.engine.begin() as connection:
        connection.execute(delete(Flag))
    run_checks(ctx.engine, ON, FAMILIES[:3])
    run_checks(ctx.engine, ON)
    assert snapshot(ctx) == flags

    # staff resolve one flag and snooze a passed deadline's; the next night keeps both decisions
    with Session(ctx.engine) as session:
        resolved = session.exec(select(Flag).order_by(Flag.id)).first()
        snoozed = session.exec(select(Flag).where(Flag.kind == "frist_brudd", Flag.id != resolved.id)
                               .order_by(Flag.id)).first()
    with ctx.engine.begin() as connection:
        connection.execute(update(Flag).where(Flag.id == resolved.id).values(
            state="resolved", resolved_by="veileder", resolution="Avklart med deltakeren"))
        connection.execute(update(Flag).where(Flag.id == snoozed.id).values(state="snoozed",
                                                                            snoozed_until=date(2026, 11, 25)))
    run_checks(ctx.engine, ON)
    with Session(ctx.engine) as session:
        assert session.get(Flag, resolved.id).state == "resolved"
        assert session.get(Flag, resolved.id).resolution == "Avklart med deltakeren"
        assert session.get(Flag, snoozed.id).state == "snoozed"
    run_checks(ctx.engine, date(2026, 11, 25))
    with Session(ctx.engine) as session:
        # the deadline is still passed (no event on the case since): the snooze ended, the flag is open again
        back = session.get(Flag, snoozed.id)
        assert back.state == "open"
        assert session.get(Flag, resolved.id).resolved_by == "veileder"


def test_staff_acknowledge_snooze_and_resolve_with_checks(ctx, clock):
    import pytest

    from pathways.services import flags as flag_service
    from pathways.services.context import ServiceError
    from tests.scenarios.walk import Walk

    Walk.start(ctx, clock, "supported_employment", date(2025, 9, 1), born=date(1994, 2, 10))
    clock.set(date(2025, 9, 20))
    run_checks(ctx.engine, date(2025, 9, 20), ["deadlines"])
    with Session(ctx.engine) as session:
        [flag] = session.exec(select(Flag)).all()
    flag_service.acknowledge(ctx, flag.id)
    with pytest.raises(ServiceError, match="later date"):
        flag_service.snooze(ctx, flag.id, date(2025, 9, 20))
    flag_service.snooze(ctx, flag.id, date(2025, 9, 25))
    with pytest.raises(ServiceError, match="say how") as caught:
        flag_service.resolve(ctx, flag.id, "  ")
    assert caught.value.field == "comment"
    ctx.actor = Actor.system("kari")
    flag_service.resolve(ctx, flag.id, "Ringte arbeidsgiveren")
    with Session(ctx.engine) as session:
        stored = session.get(Flag, flag.id)
        assert (stored.state, stored.resolved_by, stored.resolution) == ("resolved", "kari", "Ringte arbeidsgiveren")
    with pytest.raises(ServiceError, match="already resolved"):
        flag_service.acknowledge(ctx, flag.id)


def projection(ctx) -> list[tuple]:
    with Session(ctx.engine) as session:
        return sorted(session.exec(select(Enrolment.id, Enrolment.gap_from, Enrolment.gap_to)).all())


def test_partitions_give_the_same_flags(ctx):
    """The sweep cut into partitions (the deadlines split by case id, the income gaps by participant id, as
    the nightly flow's tasks run them) ends where the undivided sweep does: the flags and the income
    projection on the cases."""
    generate(ctx.engine, 150, seed=5, today=ON)
    run_checks(ctx.engine, ON)
    alone, projected = snapshot(ctx), projection(ctx)
    assert any(kind == "inntektsgap" for _, kind, *_ in alone), "no income gap to share between partitions"
    with ctx.engine.begin() as connection:
        connection.execute(delete(Flag))
        connection.execute(update(Enrolment).values(gap_from=None, gap_to=None))
    report = run_checks(ctx.engine, ON, partitions=3)
    assert snapshot(ctx) == alone
    assert projection(ctx) == projected and any(gap for _, gap, _ in projected)
    assert sum(c["new"] for c in report.counts.values()) == len(alone)
    again = run_checks(ctx.engine, ON + timedelta(days=1), partitions=3)
    with ctx.engine.begin() as connection:
        connection.execute(delete(Flag))
    run_checks(ctx.engine, ON + timedelta(days=1))
    assert sum(c["open"] for c in again.counts.values()) == len(
        [f for f in snapshot(ctx) if f[2] != "resolved"])


def test_plan_cuts_the_sharded_families_heaviest_first():
    from pathways.checks.sweep import plan

    assert plan(["birthday", "deadlines"], 1) == [("deadlines", None), ("birthday", None)]
    units = plan(["deadlines", "income_gaps", "birthday"], 2)
    assert units == [("income_gaps", (0, 2)), ("income_gaps", (1, 2)), ("birthday", None), ("deadlines", (0, 2)),
                     ("deadlines", (1, 2))]
    with pytest.raises(ValueError, match="at least 1"):
        plan(["deadlines"], 0)
