"""The livelihood services: register, confirm, extend, end early, correct and delete a period (with a
reason kept in the audit trail). Scope first (another veileder's or kommune's participant: not found,
whatever the input), every problem of the input at once with its field, and nothing written on refusal.
Runs on SQLite and, when configured, PostgreSQL.

The world is the dashboard tests' (tests/ui/conftest.py): kari has Amina's case (Asker), ola Yonas's,
per (Bærum) Olena's; lise is Asker's leder."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from pathways.i18n import localise
from pathways.services import livelihood
from pathways.services.access import Forbidden
from pathways.services.context import NotFound, ServiceError
from pathways.services.livelihood import PeriodInvalid, amount_in_ore
from pathways.store.tables import AuditEntry, LivelihoodPeriod
from tests.conftest import table_counts
from tests.services.test_access import as_user
from tests.ui.conftest import World, build_world

D = date


@pytest.fixture
def world(ctx, clock) -> World:
    return build_world(ctx, clock)


def stored(world: World, period_id: int) -> LivelihoodPeriod | None:
    with Session(world.ctx.engine) as session:
        return session.get(LivelihoodPeriod, period_id)


def test_a_veileder_registers_and_changes_a_period_of_their_own_participant(world):
    kari = as_user(world, "kari")
    period = livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", D(2026, 8, 1), D(2026, 12, 31),
                                   planned=True, amount="15 012,50", note="  Vedtak kommer  ")
    row = stored(world, period)
    assert (row.amount_ore, row.note, row.planned) == (1501250, "Vedtak kommer", True)
    livelihood.confirm_income(kari, period)
    livelihood.extend_income(kari, period, D(2027, 7, 31))
    livelihood.end_income(kari, period, D(2027, 5, 31))
    livelihood.correct_income(kari, period, source="kvalifiseringsstonad", amount=None, note="")
    row = stored(world, period)
    assert (row.source, row.start, row.end, row.planned, row.amount_ore, row.note) == (
        "kvalifiseringsstonad", D(2026, 8, 1), D(2027, 5, 31), False, None, None)
    livelihood.extend_income(kari, period, None)  # runs on with no end date
    assert stored(world, period).end is None
    livelihood.delete_income(kari, period, "Registrert på feil person")
    assert stored(world, period) is None
    with Session(world.ctx.engine) as session:
        entries = list(session.exec(select(AuditEntry).where(AuditEntry.participant_id == world.amina_pid,
                                                             AuditEntry.action.startswith("income."))
                                    .order_by(AuditEntry.id)))
    assert [e.action for e in entries] == ["income.created", "income.confirmed", "income.extended",
                                           "income.ended", "income.corrected", "income.extended", "income.deleted"]
    assert all(e.actor == "kari" for e in entries)
    assert entries[4].detail.endswith("felt: source, amount, note")
    assert entries[-1].detail == (f"periode {period}: kvalifiseringsstonad, 2026-08-01–løpende; "
                                  "grunn: Registrert på feil person")


@pytest.mark.parametrize("user", ["ola", "per"])
def test_another_veileder_or_kommune_finds_nothing_whatever_the_input(world, user):
    period = livelihood.add_income(world.ctx, world.amina_pid, "lonn", D(2026, 8, 1), planned=True)
    other = as_user(world, user)
    before = table_counts(world.ctx)
    calls = [
        lambda: livelihood.add_income(other, world.amina_pid, "lonn", D(2027, 1, 1)),
        lambda: livelihood.add_income(other, world.amina_pid, "lonn", D(2027, 1, 1), D(1900, 1, 1)),
        lambda: livelihood.confirm_income(other, period),
        lambda: livelihood.extend_income(other, period, D(2027, 1, 1)),
        lambda: livelihood.end_income(other, period, D(1900, 1, 1)),
        lambda: livelihood.correct_income(other, period, start=D(1900, 1, 1)),
        lambda: livelihood.delete_income(other, period, ""),
        lambda: livelihood.participant_livelihood(other, world.amina_pid),
        lambda: livelihood.case_livelihood(other, world.amina),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert table_counts(world.ctx) == before


def test_a_leder_reads_but_may_not_change(world):
    period = livelihood.add_income(world.ctx, world.amina_pid, "lonn", D(2026, 8, 1), planned=True)
    lise = as_user(world, "lise")
    assert [p.id for p in livelihood.participant_livelihood(lise, world.amina_pid).periods] == [period]
    with pytest.raises(Forbidden):
        livelihood.confirm_income(lise, period)
    with pytest.raises(Forbidden):
        livelihood.add_income(lise, world.amina_pid, "lonn", D(2027, 1, 1))
    assert stored(world, period).planned


def test_a_period_of_another_participant_is_not_found_under_this_one(world):
    kari = as_user(world, "kari")
    fatima = livelihood.add_income(kari, world.fatima_pid, "sosialhjelp", D(2026, 10, 1))  # the intake is kari's too
    with pytest.raises(NotFound):
        livelihood.confirm_income(kari, fatima, participant_id=world.amina_pid)
    with pytest.raises(NotFound):
        livelihood.delete_income(kari, fatima, "feil", participant_id=world.amina_pid)
    assert stored(world, fatima) is not None


def test_every_problem_is_reported_at_once_with_its_field_and_nothing_is_written(world):
    kari = as_user(world, "kari")
    before = table_counts(world.ctx)
    with pytest.raises(PeriodInvalid) as caught:
        livelihood.add_income(kari, world.amina_pid, "ingen", D(2026, 9, 1), D(2026, 8, 1), amount="100",
                              note="x" * 501)
    assert set(caught.value.problems) == {"to", "amount", "note"}
    assert caught.value.field == "to"
    with pytest.raises(PeriodInvalid) as caught:
        livelihood.add_income(kari, world.amina_pid, "lonn", D(1949, 12, 31), D(2101, 1, 1), amount="12,345")
    assert set(caught.value.problems) == {"from", "to", "amount"}
    assert "not between 1950-01-01 and 2100-12-31" in caught.value.problems["from"]
    with pytest.raises(PeriodInvalid) as caught:
        livelihood.add_income(kari, world.amina_pid, "lonn", D(2026, 9, 1), note="a\x00b")
    assert set(caught.value.problems) == {"note"}
    with pytest.raises(ServiceError) as caught:
        livelihood.add_income(kari, world.amina_pid, "lønn", D(2026, 9, 1))
    assert caught.value.field == "source"
    assert table_counts(world.ctx) == before


@pytest.mark.parametrize("start, end, field", [
    (D(2026, 8, 1), D(2026, 12, 31), "from"),  # the same days
    (D(2026, 9, 1), D(2026, 10, 1), "from"),  # inside
    (D(2026, 7, 1), D(2026, 8, 1), "to"),  # ends on its first day
    (D(2026, 12, 31), None, "from"),  # starts on its last day
    (D(2026, 1, 1), None, "to"),  # around it
])
def test_a_period_overlapping_another_of_the_same_source_is_refused(world, start, end, field):
    kari = as_user(world, "kari")
    livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", D(2026, 8, 1), D(2026, 12, 31))
    before = table_counts(world.ctx)
    with pytest.raises(PeriodInvalid) as caught:
        livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", start, end, planned=True)
    assert list(caught.value.problems) == [field]
    problem = caught.value.problems[field]
    assert "overlaps the period with introduksjonsstønad 2026-08-01 – 2026-12-31" in problem
    assert "overlapper perioden med introduksjonsstønad 01.08.2026 – 31.12.2026" in localise(problem)
    assert table_counts(world.ctx) == before


def test_what_may_lie_side_by_side(world):
    kari = as_user(world, "kari")
    livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", D(2026, 8, 1), D(2026, 12, 31))
    livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", D(2027, 1, 1))  # the day after: fine
    livelihood.add_income(kari, world.amina_pid, "lonn", D(2026, 10, 1))  # wages beside the benefit: fine
    with pytest.raises(PeriodInvalid, match="'ingen livsopphold' cannot apply at the same time") as caught:
        livelihood.add_income(kari, world.amina_pid, "ingen", D(2026, 11, 1), D(2026, 11, 30))
    assert "«ingen livsopphold» kan ikke gjelde samtidig" in localise(caught.value)


def test_changes_are_checked_like_a_new_period(world):
    kari = as_user(world, "kari")
    first = livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", D(2026, 8, 1), D(2026, 12, 31))
    second = livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", D(2027, 2, 1), D(2027, 6, 30),
                                   planned=True)
    before = table_counts(world.ctx)
    refusals = [
        (lambda: livelihood.extend_income(kari, first, D(2027, 2, 1)), "to"),  # into the next period
        (lambda: livelihood.extend_income(kari, first, D(2026, 12, 1)), "to"),  # not later
        (lambda: livelihood.end_income(kari, first, D(2026, 7, 31)), "to"),  # before it starts
        (lambda: livelihood.end_income(kari, first, D(2101, 1, 1)), "to"),
        (lambda: livelihood.confirm_income(kari, first), "planned"),  # confirmed already
        (lambda: livelihood.correct_income(kari, second, start=D(2026, 12, 31)), "from"),
        (lambda: livelihood.correct_income(kari, second, amount="-1"), "amount"),
        (lambda: livelihood.delete_income(kari, second, "  "), "reason"),
        (lambda: livelihood.delete_income(kari, second, "x" * 301), "reason"),
    ]
    for call, field in refusals:
        with pytest.raises(PeriodInvalid) as caught:
            call()
        assert caught.value.field == field, caught.value
    assert table_counts(world.ctx) == before
    assert (stored(world, first).end, stored(world, second).start) == (D(2026, 12, 31), D(2027, 2, 1))
    with pytest.raises(PeriodInvalid):  # a period with no end cannot be extended
        livelihood.extend_income(kari, livelihood.add_income(kari, world.amina_pid, "lonn", D(2027, 1, 1)),
                                 D(2027, 6, 1))


def test_the_gaps_are_live_after_each_change(world):
    kari = as_user(world, "kari")
    assert [g.kind for g in livelihood.case_livelihood(kari, world.amina).gaps] == ["current"]
    period = livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", D(2026, 8, 1), planned=True)
    assert [g.kind for g in livelihood.case_livelihood(kari, world.amina).gaps] == ["current"]  # only planned
    livelihood.confirm_income(kari, period)
    assert livelihood.case_livelihood(kari, world.amina).gaps == []


@pytest.mark.parametrize("typed, ore", [
    ("15012", 1501200), ("15 012,50", 1501250), ("15\u00a0012,5 kr", 1501250), (Decimal("0.01"), 1), (7, 700),
    (None, None), ("", None),
])
def test_amounts_as_typed(typed, ore):
    assert amount_in_ore(typed) == ore


@pytest.mark.parametrize("typed", ["mye", "1,234", "-5", "1000001", "NaN", "Infinity", True, "1e400"])
def test_amounts_that_are_not(typed):
    with pytest.raises(PeriodInvalid) as caught:
        amount_in_ore(typed)
    assert caught.value.field == "amount"
