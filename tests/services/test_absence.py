"""Absence (fravær) and the deduction in introduksjonsstønad (issue 15), with amounts computed by hand.

G is 130 160 kr (from 1 May 2025, the newest in the table), so the full rate is 2G = 260 320 kr a year,
21 693,33 kr a month, and one programme hour 260 320 / 1 950 = 133,4974 kr. Under 25 (integreringsloven,
not living with parents) the rate is 2/3: 173 546,67 kr a year (rounded to øre, as the benefit is).
October 2026 has 22 working days (165 programme hours), November 2026 21 (157,5 hours).

The world is the dashboard tests' (tests/ui/conftest.py): kari works Amina's case (born 1990, full rate),
started 1 August 2026; today is 22 November 2026."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from pathways.income.absence import deduction, needs_decision, programme_hours
from pathways.services import absence, cases, livelihood
from pathways.services.absence import AbsenceInvalid
from pathways.services.access import Forbidden
from pathways.services.context import NotFound
from pathways.services.participants import add_participant
from pathways.store.tables import Absence, AuditEntry
from tests.conftest import table_counts
from tests.services.test_access import as_user
from tests.ui.conftest import World, build_world

D = date
OCTOBER, NOVEMBER = D(2026, 10, 1), D(2026, 11, 1)


@pytest.fixture
def world(ctx, clock) -> World:
    return build_world(ctx, clock)


def _with_benefit(world: World, born: str) -> int:
    """A participant of kari's on the introduksjonsprogram from 1 August 2026, with introduksjonsstønad."""
    pid = add_participant(world.ctx, name="Deltaker Test", born=born, settled="2026-06-01", kommune="Asker")
    case = cases.enrol(world.ctx, pid, "introduksjonsprogram", D(2026, 8, 3), "kari")
    livelihood.add_income(as_user(world, "kari"), pid, "introduksjonsstonad", D(2026, 8, 3), None)
    return case


def test_the_programme_hours_of_a_month_are_its_working_days_inside_the_programme():
    assert programme_hours(OCTOBER, D(2026, 8, 3), None) == Decimal("165.0")
    assert programme_hours(NOVEMBER, D(2026, 8, 3), None) == Decimal("157.5")
    assert programme_hours(D(2026, 12, 1), D(2026, 8, 3), None) == Decimal("165.0")  # 23 weekdays less 25 Dec
    assert programme_hours(OCTOBER, D(2026, 10, 19), D(2026, 10, 23)) == Decimal("37.5")


def test_the_full_rate_deducts_hour_by_hour(world):
    case = _with_benefit(world, "1990-03-04")
    kari = as_user(world, "kari")
    month = absence.set_absence(kari, case, D(2026, 10, 14), "10", approved=False, note="Uteble uten beskjed")
    # 10 × 260 320 / 1 950 = 1 334,974… → 1 334,97; the month's payment 260 320 / 12 = 21 693,33
    assert (month.month, month.not_approved, month.deducted) == (OCTOBER, Decimal("10"), Decimal("1334.97"))
    assert (month.payment, month.estimate, month.decision) == (Decimal("21693.33"), Decimal("20358.36"), False)
    approved = absence.set_absence(kari, case, OCTOBER, "7,5", approved=True, note="Sykt barn")
    assert (approved.approved, approved.deducted) == (Decimal("7.5"), Decimal("1334.97"))  # approved costs nothing
    assert absence.case_absence(kari, case)[0].notes == ("Uteble uten beskjed", "Sykt barn")  # not approved first


def test_the_rate_under_25_deducts_at_two_thirds(world):
    case = _with_benefit(world, "2004-03-01")
    month = absence.set_absence(as_user(world, "kari"), case, OCTOBER, "12", approved=False)
    # 12 × 173 546,67 / 1 950 = 2 082 560,04 / 1 950 = 1 067,979… → 1 067,98; payment 520 640 / 36 = 14 462,22
    assert (month.deducted, month.payment, month.estimate) == (Decimal("1067.98"), Decimal("14462.22"),
                                                               Decimal("13394.24"))


def test_a_month_across_the_25th_birthday_deducts_each_day_at_its_rate(world):
    case = _with_benefit(world, "2001-11-16")  # 25 on Monday 16 November 2026
    month = absence.set_absence(as_user(world, "kari"), case, NOVEMBER, "21", approved=False)
    # 21 hours over 21 days, one an hour: 10 days (2–13 Nov) at 173 546,67 and 11 days (16–30 Nov) at 260 320:
    # (1 735 466,70 + 2 863 520) / 1 950 = 4 598 986,70 / 1 950 = 2 358,454… → 2 358,45
    assert month.deducted == Decimal("2358.45")
    assert month.payment == Decimal("14462.22")  # the month is paid at the rate of its first day (no proration)


def test_a_large_deduction_needs_a_formal_decision(world):
    case = _with_benefit(world, "1990-03-04")
    month = absence.set_absence(as_user(world, "kari"), case, OCTOBER, "90", approved=False)
    # 90 × 133,4974 = 12 014,77: at least half of 21 693,33 and at least 1/12 G (10 846,67)
    assert (month.deducted, month.decision) == (Decimal("12014.77"), True)
    assert needs_decision(Decimal("10846.67"), Decimal("21693.33"), 130160)
    assert not needs_decision(Decimal("10846.66"), Decimal("21693.33"), 130160)
    assert not needs_decision(Decimal("9000"), Decimal("10000"), 130160)  # half the payment, but under 1/12 G


def test_recording_again_replaces_and_zero_removes(world):
    case = _with_benefit(world, "1990-03-04")
    kari = as_user(world, "kari")
    absence.set_absence(kari, case, OCTOBER, "10", approved=False)
    assert absence.set_absence(kari, case, OCTOBER, "4", approved=False).deducted == Decimal("533.99")
    absence.set_absence(kari, case, OCTOBER, "0", approved=False)
    assert absence.case_absence(kari, case) == []
    with Session(world.ctx.engine) as session:
        trail = session.exec(select(AuditEntry.action).where(AuditEntry.action == "absence.recorded")).all()
    assert len(trail) == 3


@pytest.mark.parametrize(("month", "hours", "field", "words"), [
    (OCTOBER, "-2", "hours", "negative"),
    (OCTOBER, "mange", "hours", "is not a number of hours"),
    (OCTOBER, "1,255", "hours", "two decimals"),
    (OCTOBER, "", "hours", "number of hours"),
    (OCTOBER, "165,5", "hours", "more than the programme has in 10.2026"),
    (D(2026, 7, 1), "3", "month", "outside the programme"),
    (D(2026, 12, 1), "3", "month", "has not begun"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_is_written(world, month, hours, field, words):
    case = _with_benefit(world, "1990-03-04")
    before = table_counts(world.ctx.engine)
    with pytest.raises(AbsenceInvalid) as caught:
        absence.set_absence(as_user(world, "kari"), case, month, hours, approved=False)
    assert caught.value.field == field and words in str(caught.value)
    assert table_counts(world.ctx.engine) == before


def test_both_kinds_together_may_not_exceed_the_months_hours(world):
    case = _with_benefit(world, "1990-03-04")
    kari = as_user(world, "kari")
    absence.set_absence(kari, case, OCTOBER, "160", approved=True)
    with pytest.raises(AbsenceInvalid, match="160 of them already recorded"):
        absence.set_absence(kari, case, OCTOBER, "10", approved=False)
    assert absence.set_absence(kari, case, OCTOBER, "5", approved=False).not_approved == Decimal("5")


def test_only_who_works_the_case_records_absence(world):
    case = _with_benefit(world, "1990-03-04")
    with pytest.raises(NotFound):
        absence.set_absence(as_user(world, "ola"), case, OCTOBER, "3", approved=False)
    with pytest.raises(NotFound):
        absence.set_absence(as_user(world, "per"), case, OCTOBER, "3", approved=False)
    with pytest.raises(Forbidden):
        absence.set_absence(as_user(world, "lise"), case, OCTOBER, "3", approved=False)
    with Session(world.ctx.engine) as session:
        assert session.exec(select(Absence)).all() == []
    assert absence.case_absence(as_user(world, "lise"), case) == []  # the leder reads it


def test_without_the_benefit_absence_is_kept_but_deducts_nothing(world):
    kari = as_user(world, "kari")
    month = absence.set_absence(kari, world.amina, OCTOBER, "6", approved=False)  # Amina has no benefit period
    assert (month.payment, month.estimate, month.deducted) == (None, None, Decimal("0.00"))


def test_the_deduction_rounds_to_ore_half_up():
    assert deduction(Decimal("1"), [OCTOBER], lambda _day: Decimal("1950.01")) == Decimal("1.00")
    assert deduction(Decimal("3"), [OCTOBER], lambda _day: Decimal("325")) == Decimal("0.50")
    with pytest.raises(ValueError):
        deduction(Decimal("-1"), [OCTOBER], lambda _day: Decimal("1"))
