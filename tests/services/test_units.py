"""A kommune's units (issue 14, «Organisations and people»): every kommune has its refugee service from
the start and every user belongs to a unit of their own kommune; only an administrator of the kommune
(or the system actor) adds units; a foreign kommune's administrator neither lists nor adds ours; a
refused request writes nothing.

The world is the dashboard tests' (tests/ui/conftest.py): in Asker veiledere kari and ola, leder lise and
administrator anne; in Bærum veileder per. Bærum gets an administrator, bo, here.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from pathways.i18n import localise
from pathways.services import cases
from pathways.services.access import Forbidden
from pathways.services.accounts import add_user
from pathways.services.context import Conflict, NotFound, ServiceError
from pathways.services.units import add_unit, list_units, set_unit
from pathways.store.tables import Kommune, Unit, User
from tests.conftest import table_counts
from tests.services.test_access import as_user
from tests.ui.conftest import PASSWORD, World, build_world


@pytest.fixture
def world(ctx, clock) -> World:
    found = build_world(ctx, clock)
    add_user(ctx, username="bo", name="Bo Berg", role="administrator", kommune="Bærum", password=PASSWORD)
    return found


def unit_of(world: World, username: str) -> tuple[str, str]:
    with Session(world.ctx.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        unit = session.get(Unit, user.unit_id)
        return unit.kind, unit.name


class TestTheDefaultUnit:
    """Every kommune starts with «Flyktningtjenesten»; a user added without a unit is in it."""

    def test_every_kommune_has_its_refugee_service(self, world):
        with Session(world.ctx.engine) as session:
            kommuner = session.exec(select(Kommune.id)).all()
            for kommune_id in kommuner:
                kinds = session.exec(select(Unit.kind).where(Unit.kommune_id == kommune_id)).all()
                assert kinds.count("flyktningtjeneste") == 1

    def test_a_kommune_made_by_the_demo_or_an_import_has_it_too(self, world):
        from pathways.services.participants import add_participant
        from pathways.store.queries.pathways import kommune_id
        with world.ctx.engine.begin() as connection:
            made = kommune_id(connection, "Demo kommune")
        add_participant(world.ctx, name="Ny Person", born="1990-01-01", settled=None, kommune="Lier")
        with Session(world.ctx.engine) as session:
            lier = session.exec(select(Kommune.id).where(Kommune.name == "Lier")).one()
            for kid in (made, lier):
                assert session.exec(select(Unit.name).where(Unit.kommune_id == kid)).all() == ["Flyktningtjenesten"]

    def test_users_without_a_unit_are_in_the_refugee_service(self, world):
        assert unit_of(world, "kari") == ("flyktningtjeneste", "Flyktningtjenesten")
        assert unit_of(world, "per") == ("flyktningtjeneste", "Flyktningtjenesten")

    def test_a_user_added_to_a_named_unit_is_in_it(self, world):
        anne = as_user(world, "anne")
        add_unit(anne, kind="nav", name="NAV Asker")
        add_user(anne, username="nina", name="Nina Nav", role="veileder", kommune="Asker", unit="nav asker",
                 password=PASSWORD)
        assert unit_of(world, "nina") == ("nav", "NAV Asker")

    def test_an_unknown_unit_name_is_refused_naming_the_units(self, world):
        before = table_counts(world.ctx)
        with pytest.raises(NotFound) as refused:
            add_user(as_user(world, "anne"), username="nina", name="Nina Nav", role="veileder", kommune="Asker",
                     unit="Flyktningtjenestn", password=PASSWORD)
        assert refused.value.field == "unit"
        assert "Flyktningtjenesten" in localise(refused.value.text)
        assert table_counts(world.ctx) == before


class TestAddingUnits:
    def test_an_administrator_adds_a_unit_to_their_kommune_and_lists_it(self, world):
        anne = as_user(world, "anne")
        unit_id = add_unit(anne, kind="nav", name="  NAV   Asker ")
        listed = {u.id: (u.kind, u.name, u.kommune, u.kind_label) for u in list_units(anne)}
        assert listed[unit_id] == ("nav", "NAV Asker", "Asker", "NAV")
        assert {u.name for u in list_units(as_user(world, "kari"))} == {"Flyktningtjenesten", "NAV Asker"}

    def test_the_system_actor_adds_to_any_kommune_and_lists_them_all(self, world):
        add_unit(world.ctx, kommune="Bærum", kind="voksenopplaering", name="Bærum voksenopplæring")
        assert {(u.kommune, u.name) for u in list_units(world.ctx)} >= {
            ("Asker", "Flyktningtjenesten"), ("Bærum", "Flyktningtjenesten"), ("Bærum", "Bærum voksenopplæring")}

    @pytest.mark.parametrize(("kind", "name", "code", "field"), [
        ("navv", "NAV Asker", "unknown_unit_kind", "kind"),
        ("skole", "Nesbru", "unknown_unit_kind", "kind"),
        ("nav", "   ", "unit_name_required", "name"),
        ("nav", "x" * 101, "unit_name_required", "name"),
        ("nav", "flyktningtjenesten", "unit_name_taken", "name"),
    ])
    def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(self, world, kind, name, code, field):
        before = table_counts(world.ctx)
        with pytest.raises(ServiceError) as refused:
            add_unit(as_user(world, "anne"), kind=kind, name=name)
        assert (refused.value.code, refused.value.field) == (code, field)
        assert localise(refused.value.text) != str(refused.value.text)  # said in bokmål
        assert table_counts(world.ctx) == before

    def test_an_unknown_kind_suggests_the_closest(self, world):
        with pytest.raises(ServiceError) as refused:
            add_unit(as_user(world, "anne"), kind="navv", name="NAV Asker")
        assert "'nav'" in str(refused.value)
        with pytest.raises(ServiceError) as refused:
            add_unit(as_user(world, "anne"), kind="skole", name="Nesbru")
        assert "videregaende_skole" in str(refused.value)  # no close one: every kind is listed

    def test_a_duplicate_is_a_conflict(self, world):
        add_unit(world.ctx, kommune="Asker", kind="nav", name="NAV Asker")
        with pytest.raises(Conflict):
            add_unit(as_user(world, "anne"), kind="nav", name="nav asker")

    def test_the_same_name_in_another_kommune_is_another_unit(self, world):
        add_unit(as_user(world, "anne"), kind="nav", name="NAV Vest")
        add_unit(as_user(world, "bo"), kind="nav", name="NAV Vest")


class TestWhoMay:
    """The access matrix: only the kommune's administrator (or the system actor) adds; a user of another
    kommune neither lists nor adds ours."""

    @pytest.mark.parametrize("username", ["kari", "lise"])
    def test_a_veileder_or_leder_may_not_add_units(self, world, username):
        before = table_counts(world.ctx)
        with pytest.raises(Forbidden):
            add_unit(as_user(world, username), kind="nav", name="NAV Asker")
        assert table_counts(world.ctx) == before

    def test_a_foreign_administrator_may_not_add_our_units(self, world):
        before = table_counts(world.ctx)
        with pytest.raises(Forbidden) as refused:
            add_unit(as_user(world, "bo"), kommune="Asker", kind="nav", name="NAV Asker")
        assert refused.value.field == "kommune"
        assert table_counts(world.ctx) == before

    def test_a_foreign_administrator_may_not_list_our_units(self, world):
        add_unit(world.ctx, kommune="Asker", kind="nav", name="NAV Asker")
        with pytest.raises(Forbidden):
            list_units(as_user(world, "bo"), "Asker")
        assert "NAV Asker" not in {u.name for u in list_units(as_user(world, "bo"))}

    def test_an_unknown_kommune_is_not_found(self, world):
        with pytest.raises(NotFound):
            add_unit(world.ctx, kommune="Atlantis", kind="nav", name="NAV Atlantis")


class TestSettingAUsersUnit:
    def test_an_administrator_moves_a_user_into_another_unit(self, world):
        anne = as_user(world, "anne")
        unit_id = add_unit(anne, kind="nav", name="NAV Asker")
        set_unit(anne, "ola", unit_id)
        assert unit_of(world, "ola") == ("nav", "NAV Asker")

    def test_only_the_same_kommune(self, world):
        baerum = add_unit(world.ctx, kommune="Bærum", kind="nav", name="NAV Bærum")
        before = table_counts(world.ctx)
        with pytest.raises(NotFound):  # another kommune's unit is not found for Asker's administrator
            set_unit(as_user(world, "anne"), "ola", baerum)
        with pytest.raises(NotFound):  # nor another kommune's user
            set_unit(as_user(world, "bo"), "ola", baerum)
        with pytest.raises(ServiceError) as refused:  # the system actor is refused across kommuner
            set_unit(world.ctx, "ola", baerum)
        assert refused.value.code == "unit_other_kommune"
        with pytest.raises(Forbidden):
            set_unit(as_user(world, "kari"), "ola", baerum)
        assert table_counts(world.ctx) == before


class TestResponsibleNow:
    """«Ansvarlig nå»: the case's caseworker by full name, and their unit."""

    def test_the_case_shows_its_caseworker_and_their_unit(self, world):
        shown = cases.show(as_user(world, "kari"), world.amina)
        assert shown.responsible == {"name": "Kari Nordmann", "username": "kari", "unit": "Flyktningtjenesten"}
