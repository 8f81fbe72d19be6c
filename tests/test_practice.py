"""Praksiskandidat credit: calendar months as the counties' calculators count them, nothing in the
future, and hours without float noise."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.definition.schema import Counter
from pathways.engine.practice import PracticeError, credit_practice

COUNTER = Counter(title="Praksis", rule="practice_hours", period=("fra", "til"), percentage="prosent")
RECORDED = date(2025, 8, 1)


def credit(months: dict[str, float], start: str, end: str, percentage: float, on: date = RECORDED) -> float:
    values = {"fra": date.fromisoformat(start), "til": date.fromisoformat(end), "prosent": percentage}
    return credit_practice(COUNTER, values, months, on)


def test_whole_calendar_months_make_exactly_48_months():
    months: dict[str, float] = {}
    hours = credit(months, "2021-01-01", "2021-12-31", 100)
    hours += credit(months, "2022-01-01", "2022-12-31", 50)
    hours += credit(months, "2023-01-01", "2025-06-30", 80)
    assert sum(months.values()) == 48
    assert months == {"2021": 12, "2022": 6, "2023": 12, "2024": 12, "2025": 6}
    assert hours == 48 * 1740 / 12 == 6960


def test_a_full_month_at_80_percent_is_one_month_whatever_its_length():
    for start, end in (("2023-02-01", "2023-02-28"), ("2024-02-01", "2024-02-29"), ("2024-07-01", "2024-07-31")):
        months: dict[str, float] = {}
        assert credit(months, start, end, 80) == 145
        assert sum(months.values()) == 1


def test_part_of_a_month_counts_by_its_days_and_the_position_in_proportion():
    months: dict[str, float] = {}
    assert credit(months, "2024-06-16", "2024-06-30", 100) == 72.5  # 15 of 30 days
    assert credit(months, "2023-09-01", "2023-10-31", 50) == 145  # two months at half time
    assert months == {"2024": 0.5, "2023": 1}


def test_no_year_gives_more_than_twelve_months():
    months: dict[str, float] = {}
    assert credit(months, "2020-01-01", "2020-12-31", 100) == 1740
    assert credit(months, "2020-03-01", "2020-06-30", 50) == 0
    assert months == {"2020": 12}


def test_a_period_ending_after_the_event_date_is_refused():
    months: dict[str, float] = {}
    with pytest.raises(PracticeError, match=r"ends \(2030-06-30\) after the event date \(2025-08-01\)") as caught:
        credit(months, "2021-01-01", "2030-06-30", 100)
    assert caught.value.field == "til"
    assert months == {}  # nothing credited, not even the years that are past
    assert credit(months, "2025-07-01", "2025-08-01", 100) == pytest.approx(145 * 32 / 31, abs=0.01)  # up to the day


def test_the_refusals_read_in_bokmal():
    """The engine's refusals are message codes: English as strings, bokmål from the catalogue."""
    from datetime import date

    from pathways.messages import Text
    from ui.messages import norsk

    late = Text("practice_ends_after_event", end=date(2030, 6, 30), on=date(2025, 8, 1))
    assert late == ("the practice period ends (2030-06-30) after the event date (2025-08-01); only practice that "
                    "has been done is credited")
    assert norsk(late) == ("praksisperioden slutter (30.06.2030) etter hendelsesdatoen (01.08.2025); bare praksis "
                           "som er utført, godkjennes")
    assert norsk(Text("date_outside_years", value=date(9998, 6, 1), low=1900, high=2199)) == \
        "01.06.9998 er utenfor årene 1900–2199"
    assert norsk(Text("needed_to_count", name="slutt", counter="sum")) == "«slutt» må fylles ut for å telle «sum»"
    assert norsk(Text("not_breached", deadline="Prosjektet", on=date(2026, 7, 5))) == \
        "fristen «Prosjektet» er ikke brutt 05.07.2026"
