"""The leder's view (issue 13, item 9): who works which cases. Only a leder or an administrator of the
kommune moves cases and sets covers; a cover (vikar) lets a veileder see and work an absent colleague's
cases until its date, inclusive, and the day after they are the absent one's alone, with nothing run in
between: the access rule reads the clock. Every change is in the audit trail; a refused one writes nothing.

The world is the dashboard tests' (tests/ui/conftest.py): in Asker veileder kari has Amina's case (a
breached vedtak deadline), veileder ola Yonas's, lise is leder and anne administrator; in Bærum veileder per
has Olena's case.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, select

from pathways.i18n import localise
from pathways.services import access, cases, dashboard, livelihood, participants
from pathways.services import caseworkers as service
from pathways.services.accounts import add_user, set_active
from pathways.services.context import Conflict, NotFound, ServiceError
from pathways.store.tables import AuditEntry, Cover, Deadline, Enrolment, Flag, User
from tests.conftest import table_counts
from tests.services.test_access import as_user
from tests.ui.conftest import PASSWORD, TODAY, World, build_world


@pytest.fixture
def world(ctx, clock) -> World:
    found = build_world(ctx, clock)
    add_user(ctx, username="bo", name="Bo Berg", role="leder", kommune="Bærum", password=PASSWORD)
    return found


def uid(world: World, username: str) -> int:
    with Session(world.ctx.engine) as session:
        return session.exec(select(User.id).where(User.username == username)).one()


def caseworker(world: World, case_id: int) -> str | None:
    with Session(world.ctx.engine) as session:
        return session.get(Enrolment, case_id).caseworker


def audit_actions(world: World) -> list[tuple[str, str, int | None]]:
    with Session(world.ctx.engine) as session:
        return [(a.action, a.actor, a.participant_id) for a in session.exec(
            select(AuditEntry).where(col(AuditEntry.action).in_(("case.reassigned", "cover.set", "cover.ended")))
            .order_by(col(AuditEntry.id)))]


def sees(world: World, username: str, case_id: int) -> bool:
    """Whether the user finds the case through every reading service: the case, the caseload, the
    participant and the case's flags (all or nothing, never some)."""
    ctx = as_user(world, username)
    try:
        cases.show(ctx, case_id)
        found = True
    except NotFound:
        found = False
    listed = case_id in {r.id for r in dashboard.caseload(ctx, dashboard.CaseloadFilter()).rows}
    with Session(world.ctx.engine) as session:
        pid = session.get(Enrolment, case_id).participant_id
        flag_ids = set(session.exec(select(Flag.id).where(Flag.enrolment_id == case_id)))
    reads_participant = pid in {p.id for p in participants.find_participants(ctx).rows}
    listed_flags = {f.id for f, _ in dashboard.flags(ctx).rows} & flag_ids
    assert found == listed == reads_participant, (found, listed, reads_participant)
    if flag_ids and found:
        assert listed_flags, "the covered case's flags are not listed"
    if not found:
        assert not listed_flags
    return found


# -- who may ------------------------------------------------------------------------------------------------


def test_a_veileder_may_neither_move_cases_nor_set_covers_and_nothing_is_written(world):
    kari = as_user(world, "kari")
    ola = uid(world, "ola")
    before = table_counts(world.ctx)
    calls = [lambda: service.reassign_case(kari, world.amina, ola),
             lambda: service.reassign_all(kari, uid(world, "kari"), ola),
             lambda: service.set_cover(kari, uid(world, "kari"), ola, TODAY + timedelta(days=7)),
             lambda: service.workload(kari), lambda: service.covers(kari), lambda: service.veiledere(kari)]
    for call in calls:
        with pytest.raises(access.Forbidden, match="only a leder or an administrator"):
            call()
    assert table_counts(world.ctx) == before


def test_a_leder_of_another_kommune_finds_neither_the_case_nor_the_veileder(world):
    bo = as_user(world, "bo")  # leder in Bærum
    before = table_counts(world.ctx)
    with pytest.raises(NotFound):
        service.reassign_case(bo, world.amina, uid(world, "per"))
    with pytest.raises(NotFound):
        service.reassign_all(bo, uid(world, "kari"), uid(world, "per"))
    with pytest.raises(NotFound):
        service.set_cover(bo, uid(world, "kari"), uid(world, "per"), TODAY + timedelta(days=7))
    with pytest.raises(ServiceError, match="no veileder with id") as refused:  # Asker's veileder for Bærum's case
        service.reassign_case(bo, world.olena, uid(world, "ola"))
    assert refused.value.field == "to" and localise(refused.value).startswith("fant ingen veileder med id")
    assert [w.veileder.username for w in service.workload(bo)] == ["per"]
    assert table_counts(world.ctx) == before


# -- moving cases -------------------------------------------------------------------------------------------


def test_a_leder_moves_one_case_to_another_veileder_and_the_trail_says_so(world):
    lise = as_user(world, "lise")
    with Session(world.ctx.engine) as session:
        version = session.get(Enrolment, world.amina).version
    moved = service.reassign_case(lise, world.amina, uid(world, "ola"), expected_version=version)
    assert moved.username == "ola" and moved.name == "Ola Nordmann"
    assert caseworker(world, world.amina) == "ola"
    assert sees(world, "ola", world.amina) and not sees(world, "kari", world.amina)
    assert audit_actions(world) == [("case.reassigned", "lise", world.amina_pid)]
    with pytest.raises(Conflict):  # the version read before the move is stale now
        service.reassign_case(lise, world.amina, uid(world, "kari"), expected_version=version)
    assert caseworker(world, world.amina) == "ola"


@pytest.mark.parametrize("target", ["lise", "per", "unknown", "deactivated", "same"])
def test_a_case_goes_only_to_an_active_veileder_of_the_kommune(world, target):
    lise = as_user(world, "lise")
    if target == "deactivated":
        add_user(world.ctx, username="eva", name="Eva Nordmann", role="veileder", kommune="Asker",
                 password=PASSWORD)
        set_active(world.ctx, "eva", False)
    to = {"lise": lambda: uid(world, "lise"), "per": lambda: uid(world, "per"), "unknown": lambda: 999_999,
          "deactivated": lambda: uid(world, "eva"), "same": lambda: uid(world, "kari")}[target]()
    before = table_counts(world.ctx)
    with pytest.raises(ServiceError, match={"lise": "is not a veileder", "per": "no veileder with id",
                                            "unknown": "no veileder with id", "deactivated": "is deactivated",
                                            "same": "is already the case's veileder"}[target]) as refused:
        service.reassign_case(lise, world.amina, to)
    assert refused.value.field == "to"
    assert {"lise": "er ikke veileder", "per": "fant ingen veileder", "unknown": "fant ingen veileder",
            "deactivated": "er deaktivert", "same": "er allerede veileder"}[target] in localise(refused.value)
    assert table_counts(world.ctx) == before and caseworker(world, world.amina) == "kari"


def test_an_administrator_moves_all_active_cases_of_a_veileder_and_ended_ones_stay(world):
    second_pid = participants.add_participant(world.ctx, name="Sara Nilsen", born="1991-01-01",
                                              settled="2026-10-01", kommune="Asker")
    second = cases.enrol(world.ctx, second_pid, "introduksjonsprogram", date(2026, 10, 1), "kari")
    ended_pid = participants.add_participant(world.ctx, name="Omar Said", born="1985-01-01",
                                             settled="2026-10-01", kommune="Asker")
    ended = cases.enrol(world.ctx, ended_pid, "introduksjonsprogram", date(2026, 10, 1), "kari")
    cases.discontinue(world.ctx, ended, date(2026, 11, 1))
    anne = as_user(world, "anne")
    assert service.reassign_all(anne, uid(world, "kari"), uid(world, "ola")) == 2
    assert {caseworker(world, c) for c in (world.amina, second)} == {"ola"}
    assert caseworker(world, ended) == "kari"  # history stays with who worked it
    assert sorted(p for a, _, p in audit_actions(world)) == sorted([world.amina_pid, second_pid])
    assert service.reassign_all(anne, uid(world, "kari"), uid(world, "ola")) == 0  # nothing left to move
    with pytest.raises(ServiceError, match="a veileder other than") as refused:
        service.reassign_all(anne, uid(world, "ola"), uid(world, "ola"))
    assert refused.value.field == "to" and "en annen veileder" in localise(refused.value)


# -- covers -------------------------------------------------------------------------------------------------


def test_the_covering_veileder_works_the_cases_until_the_date_and_not_the_day_after(world):
    """The heart of it: no job flips anything back; the day after the cover's date the access rule no
    longer lets ola in, and kari, the caseworker throughout, never lost her case."""
    lise = as_user(world, "lise")
    until = TODAY + timedelta(days=10)
    service.set_cover(lise, uid(world, "kari"), uid(world, "ola"), until)
    assert sees(world, "ola", world.amina) and sees(world, "ola", world.yonas)  # kari's, and his own
    assert sees(world, "kari", world.amina) and not sees(world, "kari", world.yonas)
    assert not sees(world, "per", world.amina)  # Bærum: nothing
    ola = as_user(world, "ola")
    cases.advance(ola, world.amina, "vedtak_fattet", TODAY, {"programstart_dato": "2026-12-01"})
    dashboard.add_note(ola, world.amina, "Ringte for Kari")
    livelihood.add_income(ola, world.amina_pid, "introduksjonsstonad", date(2026, 12, 1))
    assert caseworker(world, world.amina) == "kari"  # the cover moved nothing
    assert [c.absent.username for c in service.covers_for(ola)] == ["kari"]

    world.clock.set(until)  # the last day, inclusive
    assert sees(world, "ola", world.amina)
    world.clock.set(until + timedelta(days=1))  # the day after: back with kari alone
    assert not sees(world, "ola", world.amina) and sees(world, "kari", world.amina)
    with pytest.raises(NotFound):
        dashboard.add_note(as_user(world, "ola"), world.amina, "For sent")
    assert service.covers(as_user(world, "lise")) == []
    assert service.covers_for(as_user(world, "ola")) == []


def test_a_leder_ends_a_cover_early_and_a_new_cover_replaces_the_one_in_force(world):
    lise = as_user(world, "lise")
    add_user(world.ctx, username="eva", name="Eva Nordmann", role="veileder", kommune="Asker", password=PASSWORD)
    first = service.set_cover(lise, uid(world, "kari"), uid(world, "ola"), TODAY + timedelta(days=30))
    second = service.set_cover(lise, uid(world, "kari"), uid(world, "eva"), TODAY + timedelta(days=20))
    assert [c.id for c in service.covers(lise)] == [second]
    assert sees(world, "eva", world.amina) and not sees(world, "ola", world.amina)
    ended = service.end_cover(lise, second)
    assert ended.covering.username == "eva"
    assert not sees(world, "eva", world.amina) and sees(world, "kari", world.amina)  # at once, the same day
    with pytest.raises(NotFound):  # ended already; the first was ended by the second
        service.end_cover(lise, second)
    with pytest.raises(NotFound):
        service.end_cover(lise, first)
    with pytest.raises(NotFound):  # Bærum's leder does not see Asker's covers
        service.end_cover(as_user(world, "bo"), first)
    assert [a for a, _, _ in audit_actions(world)] == ["cover.set", "cover.ended", "cover.set", "cover.ended"]


@pytest.mark.parametrize("days, refused", [(-1, "has passed"), (0, None), (365, None), (366, "at most one year"),
                                           (40000, "not between")])
def test_a_cover_runs_from_today_to_at_most_a_year_ahead(world, days, refused):
    """Decided: a cover longer than a year is refused (not capped): a leder who meant longer learns it and
    renews it when it runs out, instead of finding a shorter cover than they set."""
    lise = as_user(world, "lise")
    before = table_counts(world.ctx)
    until = TODAY + timedelta(days=days)
    if refused:
        with pytest.raises(ServiceError, match=refused) as error:
            service.set_cover(lise, uid(world, "kari"), uid(world, "ola"), until)
        assert error.value.field == "until"
        assert table_counts(world.ctx) == before
    else:
        cover = service.set_cover(lise, uid(world, "kari"), uid(world, "ola"), until)
        with Session(world.ctx.engine) as session:
            row = session.get(Cover, cover)
            assert (row.start, row.until, row.created_by) == (TODAY, until, "lise")


@pytest.mark.parametrize("absent, covering, field", [("lise", "ola", "user"), ("per", "ola", "user"),
                                                     ("kari", "kari", "covering"), ("kari", "lise", "covering"),
                                                     ("kari", "per", "covering")])
def test_a_cover_is_a_veileder_of_the_kommune_for_another(world, absent, covering, field):
    lise = as_user(world, "lise")
    before = table_counts(world.ctx)
    with pytest.raises(ServiceError) as refused:
        service.set_cover(lise, uid(world, absent), uid(world, covering), TODAY + timedelta(days=5))
    assert refused.value.field == field
    if field == "user":
        assert isinstance(refused.value, NotFound)
    assert table_counts(world.ctx) == before


# -- what the leder reads --------------------------------------------------------------------------------------


def test_the_workload_counts_each_veileders_active_cases_open_flags_breaches_and_gaps(world):
    lise = as_user(world, "lise")
    service.set_cover(lise, uid(world, "kari"), uid(world, "ola"), TODAY + timedelta(days=3))
    rows = {w.veileder.username: w for w in service.workload(lise)}
    assert set(rows) == {"kari", "ola"}  # the kommune's veiledere; not the leder, not Bærum's
    with Session(world.ctx.engine) as session:
        open_flags = len(session.exec(select(Flag.id).where(Flag.enrolment_id == world.amina,
                                                            Flag.state == "open")).all())
        breached = session.exec(select(Deadline.id).where(Deadline.enrolment_id == world.amina,
                                                          Deadline.kind == "breach",
                                                          col(Deadline.due) < TODAY)).all()
    kari = rows["kari"]
    assert (kari.active, kari.open_flags, kari.breaches) == (1, open_flags, 1) and open_flags >= 1 and breached
    assert (rows["ola"].active, rows["ola"].breaches) == (1, 0)
    assert kari.covered_by is not None and kari.covered_by.covering.username == "ola"
    assert [c.absent.username for c in rows["ola"].covering] == ["kari"]
    assert [w.as_json()["active_cases"] for w in service.workload(as_user(world, "bo"))] == [1]


def test_the_caseload_filters_by_veileder_within_the_kommune(world):
    lise = as_user(world, "lise")
    only_kari = dashboard.caseload(lise, dashboard.CaseloadFilter(veileder=uid(world, "kari")))
    assert [r.id for r in only_kari.rows] == [world.amina] and only_kari.total == 1
    for stranger in (uid(world, "per"), uid(world, "lise"), 999_999):
        with pytest.raises(ServiceError, match="no veileder with id") as refused:
            dashboard.caseload(lise, dashboard.CaseloadFilter(veileder=stranger))
        assert refused.value.field == "veileder"
    assert [v.username for v in service.caseload_veiledere(lise)] == ["kari", "ola"]
    ola = as_user(world, "ola")
    assert service.caseload_veiledere(ola) == []  # no cover: no filter
    service.set_cover(lise, uid(world, "kari"), uid(world, "ola"), TODAY)
    assert [v.username for v in service.caseload_veiledere(ola)] == ["ola", "kari"]
    assert [r.id for r in dashboard.caseload(ola, dashboard.CaseloadFilter(veileder=uid(world, "kari"))).rows] == [
        world.amina]


def test_the_cohort_opens_on_the_kommunes_largest_pathway(world):
    lise = as_user(world, "lise")
    assert dashboard.largest_pathway(lise) == "introduksjonsprogram"  # Amina and Yonas
    for n in range(3):
        pid = participants.add_participant(world.ctx, name=f"Deltaker {n}", born="1990-01-01",
                                           settled="2026-10-01", kommune="Asker")
        cases.enrol(world.ctx, pid, "supported_employment", date(2026, 10, 1), "ola")
    assert dashboard.largest_pathway(lise) == "supported_employment"
    assert dashboard.largest_pathway(as_user(world, "bo")) == "introduksjonsprogram"  # Bærum: Olena only
