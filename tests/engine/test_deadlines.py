"""Deadlines and follow-ups of a case driven through the pure engine: when they fall due, when they
are met, breached or waived, how permisjon moves them, and the breach that moves a case (frist_brudd)."""

from __future__ import annotations

from datetime import date

import pytest

from pathways.definition.loader import load_text
from pathways.engine.deadlines import next_due
from pathways.engine.machine import Refused
from tests.conftest import yaml_doc
from tests.engine.drive import Drive

DOC = yaml_doc("""
    fields:
      slutt: {type: date, title: Slutt}
    events:
      plan_signert: {title: Plan signert, fields: [slutt]}
      oppfolging: {title: Oppfølging}
      forlenget: {title: Forlenget, fields: [slutt]}
    lifecycle:
      pause: {reasons: [sykdom]}
      temporary_stop: true
      discontinue: avbrutt
    start: inntak
    steps:
      - id: inntak
        kind: activity
        title: Inntak
        on:
          - {event: plan_signert, to: prosjekt}
      - id: prosjekt
        kind: activity
        title: Prosjekt
        next: jobb
        on:
          - {event: oppfolging}
          - {event: forlenget}
      - {id: evaluering, kind: activity, title: Evaluering, next: jobb}
      - {id: jobb, kind: outcome, outcome: work, title: Jobb}
      - {id: avbrutt, kind: outcome, outcome: discontinued, title: Avbrutt}
    deadlines:
      - id: plan_frist
        title: Plan innen en måned
        anchor: start
        offset: P1M
        met_by: [plan_signert]
        shifts_with_pause: true
      - id: klage
        title: Klagefrist
        anchor: deadline:plan_frist
        offset: P10D
        days: working
        kind: reminder
      - id: slutt_varsel
        title: Varsel før slutt
        anchor: field:slutt
        offset: -P1M
        kind: reminder
        met_by: [oppfolging]
      - id: maks_seks
        title: Høyst seks måneder i prosjektet
        anchor: step:prosjekt
        offset: P6M
        while_in: [prosjekt]
        on_breach: evaluering
    followups:
      - id: samtale
        title: Samtale
        every: P1M
        while_in: [prosjekt]
        done_by: [oppfolging]
        kind: breach
    """)
DAY = date(2025, 1, 6)


@pytest.fixture(scope="module")
def definition():
    return load_text(DOC)


def dues(case: Drive, as_of: date) -> dict[str, tuple[date, str]]:
    return {k: (d.due, d.status) for k, d in case.deadlines(as_of).items()}


def test_a_deadline_is_open_then_breached_unless_met(definition):
    case = Drive.start(definition, DAY)
    assert dues(case, DAY) == {"plan_frist": (date(2025, 2, 6), "open"), "klage": (date(2025, 2, 20), "open")}
    assert dues(case, date(2025, 2, 6))["plan_frist"] == (date(2025, 2, 6), "open")  # due that day, not past it
    assert dues(case, date(2025, 2, 7))["plan_frist"] == (date(2025, 2, 6), "breached")
    assert dues(case, date(2025, 3, 7))["klage"] == (date(2025, 2, 20), "open")  # a reminder is never breached
    case.record("plan_signert", date(2025, 2, 10), slutt="2025-12-19")
    item = case.deadlines(date(2025, 2, 10))["plan_frist"]
    assert (item.status, item.met_on) == ("met", date(2025, 2, 10))  # met late: met, on the day it was


def test_working_days_skip_weekends_and_easter(definition):
    case = Drive.start(definition, date(2025, 3, 11))  # plan_frist due Friday 11 April; Easter 17–21 April
    assert dues(case, date(2025, 3, 11))["klage"] == (date(2025, 4, 30), "open")


def test_a_deadline_on_a_recorded_date_counts_back_and_is_met_by_a_later_event(definition):
    case = Drive.start(definition, DAY)
    case.record("plan_signert", date(2025, 1, 20), slutt="2025-12-19")
    assert dues(case, date(2025, 1, 20))["slutt_varsel"] == (date(2025, 11, 19), "open")
    case.record("forlenget", date(2025, 6, 2), slutt="2026-06-19")  # a new date: a new deadline
    assert dues(case, date(2025, 6, 2))["slutt_varsel"] == (date(2026, 5, 19), "open")
    case.record("oppfolging", date(2025, 6, 3))
    assert dues(case, date(2025, 6, 3))["slutt_varsel"] == (date(2026, 5, 19), "met")


def test_a_deadline_while_in_a_step_exists_from_entering_it_and_is_met_by_leaving(definition):
    case = Drive.start(definition, DAY)
    assert "maks_seks" not in case.deadlines(DAY)
    case.record("plan_signert", date(2025, 1, 20), slutt="2025-12-19")
    assert dues(case, date(2025, 1, 20))["maks_seks"] == (date(2025, 7, 20), "open")
    case.record("fullfort", date(2025, 5, 2))
    item = case.deadlines(date(2025, 9, 1))["maks_seks"]
    assert (item.status, item.met_on) == ("met", date(2025, 5, 2))


def test_an_ended_case_waives_what_is_still_open(definition):
    case = Drive.start(definition, DAY)
    case.record("avbrudd", date(2025, 1, 20))
    assert dues(case, date(2025, 3, 1)) == {"plan_frist": (date(2025, 2, 6), "waived"),
                                            "klage": (date(2025, 2, 20), "waived")}


def test_permisjon_moves_a_deadline_that_shifts_with_pause(definition):
    case = Drive.start(definition, DAY)
    case.record("permisjon", date(2025, 1, 20), arsak="sykdom")
    assert dues(case, date(2025, 1, 30))["plan_frist"] == (date(2025, 2, 16), "open")  # ten days so far
    case.record("gjenoppta", date(2025, 2, 3))
    assert dues(case, date(2025, 2, 3))["plan_frist"] == (date(2025, 2, 20), "open")  # fourteen days of leave
    assert dues(case, date(2025, 2, 3))["klage"] == (date(2025, 3, 6), "open")  # counted from the moved date
    case.record("midlertidig_stans", date(2025, 2, 4))  # a stop is not leave: nothing moves
    assert dues(case, date(2025, 2, 21))["plan_frist"] == (date(2025, 2, 20), "breached")


def test_a_follow_up_falls_due_every_period_from_the_step_or_the_last_time_it_was_done(definition):
    case = Drive.start(definition, DAY)
    case.record("plan_signert", date(2025, 1, 20), slutt="2025-12-19")
    item = case.deadlines(date(2025, 1, 20))["samtale"]
    assert (item.recurring, item.anchor_date, item.due, item.status) == (True, date(2025, 1, 20), date(2025, 2, 20),
                                                                         "open")
    assert case.deadlines(date(2025, 2, 21))["samtale"].status == "breached"
    case.record("oppfolging", date(2025, 2, 24))
    assert dues(case, date(2025, 2, 24))["samtale"] == (date(2025, 3, 24), "open")
    # the earliest date still to meet: the reminder klage, which nothing meets, before the follow-up
    assert next_due(list(case.deadlines(date(2025, 2, 24)).values())) == date(2025, 2, 20)
    case.record("fullfort", date(2025, 3, 3))
    assert "samtale" not in case.deadlines(date(2025, 3, 3))  # not in its step any more


def test_a_breached_deadline_moves_the_case_once(definition):
    case = Drive.start(definition, DAY)
    case.record("plan_signert", date(2025, 1, 20), slutt="2025-12-19")
    with pytest.raises(Refused, match="the deadline 'Høyst seks måneder i prosjektet' is not breached on 2025-07-20"):
        case.record("frist_brudd:maks_seks", date(2025, 7, 20))
    result = case.record("frist_brudd:maks_seks", date(2025, 7, 21))
    assert result.moved == (("prosjekt", "evaluering"),) and case.active == {"evaluering"}
    assert dues(case, date(2025, 7, 21))["maks_seks"] == (date(2025, 7, 20), "breached")  # it stays breached
    with pytest.raises(Refused, match="has been acted on already"):
        case.record("frist_brudd:maks_seks", date(2025, 7, 22))
    assert case.replay() == case.results


def test_a_breach_waits_for_a_paused_case(definition):
    case = Drive.start(definition, DAY)
    case.record("plan_signert", date(2025, 1, 20), slutt="2025-12-19")
    case.record("permisjon", date(2025, 7, 21), arsak="sykdom")  # after the due date: nothing moves
    with pytest.raises(Refused, match="the case is paused; a breached deadline moves only an active case"):
        case.record("frist_brudd:maks_seks", date(2025, 7, 22))
    case.record("gjenoppta", date(2025, 8, 4))
    assert case.record("frist_brudd:maks_seks", date(2025, 8, 4)).moved == (("prosjekt", "evaluering"),)


def test_breach_events_of_deadlines_without_on_breach_are_unknown(definition):
    case = Drive.start(definition, DAY)
    with pytest.raises(Exception, match="unknown event 'frist_brudd:plan_frist'") as caught:
        case.record("frist_brudd:plan_frist", date(2025, 3, 3))
    assert caught.value.field == "event"
