"""Every rule family runs on 28 February, 29 February and 1 March of a leap year (2028) and on 28
February and 1 March of a common year (2029), over a demo cohort and over participants whose dates
sit on the edges: born or settled on 29 February, a programme that ends on it. A person born on 29
February turns 25 on 1 March in a common year (the income library's rule, the only one)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from pathways.checks.rules import RULES
from pathways.checks.sweep import run_checks
from pathways.demo import generate
from pathways.services import participants
from pathways.store.tables import Flag
from tests.scenarios.walk import Walk

EDGES = [date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1), date(2029, 2, 28), date(2029, 3, 1)]

BORN = [date(2003, 2, 28), date(2003, 3, 1), date(2004, 2, 28), date(2004, 2, 29)]
TURNS_25 = {date(2003, 2, 28): date(2028, 2, 28), date(2003, 3, 1): date(2028, 3, 1),
            date(2004, 2, 28): date(2029, 2, 28), date(2004, 2, 29): date(2029, 3, 1)}
SETTLED = [date(2026, 2, 28), date(2027, 11, 29), date(2027, 11, 30), date(2028, 11, 30)]
# P3M and P2Y as the law counts them: to the same day, or the month's last day when it has none
DECIDE_BY = {date(2026, 2, 28): date(2026, 5, 28), date(2027, 11, 29): date(2028, 2, 29),
             date(2027, 11, 30): date(2028, 2, 29), date(2028, 11, 30): date(2029, 2, 28)}
CLOSES = {date(2026, 2, 28): date(2028, 2, 28), date(2027, 11, 29): date(2029, 11, 29),
          date(2027, 11, 30): date(2029, 11, 30), date(2028, 11, 30): date(2030, 11, 30)}


def flags(ctx, kind: str) -> list[Flag]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Flag).where(Flag.kind == kind, Flag.state == "open")))


@pytest.fixture
def store(ctx, clock):
    """A demo cohort, four introduction-programme participants born around 29 February, four settled
    around it without a decision, and a Supported Employment case whose programme ends on it."""
    assert generate(ctx.engine, 150, seed=3, today=date(2027, 12, 1)) == 150
    born = {}
    for day in BORN:
        walk = Walk.start(ctx, clock, "introduksjonsprogram", date(2027, 9, 1), born=day, settled=date(2027, 8, 1),
                          norwegian_oral="A1")
        born[walk.participant] = day
    se = Walk.start(ctx, clock, "supported_employment", date(2027, 9, 1), born=date(1994, 2, 10),
                    settled=date(2022, 8, 1), norwegian_oral="A2", gender="female")
    se.record("samarbeidsavtale_signert", date(2027, 9, 10), avtaledato="2027-09-10", programslutt_dato="2028-02-29")
    se.income("introduksjonsstonad", date(2027, 9, 1), date(2028, 2, 29))
    clock.set(date(2028, 12, 1))  # a settlement date may lie a year ahead at most
    settled = {participants.add_participant(ctx, name="Testdeltaker", born="1990-05-06", settled=day,
                                            kommune="Asker"): day for day in SETTLED}
    return born, settled, se


@pytest.mark.parametrize("on", EDGES, ids=[d.isoformat() for d in EDGES])
def test_every_rule_family_runs_on_the_days_around_29_february(ctx, store, on):
    born, settled, se = store
    report = run_checks(ctx.engine, on)
    assert set(report.counts) >= {kind for _, kinds in RULES.values() for kind in kinds}  # every family ran
    assert report.counts["frist_brudd"]["open"] > 0 and report.counts["inntektsgap"]["open"] > 0

    turning = {(f.participant_id, f.due) for f in flags(ctx, "fyller_25") if f.participant_id in born}
    assert turning == {(p, TURNS_25[b]) for p, b in born.items() if on <= TURNS_25[b] <= on + timedelta(days=60)}

    late = {(f.participant_id, f.due) for f in flags(ctx, "vedtak_mangler") if f.participant_id in settled}
    assert late == {(p, DECIDE_BY[s]) for p, s in settled.items() if DECIDE_BY[s] < on <= CLOSES[s]}

    if on <= date(2028, 2, 29):  # the Supported Employment programme ends on 29 February 2028
        [end] = [f for f in flags(ctx, "programslutt") if f.enrolment_id == se.case]
        assert end.due == date(2028, 2, 29) and f"om {(date(2028, 2, 29) - on).days} dager" in end.message
        assert [f.due for f in flags(ctx, "nav_dialog") if f.enrolment_id == se.case] == [date(2028, 2, 29)]
    gap = [f for f in flags(ctx, "inntektsgap") if f.participant_id == se.participant]
    assert [f.due for f in gap] == [date(2028, 3, 1)]

