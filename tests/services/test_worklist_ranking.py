"""«I dag» ranked in SQL is the list ranked the old way: every item built in Python, what leaves the list
dropped, sorted by rank, date and name. On a world with items of every rank: breached, coming and reminder
deadlines, current and projected gaps, flags of the nightly checks of every rank, a snoozed flag, one
snoozed until yesterday (back), an acknowledged deadline, a «vedtak mangler» said by its deadline, and a
deadline met late (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from pathways.checks.config import load_config
from pathways.engine.state import ACTIVE
from pathways.services import cases
from pathways.services import flags as flag_service
from pathways.services.context import Context
from pathways.services.livelihood import add_income, first_open_gap, gaps_in_session
from pathways.services.participants import add_participant
from pathways.services.worklist import DEADLINE_RANKS, FLAG_RANKS, RANKS, count, worklist
from pathways.store.tables import Deadline, Enrolment, Flag, Kommune, Participant, User
from tests.services.test_worklist import as_user
from tests.ui.conftest import TODAY, World, build_world

DEADLINE_KINDS = set(DEADLINE_RANKS)


@pytest.fixture
def world(ctx, clock) -> World:
    world = build_world(ctx, clock)
    clock.set(date(2026, 9, 5))
    bo_pid = add_participant(ctx, name="Bo Berg", born="1991-01-01", settled="2026-09-05", kommune="Asker")
    bo = cases.enrol(ctx, bo_pid, "introduksjonsprogram", date(2026, 9, 5), "kari")  # vedtak due in 13 days
    cem_pid = add_participant(ctx, name="Cem Demir", born="1993-01-01", settled="2026-09-10", kommune="Asker")
    cem = cases.enrol(ctx, cem_pid, "introduksjonsprogram", date(2026, 9, 10), "kari")  # a reminder ahead
    clock.set(date(2026, 9, 1))  # as Amina: at the vedtak step, its deadline passed (to be met late)
    eli_pid = add_participant(ctx, name="Eli Eng", born="1989-01-01", settled="2026-05-01", kommune="Asker")
    eli = cases.enrol(ctx, eli_pid, "introduksjonsprogram", date(2026, 8, 1), "kari")
    cases.advance(ctx, eli, "fullfort", date(2026, 8, 10))
    cases.advance(ctx, eli, "kartlegging_fullfort", date(2026, 9, 1))
    clock.set(TODAY)
    add_income(ctx, cem_pid, "introduksjonsstonad", date(2026, 9, 10), TODAY + timedelta(days=30))  # projected
    cases.advance(ctx, eli, "vedtak_fattet", TODAY, {"programstart_dato": "2026-12-01"})
    from pathways.checks.sweep import run_checks
    run_checks(ctx.engine, TODAY)
    with Session(ctx.engine) as session:
        asker = session.exec(select(Kommune.id).where(Kommune.name == "Asker")).one()
        extra = [("programslutt", bo, bo_pid, TODAY + timedelta(days=60), "open", None),
                 ("ulonnet_praksis", cem, cem_pid, TODAY + timedelta(days=5), "open", None),
                 ("datafeil", world.amina, world.amina_pid, TODAY, "open", None),
                 ("vedtak_mangler", world.amina, world.amina_pid, TODAY - timedelta(days=3), "open", None),
                 ("vedtak_mangler", None, world.fatima_pid, TODAY - timedelta(days=3), "open", None),
                 ("fyller_25", cem, cem_pid, TODAY + timedelta(days=20), "snoozed", TODAY + timedelta(days=10)),
                 ("nav_dialog", bo, bo_pid, TODAY - timedelta(days=1), "snoozed", TODAY - timedelta(days=1)),
                 ("programslutt", world.amina, world.amina_pid, TODAY + timedelta(days=60), "open", None)]
        for n, (kind, case_id, pid, due, state, until) in enumerate(extra):
            session.add(Flag(natural_key=f"test:{kind}:{n}", kommune_id=asker, enrolment_id=case_id, participant_id=pid,
                             kind=kind, severity="medium", due=due, message=f"Testflagg {n}", state=state,
                             snoozed_until=until, created_at=world.ctx.now(), updated_at=world.ctx.now()))
        session.commit()
        bo_deadline = session.exec(select(Flag.id).where(Flag.enrolment_id == bo, Flag.kind == "frist_nar")).one()
    flag_service.acknowledge(ctx, bo_deadline)
    return world


def flag_kind(deadline: Deadline, today: date) -> str:
    if deadline.recurring and deadline.due < today:
        return "oppfolging_forfalt"
    if deadline.kind == "breach" and deadline.due < today:
        return "frist_brudd"
    return "frist_nar" if deadline.kind == "breach" or deadline.recurring else "frist_paminnelse"


def ranked_the_old_way(ctx: Context, username: str) -> list[tuple[int, date, str, str]]:
    """Every item of the user's worklist built from the rows in Python, what leaves dropped, then sorted."""
    today = ctx.today()
    ahead = today + timedelta(days=load_config().deadlines.reminder_days_ahead)
    with Session(ctx.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        own = user.role == "veileder"
        names = {p.id: p.name for p in session.exec(select(Participant))}
        scope = [e for e in session.exec(select(Enrolment).where(Enrolment.kommune_id == user.kommune_id))
                 if not own or e.caseworker == username]
        flags = [f for f in session.exec(select(Flag).where(Flag.kommune_id == user.kommune_id))
                 if not own or f.enrolment_id in {e.id for e in scope}]
        decided = {f.natural_key for f in flags if f.state == "acknowledged"
                   or (f.state == "snoozed" and not (f.snoozed_until and f.snoozed_until <= today))
                   or (f.state == "resolved" and f.resolved_by != "system")}
        rows: list[tuple[int, date, str, tuple[int, int, str], str]] = []
        for case in (e for e in scope if e.status == "active"):
            for d in session.exec(select(Deadline).where(Deadline.enrolment_id == case.id)):
                kind = flag_kind(d, today)
                if (d.status in ("open", "breached") and d.due <= ahead
                        and (d.recurring or d.kind == "breach" or d.due >= today)
                        and f"{kind}:{case.id}:{d.key}:{d.due.isoformat()}" not in decided):
                    rows.append((RANKS.index(DEADLINE_RANKS[kind]), d.due, names[case.participant_id],
                                 (0, d.id or 0, ""), f"frist-{case.id}-{d.key}"))
        with_deadline = {e.participant_id for e in scope if any(r[4].startswith(f"frist-{e.id}-") for r in rows)}
        for f in flags:
            active = f.state == "open" or (f.state == "snoozed" and f.snoozed_until and f.snoozed_until <= today)
            if (active and f.kind not in DEADLINE_KINDS and f.kind != "inntektsgap"
                    and f.kind in FLAG_RANKS  # the kinds the worklist lists (not nir_mangler: no call today)
                    and not (f.kind in ("vedtak_mangler", "botid_2_ar") and f.participant_id in with_deadline)):
                rows.append((RANKS.index(FLAG_RANKS.get(f.kind, "paminnelse")), f.due or today,
                             names.get(f.participant_id, ""), (1, f.id or 0, ""), f"flagg-{f.id}"))
        for pid in sorted({e.participant_id for e in scope if e.status in ACTIVE}):
            gap = first_open_gap(gaps_in_session(session, pid, today), today)
            if gap and f"inntektsgap:{pid}:{gap[0].isoformat()}" not in decided:
                rows.append((RANKS.index("gap_na" if gap[0] <= today else "gap_kommer"), gap[0], names[pid],
                             (2, pid, ""), f"gap-{pid}-{gap[0].isoformat()}"))
    return [(rank, on, name, key) for rank, on, name, _, key in sorted(rows)]


@pytest.mark.parametrize("username", ["kari", "lise"])
def test_the_list_ranked_in_sql_is_the_list_ranked_in_python_at_every_cap(world, username):
    actor = as_user(world, username)
    expected = ranked_the_old_way(world.ctx, username)
    assert {RANKS[rank] for rank, *_ in expected} == set(RANKS)  # the world has items of every rank
    everything = worklist(actor, everything=True)
    assert [(RANKS.index(i.rank), i.on, i.name or "", i.key) for i in everything.items] == expected
    assert everything.total == count(actor) == len(expected)
    for cap in range(1, len(expected) + 1):
        capped = worklist(actor, cap=cap)
        assert [i.key for i in capped.items] == [key for *_, key in expected[:cap]] and capped.total == len(expected)


def test_what_leaves_the_list_has_left_it(world):
    keys = {i.key: i for i in worklist(as_user(world, "lise"), everything=True).items}
    kinds = [i.kind for i in keys.values()]
    assert "fyller_25" not in kinds  # snoozed until a day to come
    assert "nav_dialog" in kinds  # snoozed until yesterday: back
    assert kinds.count("vedtak_mangler") == 1  # Fatima's (no case); Amina's is said by her deadline
    assert not any(i.kind == "frist_nar" and i.name == "Bo Berg" for i in keys.values())  # acknowledged
    found = worklist(as_user(world, "kari"))
    assert [m.name for m in found.met_late] == ["Eli Eng"] and found.met_late_total == 1


def test_vis_alle_comes_in_pages_that_together_are_the_whole_list(world, monkeypatch):
    import pathways.services.worklist as service
    monkeypatch.setattr(service, "ALL_PAGE", 3)
    lise = as_user(world, "lise")
    expected = [key for *_, key in ranked_the_old_way(world.ctx, "lise")]
    first = worklist(lise, everything=True)
    assert first.pages == -(-len(expected) // 3) > 1 and not first.capped
    pages = [worklist(lise, everything=True, page=n) for n in range(1, first.pages + 1)]
    assert [i.key for p in pages for i in p.items] == expected
    assert worklist(lise, everything=True, page=first.pages + 5).page == first.pages  # past the end: the last
