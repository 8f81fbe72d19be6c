"""Access is the services' own concern (issue 12, item 1): every service that reads or writes a participant,
case, flag, livelihood period, note or job acts as the context's actor and refuses what is outside the
actor's scope itself: another kommune's or another veileder's is not found (exactly the pages' 404), a
role that may not is Forbidden, and nothing is written. The pages' and API's access matrix is in
tests/ui/test_routes.py; here the services are called directly, as a caller that forgot to check would.

The world is the dashboard tests' (tests/ui/conftest.py): in Asker veileder kari has Amina's case and
veileder ola Yonas's, Fatima is on no pathway yet (the intake); in Bærum veileder per has Olena's case.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from pathways.services import access, audit, authoring, cases, dashboard, flags, livelihood, participants
from pathways.services.accounts import authenticate
from pathways.services.context import Actor, Context, NotFound
from pathways.store.tables import Enrolment, Flag, Note
from tests.conftest import table_counts
from tests.services.test_authoring import MAPPING, law_2025
from tests.ui.conftest import PASSWORD, World, build_world
from ui.jobs import Jobs

ON = date(2026, 11, 20)
AMINA_EVENT = ("vedtak_fattet", ON, {"programstart_dato": "2026-12-01"})  # kari's case: at the vedtak step
YONAS_EVENT = ("fullfort", ON, {})  # ola's case: at the first step


@pytest.fixture
def world(ctx, clock) -> World:
    found = build_world(ctx, clock)
    with Session(ctx.engine) as session:  # a flag on ola's case, as the checks would raise one
        yonas = session.get(Enrolment, found.yonas)
        now = ctx.now()
        session.add(Flag(natural_key=f"test:{found.yonas}", kommune_id=yonas.kommune_id, enrolment_id=found.yonas,
                         participant_id=yonas.participant_id, kind="nav_dialog", severity="medium", message="test",
                         created_at=now, updated_at=now))
        session.commit()
    return found


def participant_of(world: World, case_id: int) -> int:
    with Session(world.ctx.engine) as session:
        return session.get(Enrolment, case_id).participant_id


def as_user(world: World, username: str) -> Context:
    """The context of a signed-in user: the actor of their account, as the dashboard makes it."""
    account = authenticate(world.ctx, username, PASSWORD)
    assert account is not None
    return Context(world.ctx.engine, world.clock, actor=account.actor)


def flag_of(world: World, case_id: int) -> int:
    with Session(world.ctx.engine) as session:
        return session.exec(select(Flag.id).where(Flag.enrolment_id == case_id, Flag.state == "open")).first()


def period_of(world: World, participant_id: int) -> int:
    return livelihood.add_income(world.ctx, participant_id, "introduksjonsstonad", date(2026, 10, 1))


# Each call: what a service does with an object of Yonas (ola's, Asker) or Olena (per's, Bærum).
FOREIGN = {
    "advance": lambda w, ctx, case, pid: cases.advance(ctx, case, "fullfort", ON),
    "pause": lambda w, ctx, case, pid: cases.pause(ctx, case, ON, "sykdom"),
    "show": lambda w, ctx, case, pid: cases.show(ctx, case),
    "rebuild": lambda w, ctx, case, pid: cases.rebuild(ctx, case),
    "stored_state": lambda w, ctx, case, pid: cases.stored_state(ctx, case),
    "enrol": lambda w, ctx, case, pid: cases.enrol(ctx, pid, "introduksjonsprogram", ON),
    "case_extras": lambda w, ctx, case, pid: dashboard.case_extras(ctx, case),
    "add_note": lambda w, ctx, case, pid: dashboard.add_note(ctx, case, "Ringte"),
    "read_participant": lambda w, ctx, case, pid: participants.read_participant(ctx, pid),
    "update_participant": lambda w, ctx, case, pid: participants.update_participant(
        ctx, pid, name="Ny Navnesen", born="1995-06-07", settled="2026-10-01"),
    "add_income": lambda w, ctx, case, pid: livelihood.add_income(ctx, pid, "lonn", ON),
    "end_income": lambda w, ctx, case, pid: livelihood.end_income(ctx, period_of(w, pid), ON),
    "participant_gaps": lambda w, ctx, case, pid: livelihood.participant_gaps(ctx, pid, ON),
    "flag_in_scope": lambda w, ctx, case, pid: dashboard.flag_in_scope(ctx, flag_of(w, case)),
    "acknowledge": lambda w, ctx, case, pid: flags.acknowledge(ctx, flag_of(w, case)),
    "snooze": lambda w, ctx, case, pid: flags.snooze(ctx, flag_of(w, case), date(2026, 12, 1)),
    "resolve": lambda w, ctx, case, pid: flags.resolve(ctx, flag_of(w, case), "Ordnet"),
}


@pytest.mark.parametrize("call", FOREIGN)
@pytest.mark.parametrize("owner", ["ola", "per"])
def test_a_veileder_finds_nothing_of_another_veileders_or_another_kommunes(world, call, owner):
    case, pid = (world.yonas, participant_of(world, world.yonas)) if owner == "ola" else (world.olena, world.olena_pid)
    if call in ("flag_in_scope", "acknowledge", "snooze", "resolve") and flag_of(world, case) is None:
        pytest.skip(f"{owner}'s case has no open flag")
    kari = as_user(world, "kari")
    before = table_counts(world.ctx)
    if call == "end_income":
        period = period_of(world, pid)
        before = table_counts(world.ctx)
        with pytest.raises(NotFound, match=f"no livelihood period {period}"):
            livelihood.end_income(kari, period, ON)
    else:
        with pytest.raises(NotFound):
            FOREIGN[call](world, kari, case, pid)
    assert table_counts(world.ctx) == before  # nothing written


def test_a_leder_of_another_kommune_finds_nothing_in_this_one(world):
    bo = Context(world.ctx.engine, world.clock, actor=Actor.user(99, "bo", "leder", _kommune(world, "Bærum"),
                                                                   "Bærum"))
    for call in ("show", "case_extras", "read_participant", "participant_gaps"):
        with pytest.raises(NotFound):
            FOREIGN[call](world, bo, world.amina, world.amina_pid)
    assert [r.id for r in dashboard.caseload(bo, dashboard.CaseloadFilter()).rows] == [world.olena]
    assert [p.id for p in participants.find_participants(bo).rows] == [world.olena_pid]


def _kommune(world: World, name: str) -> int:
    from pathways.store.tables import Kommune
    with Session(world.ctx.engine) as session:
        return session.exec(select(Kommune.id).where(Kommune.name == name)).one()


def test_a_veileder_works_on_their_own_cases_and_the_intake(world):
    kari = as_user(world, "kari")
    assert cases.show(kari, world.amina).id == world.amina
    assert dashboard.case_extras(kari, world.amina).participant.id == world.amina_pid
    moved = cases.advance(kari, world.amina, *AMINA_EVENT[:2], AMINA_EVENT[2], expected_version=3)
    assert moved.moved and cases.rebuild(kari, world.amina) == cases.stored_state(kari, world.amina)
    note = dashboard.add_note(kari, world.amina, "Ringte")
    with Session(world.ctx.engine) as session:
        assert session.get(Note, note).author == "kari"
    period = livelihood.add_income(kari, world.amina_pid, "introduksjonsstonad", date(2026, 12, 1))
    livelihood.end_income(kari, period, date(2027, 6, 30))
    assert participants.update_participant(kari, world.amina_pid, name="Amina Ali", born="1990-03-04",
                                           settled="2026-05-01") == 2
    flag = flag_of(world, world.amina)
    if flag is not None:
        flags.acknowledge(kari, flag)
    # the intake: Fatima is on no pathway; kari sees her and enrols her, then ola no longer sees her
    assert {p.id for p in participants.find_participants(kari).rows} == {world.amina_pid, world.fatima_pid}
    new_case = cases.enrol(kari, world.fatima_pid, "introduksjonsprogram", ON, "kari")
    assert participants.read_participant(kari, world.fatima_pid)[1][0].id == new_case
    with pytest.raises(NotFound):
        participants.read_participant(as_user(world, "ola"), world.fatima_pid)
    listed = dashboard.caseload(kari, dashboard.CaseloadFilter())
    assert {r.id for r in listed.rows} == {world.amina, new_case} and listed.total == 2


def test_a_veileder_lists_only_their_own_flags(world):
    kari, ola = as_user(world, "kari"), as_user(world, "ola")
    yonas_flag = flag_of(world, world.yonas)
    assert yonas_flag in {f.id for f, _ in dashboard.flags(ola).rows}
    assert yonas_flag not in {f.id for f, _ in dashboard.flags(kari).rows}
    assert all(f.enrolment_id in (world.amina, None) for f, _ in dashboard.flags(kari).rows)
    counted = sum(dashboard.flag_counts(kari).values())
    assert counted == sum(1 for f, _ in dashboard.flags(kari, "open").rows)  # the header counts the same flags


def test_a_leder_reads_every_case_of_the_kommune_but_changes_none(world):
    lise = as_user(world, "lise")
    assert cases.show(lise, world.yonas).id == world.yonas
    assert {r.id for r in dashboard.caseload(lise, dashboard.CaseloadFilter()).rows} == {world.amina, world.yonas}
    before = table_counts(world.ctx)
    for call in ("advance", "pause", "enrol", "add_note", "update_participant", "add_income", "acknowledge"):
        with pytest.raises(access.Forbidden, match="may read cases but not change them"):
            FOREIGN[call](world, lise, world.yonas, participant_of(world, world.yonas))
    with pytest.raises(access.Forbidden):
        participants.add_participant(lise, name="Ny", born="1990-01-01", settled=None, kommune="Asker")
    assert table_counts(world.ctx) == before


def test_an_administrator_reads_the_trail_but_no_case(world):
    anne = as_user(world, "anne")
    with pytest.raises(access.Forbidden, match="no access to cases"):
        cases.show(anne, world.amina)
    with pytest.raises(access.Forbidden):
        dashboard.caseload(anne, dashboard.CaseloadFilter())
    assert audit.participant_trail(anne, world.amina_pid)  # her kommune's participant
    with pytest.raises(NotFound):
        audit.participant_trail(anne, world.olena_pid)  # Bærum's
    with pytest.raises(access.Forbidden, match="only an administrator"):
        audit.participant_trail(as_user(world, "kari"), world.amina_pid)


def test_participants_are_added_and_imported_only_into_the_actors_kommune(world):
    kari = as_user(world, "kari")
    before = table_counts(world.ctx)
    with pytest.raises(access.Forbidden, match="'Bærum' is not your kommune"):
        participants.add_participant(kari, name="Ny", born="1990-01-01", settled=None, kommune="Bærum")
    with pytest.raises(access.Forbidden, match="'Bærum' is not your kommune"):
        participants.import_csv(kari, b"name,born\nNy,1990-01-01\n", only_kommune="Bærum")
    with pytest.raises(participants.ImportRejected, match="'Bærum' is not your kommune"):
        participants.import_csv(kari, b"name,born,kommune\nNy,1990-01-01,B\xc3\xa6rum\n")
    assert table_counts(world.ctx) == before
    [pid] = participants.import_csv(kari, b"name,born\nNy Deltaker,1990-01-01\n")  # no kommune column: hers
    assert participants.read_participant(kari, pid)[0].kommune_id == _kommune(world, "Asker")


def test_the_anonymous_actor_sees_nothing(world):
    nobody = Context(world.ctx.engine, world.clock, actor=Actor.anonymous())
    for call in ("show", "read_participant", "case_extras"):
        with pytest.raises(access.Forbidden):
            FOREIGN[call](world, nobody, world.amina, world.amina_pid)


def test_the_system_actor_acts_in_every_kommune(world):
    system = Context(world.ctx.engine, world.clock, actor=Actor.system("cli"))
    assert {r.id for r in dashboard.caseload(system, dashboard.CaseloadFilter()).rows} == {
        world.amina, world.yonas, world.olena}
    cases.advance(system, world.yonas, *YONAS_EVENT)
    with Session(world.ctx.engine) as session:
        from pathways.store.tables import Event
        assert session.exec(select(Event.recorded_by).where(Event.enrolment_id == world.yonas)
                            .order_by(Event.sequence.desc())).first() == "cli"


def test_migration_and_its_counts_are_the_administrators_kommune(world):
    authoring.publish(world.ctx, law_2025(), "2025-revisjonen")
    anne = as_user(world, "anne")
    counts = {v.version: v.active_cases for v in authoring.versions(anne) if v.pathway_id == "introduksjonsprogram"}
    assert counts[1] == 2  # Amina and Yonas; not Olena in Bærum
    with pytest.raises(access.Forbidden):
        authoring.migrate(as_user(world, "kari"), "introduksjonsprogram", 1, 2, MAPPING, dry_run=True)
    report = authoring.migrate(anne, "introduksjonsprogram", 1, 2, MAPPING, dry_run=True)
    assert {plan.case_id for plan in report.moved} | {case for case, _ in report.refused} == {
        world.amina, world.yonas}


def test_a_job_is_seen_only_by_the_user_who_started_it(world):
    jobs = Jobs(world.ctx.engine)
    kari, ola = as_user(world, "kari").actor, as_user(world, "ola").actor
    job = jobs.start("test", kari, lambda job: 1)
    assert jobs.get(job.id, kari) is not None
    assert jobs.get(job.id, ola) is None
    assert jobs.get(job.id, Actor.system()) is None
    with pytest.raises(ValueError, match="signed-in user"):
        jobs.start("test", Actor.system(), lambda job: 1)


def test_units_are_the_kommunes_own_and_only_its_administrator_adds_them(world):
    """Units (issue 14): every user lists their own kommune's units only; a veileder or a leder adds none,
    nor does another kommune's administrator; the full matrix is in tests/services/test_units.py."""
    from pathways.services.accounts import add_user
    from pathways.services.units import add_unit, list_units
    add_user(world.ctx, username="bo", name="Bo Berg", role="administrator", kommune="Bærum", password=PASSWORD)
    add_unit(as_user(world, "anne"), kind="nav", name="NAV Asker")
    before = table_counts(world.ctx)
    for username in ("kari", "lise"):
        with pytest.raises(access.Forbidden):
            add_unit(as_user(world, username), kind="nav", name="NAV Vest")
    for username in ("bo", "per"):
        assert "NAV Asker" not in {u.name for u in list_units(as_user(world, username))}
        with pytest.raises(access.Forbidden):
            list_units(as_user(world, username), "Asker")
    with pytest.raises(access.Forbidden):
        add_unit(as_user(world, "bo"), kommune="Asker", kind="nav", name="NAV Vest")
    assert table_counts(world.ctx) == before
