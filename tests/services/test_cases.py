"""Cases: bad events are refused with a clear message and change nothing; concurrent writes conflict."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from pathways.services import cases, livelihood, participants
from pathways.services.context import Conflict, NotFound, ServiceError
from tests.conftest import table_counts


@pytest.fixture
def case(ctx) -> int:
    pid = participants.add_participant(ctx, name="Amina", born="1994-02-10", settled="2022-08-01", kommune="Asker",
                                       fields={"norwegian_oral": "A2"})
    return cases.enrol(ctx, pid, "supported_employment", date(2025, 9, 1))


@pytest.mark.parametrize("event, on, values, field, message", [
    ("samarbeidsavtale_signet", date(2025, 9, 2), {}, "event", "did you mean 'samarbeidsavtale_signert'"),
    ("samarbeidsavtale_signert", date(2025, 9, 2), {"avtaledato": "2025-09-02"}, "programslutt_dato", "required"),
    ("samarbeidsavtale_signert", date(2025, 9, 2), {"avtaledato": "2. sept", "programslutt_dato": "2026-07-31"},
     "avtaledato", "not a date"),
    ("samarbeidsavtale_signert", date(2025, 9, 2), {"avtaledato": "2025-09-02", "programslutt_dato": "2026-07-31",
                                                    "farge": "blå"}, "farge", "has no field"),
    ("samarbeidsavtale_signert", date(2025, 8, 1), {"avtaledato": "2025-08-01", "programslutt_dato": "2026-07-31"},
     "on", "before the case's last event"),
    ("samarbeidsavtale_signert", date(2027, 1, 1), {"avtaledato": "2027-01-01", "programslutt_dato": "2027-07-31"},
     "on", "after today"),
    ("ansatt", date(2025, 9, 2), {"startdato": "2025-09-02", "arbeidsgiver": "x", "ansettelsesform": "fast",
                                  "stillingsprosent": "80", "lonnstilskudd": "nei"}, None, "cannot be recorded"),
    # implausible dates and out-of-range input (issue 11): refused at the boundary, never an arithmetic error
    ("samarbeidsavtale_signert", date(1949, 12, 31), {"avtaledato": "2025-09-02", "programslutt_dato": "2026-07-31"},
     "on", "not between 1950-01-01 and 2100-12-31"),
    ("samarbeidsavtale_signert", date(2025, 9, 2), {"avtaledato": "2025-09-02", "programslutt_dato": "9999-12-31"},
     "programslutt_dato", "the date 9999-12-31 is not between 1950-01-01 and 2100-12-31"),
    ("samarbeidsavtale_signert", date(2025, 9, 2), {"avtaledato": date(1, 1, 1), "programslutt_dato": "2026-07-31"},
     "avtaledato", "not between"),
    ("ansatt", date(2025, 9, 2), {"startdato": "2025-09-02", "arbeidsgiver": "x", "ansettelsesform": "fast",
                                  "stillingsprosent": 10**400, "lonnstilskudd": "nei"}, "stillingsprosent",
     "is not a number"),
    ("samarbeidsavtale\x00signert", date(2025, 9, 2), {}, "event", "NUL character"),
    ("samarbeidsavtale_signert", date(2025, 9, 2), {"avtaledato": "2025-09-02", "programslutt_dato": "2026-07-31",
                                                    "notat": "\ud800"}, "notat", "unpaired surrogate"),
])
def test_bad_events_are_refused_and_change_nothing(ctx, case, event, on, values, field, message):
    before, state = table_counts(ctx), cases.stored_state(ctx, case)
    with pytest.raises(ServiceError, match=message) as caught:
        cases.advance(ctx, case, event, on, values)
    assert caught.value.field == field
    assert table_counts(ctx) == before
    assert cases.stored_state(ctx, case) == state


def test_a_refused_guard_says_which_guard_and_which_values(ctx, case):
    cases.advance(ctx, case, "samarbeidsavtale_signert", date(2025, 9, 10),
                  {"avtaledato": "2025-09-10", "programslutt_dato": "2026-07-31"})
    with pytest.raises(ServiceError) as caught:
        cases.advance(ctx, case, "karriereplan_utarbeidet", date(2025, 10, 1),
                      {"karriereveiledning_gjennomfort": "nei"})
    assert "is not allowed now" in str(caught.value)
    assert "karriereveiledning_gjennomfort=False" in str(caught.value)


def test_unknown_case_and_stale_version(ctx, case):
    with pytest.raises(NotFound):
        cases.advance(ctx, 9999, "fullfort", date(2025, 9, 2))
    with pytest.raises(Conflict, match="changed by someone else"):
        cases.advance(ctx, case, "samarbeidsavtale_signert", date(2025, 9, 10),
                      {"avtaledato": "2025-09-10", "programslutt_dato": "2026-07-31"}, expected_version=7)


def test_livelihood_bad_input_changes_nothing(ctx, case):
    pid = cases.show(ctx, case).participant_id
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="did you mean 'introduksjonsstonad'"):
        livelihood.add_income(ctx, pid, "introduksjonsstønad", date(2025, 9, 1))
    with pytest.raises(ServiceError, match="ends") as caught:
        livelihood.add_income(ctx, pid, "lonn", date(2025, 9, 1), date(2025, 8, 1))
    assert caught.value.field == "to"
    with pytest.raises(NotFound):
        livelihood.add_income(ctx, 9999, "lonn", date(2025, 9, 1))
    assert table_counts(ctx) == before


def test_twenty_writers_at_once_exactly_one_wins(ctx, case):
    """Concurrent records on one case: one event is written, every other writer gets a conflict."""
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def write() -> None:
        barrier.wait()
        try:
            cases.advance(ctx, case, "samarbeidsavtale_signert", date(2025, 9, 10),
                          {"avtaledato": "2025-09-10", "programslutt_dato": "2026-07-31"}, expected_version=1)
            result = "ok"
        except Conflict:
            result = "conflict"
        except ServiceError as exc:  # the case moved on before this writer read it
            result = f"refused: {exc}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=write) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 1
    assert outcomes.count("conflict") == 19, outcomes
    assert table_counts(ctx)["event"] == 2  # the enrolment and exactly one new event
    assert cases.rebuild(ctx, case) == cases.stored_state(ctx, case)


def test_an_enrolment_start_outside_the_plausible_range_is_refused(ctx):
    pid = participants.add_participant(ctx, name="Amina", born="1994-02-10", settled="2022-08-01", kommune="Asker")
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="not between 1950-01-01 and 2100-12-31") as caught:
        cases.enrol(ctx, pid, "supported_employment", date(1900, 1, 1))
    assert caught.value.field == "start"
    assert table_counts(ctx) == before


@pytest.mark.parametrize("start, end, field", [
    (date(1949, 12, 31), None, "from"), (date(2025, 1, 1), date(9999, 12, 31), "to"),
])
def test_livelihood_periods_outside_the_plausible_range_are_refused(ctx, start, end, field):
    pid = participants.add_participant(ctx, name="Amina", born="1994-02-10", settled="2022-08-01", kommune="Asker")
    before = table_counts(ctx)
    with pytest.raises(ServiceError, match="not between 1950-01-01 and 2100-12-31") as caught:
        livelihood.add_income(ctx, pid, "introduksjonsstonad", start, end)
    assert caught.value.field == field
    assert table_counts(ctx) == before
    period = livelihood.add_income(ctx, pid, "introduksjonsstonad", date(2025, 1, 1))
    with pytest.raises(ServiceError, match="not between") as caught:
        livelihood.end_income(ctx, period, date(2101, 1, 1))
    assert caught.value.field == "to"
