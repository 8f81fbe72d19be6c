"""One row a rule cannot compute with (a date of year 9999 or 0001, an income period that ends before
it starts, a case state that does not parse) never stops a rule family: it becomes one ``datafeil``
flag on its case or participant, naming the field, and every other flag is produced as before. The
rows are poisoned directly in the database, past every check at the input boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlmodel import Session

from pathways.checks.sweep import run_checks
from pathways.demo import generate
from pathways.services import participants
from pathways.store.tables import Enrolment, Flag, LivelihoodPeriod, Participant

ON = date(2026, 11, 22)  # the clock fixture's today, and the demo's


def snapshot(ctx) -> dict[str, tuple]:
    with Session(ctx.engine) as session:
        return {f.natural_key: (f.kind, f.state, f.severity, f.due, f.message, f.participant_id)
                for f in session.exec(select(Flag)).scalars()}


def poison_settlement(session: Session, before: dict[str, tuple]) -> tuple[int, set[str], str]:
    [victim, *_] = sorted(v[5] for v in before.values() if v[0] == "vedtak_mangler")
    session.execute(update(Participant).where(Participant.id == victim).values(settlement_date=date(9999, 12, 31)))
    return victim, {"vedtak_mangler", "botid_2_ar"}, f"datafeil:settlement:deltaker{victim}:settlement_date"


def _gap_case(session: Session, before: dict[str, tuple], with_period: bool = False) -> tuple[int, int]:
    """A participant with a gap flag and one case that is not in a step another rule reads the state of."""
    for pid in sorted({v[5] for v in before.values() if v[0] == "inntektsgap"}):
        cases = session.execute(select(Enrolment.id, Enrolment.current_steps).where(
            Enrolment.participant_id == pid, Enrolment.status.in_(("active", "paused", "stopped")))).all()
        periods = session.execute(select(LivelihoodPeriod.id).where(LivelihoodPeriod.participant_id == pid)).all()
        if len(cases) == 1 and "ulonnet_praksis" not in cases[0][1] and (periods or not with_period):
            return pid, cases[0][0]
    raise AssertionError("the demo cohort has no participant to poison")


def poison_period(session: Session, before: dict[str, tuple]) -> tuple[int, set[str], str]:
    victim, case = _gap_case(session, before, with_period=True)
    period = session.execute(select(LivelihoodPeriod.id, LivelihoodPeriod.start).where(
        LivelihoodPeriod.participant_id == victim)).first()
    session.execute(update(LivelihoodPeriod).where(LivelihoodPeriod.id == period.id)
                    .values(end=period.start - timedelta(days=10)))
    return victim, {"inntektsgap"}, f"datafeil:income_gaps:sak{case}:livelihood_period"


def poison_start(session: Session, before: dict[str, tuple]) -> tuple[int, set[str], str]:
    victim, case = _gap_case(session, before)
    session.execute(update(Enrolment).where(Enrolment.id == case).values(start_date=date(1, 1, 1)))
    return victim, {"inntektsgap"}, f"datafeil:income_gaps:sak{case}:start_date"


def poison_state(session: Session, before: dict[str, tuple]) -> tuple[int, set[str], str]:
    victim, case = _gap_case(session, before)
    session.execute(update(Enrolment).where(Enrolment.id == case).values(state='{"steps": "ikke en liste"}'))
    return victim, {"inntektsgap"}, f"datafeil:income_gaps:sak{case}:state"


@pytest.mark.parametrize("poison", [poison_settlement, poison_period, poison_start, poison_state],
                         ids=["settled-9999", "period-ends-before-it-starts", "case-starts-year-1", "state"])
def test_one_bad_row_is_one_datafeil_flag_and_every_other_flag_is_still_produced(ctx, poison):
    assert generate(ctx.engine, 300, seed=11, today=ON) == 300
    # the demo cohort is mostly on track: one newcomer whose decision is overdue (settled 01.07, due 01.10)
    participants.add_participant(ctx, name="Nyankommet", born="1990-05-06", settled="2026-07-01", kommune="Asker")
    run_checks(ctx.engine, ON)
    before = snapshot(ctx)
    with Session(ctx.engine) as session, session.begin():
        session.execute(delete(Flag))
        victim, kinds, key = poison(session, before)
    report = run_checks(ctx.engine, ON)
    after = snapshot(ctx)
    kept = {k: v for k, v in before.items() if not (v[5] == victim and v[0] in kinds)}
    assert kept and len(kept) < len(before)
    assert {k: v for k, v in after.items() if k != key} == kept
    kind, state, severity, due, message, participant = after[key]
    assert (kind, state, severity, due, participant) == ("datafeil", "open", "high", ON, victim)
    assert message.startswith("Datafeil: ") and "Rett verdien" in message
    assert report.counts["datafeil"] == {"new": 1, "open": 1, "resolved": 0}


def test_a_corrected_row_resolves_its_datafeil_flag_and_gets_its_flags_back(ctx):
    pid = participants.add_participant(ctx, name="Yonas", born="1990-05-06", settled="2026-06-01", kommune="Asker")
    with Session(ctx.engine) as session, session.begin():
        session.execute(update(Participant).where(Participant.id == pid).values(settlement_date=date(9999, 12, 31)))
    run_checks(ctx.engine, date(2026, 9, 15), ["settlement"])
    assert [(v[0], v[1]) for v in snapshot(ctx).values()] == [("datafeil", "open")]
    with Session(ctx.engine) as session, session.begin():
        session.execute(update(Participant).where(Participant.id == pid).values(settlement_date=date(2026, 6, 1)))
    report = run_checks(ctx.engine, date(2026, 9, 15), ["settlement"])
    flags = snapshot(ctx)
    assert flags[f"datafeil:settlement:deltaker{pid}:settlement_date"][1] == "resolved"
    assert flags[f"vedtak_mangler:{pid}:2026-09-01"][1] == "open"
    assert report.counts["datafeil"] == {"new": 0, "open": 0, "resolved": 1}
