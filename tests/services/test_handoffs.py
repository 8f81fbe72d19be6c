"""Hand-offs (issue 14, «Hand-off (overføring)»): the case's veileder hands a participant to NAV with the
checklist the definition lists; the receiving unit accepts (naming who is responsible from the planned
date) or returns it; the sender cancels while it waits. Every step is an event of the case, and the case and
its hand-offs rebuilt from the events equal what is stored. Bad input is refused naming the field, with
nothing written.

The world is the dashboard tests' (tests/ui/conftest.py): in Asker veileder kari has Amina's case (moved
here into the programme, a step with a checklist) and ola Yonas's; in Bærum veileder per has Olena's.
Asker gets «NAV Asker» with veileder nina and leder nora; Bærum «NAV Bærum» with nils.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from pathways.i18n import localise
from pathways.services import audit, cases, handoffs
from pathways.services.access import Forbidden
from pathways.services.accounts import add_user
from pathways.services.context import Conflict, Context, NotFound, ServiceError
from pathways.services.units import add_unit
from pathways.store.tables import Event, Handoff, Participant
from tests.conftest import table_counts
from tests.services.test_access import as_user
from tests.ui.conftest import PASSWORD, TODAY, World, build_world

REQUIRED = ["kartleggingsresultat", "integreringsplan", "status_norsk", "inntektsplan"]
PLANNED = TODAY + timedelta(days=14)


def into_programme(world: World) -> None:
    """Amina from the vedtak step into the programme (a step whose checklist the definition lists)."""
    with Session(world.ctx.engine) as session:  # the band's guard reads her schooling
        amina = session.get(Participant, world.amina_pid)
        amina.has_upper_secondary = False
        session.commit()
    cases.advance(world.ctx, world.amina, "vedtak_fattet", date(2026, 11, 20), {"programstart_dato": "2026-12-01"})
    cases.advance(world.ctx, world.amina, "plan_og_kontrakt_signert", date(2026, 11, 21),
                  {"sluttmal": "grunnskole", "planlagt_slutt": "2028-06-01"})


def handoff_world(ctx: Context, clock) -> World:
    """The dashboard tests' world with Amina in the programme and the NAV units and their users."""
    found = build_world(ctx, clock)
    into_programme(found)
    asker = add_unit(ctx, kind="nav", name="NAV Asker", kommune="Asker")
    add_unit(ctx, kind="nav", name="NAV Bærum", kommune="Bærum")
    for username, role, kommune, unit in (("nina", "veileder", "Asker", "NAV Asker"),
                                          ("nora", "leder", "Asker", "NAV Asker"),
                                          ("nils", "veileder", "Bærum", "NAV Bærum")):
        add_user(ctx, username=username, name=username.capitalize() + " Nav", role=role, kommune=kommune,
                 unit=unit, password=PASSWORD)
    found.nav = asker  # type: ignore[attr-defined]
    return found


@pytest.fixture
def world(ctx, clock) -> World:
    return handoff_world(ctx, clock)


def nav(world: World) -> int:
    return world.nav  # type: ignore[attr-defined]


def unit_named(world: World, kommune: str, name: str) -> int:
    from pathways.services.units import list_units
    return next(u.id for u in list_units(world.ctx, kommune) if u.name == name)


def send(world: World, ctx: Context | None = None, **changes) -> int:
    arguments = {"to_unit": nav(world), "on": PLANNED, "message": "Overgang til NAV-tiltak etter programmet",
                 "ticks": [*REQUIRED, "samtykke"], **changes}
    return handoffs.send(ctx or as_user(world, "kari"), world.amina, **arguments)


def same_as_rebuilt(world: World, case_id: int) -> None:
    assert cases.rebuild(world.ctx, case_id) == cases.stored_state(world.ctx, case_id)
    assert handoffs.rebuilt(world.ctx, case_id) == handoffs.stored(world.ctx, case_id)


class TestTheChecklist:
    """The checklist is the definition's for the steps the case is in; consent is required for NAV."""

    def test_the_programme_step_lists_what_must_pass_and_consent_is_required_for_nav(self, world):
        items = handoffs.checklist(as_user(world, "kari"), world.amina, nav(world))
        assert [i.key for i in items] == [*REQUIRED, "samtykke"]
        assert all(i.required for i in items)

    def test_within_the_refugee_service_consent_is_as_the_definition_says(self, world):
        team = add_unit(world.ctx, kind="flyktningtjeneste", name="Flyktningtjenesten team 2", kommune="Asker")
        items = {i.key: i for i in handoffs.checklist(as_user(world, "kari"), world.amina, team)}
        assert items["samtykke"].required is False

    def test_a_step_without_a_checklist_still_asks_for_consent_when_data_leaves(self, world):
        items = handoffs.checklist(as_user(world, "ola"), world.yonas, nav(world))
        assert [(i.key, i.required) for i in items] == [("samtykke", True)]
        assert items[0].label == "Samtykke fra deltakeren til å dele opplysningene"


class TestSendAcceptReturnCancel:
    """Each step changes the hand-off and writes an event; rebuilt from events, the case is the same."""

    def test_sent_then_accepted_makes_the_receiver_responsible_from_the_planned_date(self, world):
        kari = as_user(world, "kari")
        number = send(world, kari)
        same_as_rebuilt(world, world.amina)
        view = handoffs.show(kari, number)
        assert (view.status, view.to_unit, view.planned_on, view.created_by) == ("pending", "NAV Asker", PLANNED,
                                                                                  "kari")
        assert [i.key for i in view.items if i.ticked] == [*REQUIRED, "samtykke"]
        assert cases.show(kari, world.amina).responsible["username"] == "kari"  # until accepted
        nina = as_user(world, "nina")
        assert [h.id for h in handoffs.inbox(nina, pending_only=True)] == [number]
        accepted = handoffs.accept(nina, number, "nina")
        assert (accepted.status, accepted.responsible, accepted.decided_by) == ("accepted", "nina", "nina")
        same_as_rebuilt(world, world.amina)
        assert cases.show(kari, world.amina).responsible["username"] == "kari"  # the planned date is ahead
        world.clock.set(PLANNED)
        now = cases.show(as_user(world, "kari"), world.amina).responsible
        assert (now["username"], now["name"], now["unit"]) == ("nina", "Nina Nav", "NAV Asker")
        assert cases.show(as_user(world, "nina"), world.amina).responsible["username"] == "nina"
        with Session(world.ctx.engine) as session:
            names = session.exec(select(Event.name).where(Event.enrolment_id == world.amina)
                                 .order_by(Event.sequence)).all()
        assert names[-2:] == ["overforing_sendt", "overforing_akseptert"]

    def test_returned_with_a_reason_leaves_the_sender_responsible(self, world):
        number = send(world)
        back = handoffs.give_back(as_user(world, "nora"), number, "Deltakeren hører til NAV Bærum")
        assert (back.status, back.return_reason, back.decided_by) == ("returned", "Deltakeren hører til NAV Bærum",
                                                                      "nora")
        same_as_rebuilt(world, world.amina)
        world.clock.set(PLANNED)
        assert cases.show(as_user(world, "kari"), world.amina).responsible["username"] == "kari"

    def test_cancelled_by_the_sender_and_sent_again(self, world):
        kari = as_user(world, "kari")
        number = send(world, kari)
        assert handoffs.cancel(kari, number).status == "cancelled"
        same_as_rebuilt(world, world.amina)
        again = send(world, kari, ticks=[*REQUIRED, "samtykke"], notes={"inntektsplan": "Tiltakspenger fra 1.12."})
        handoffs.tick(kari, again, notes={"status_norsk": "A2 muntlig"})
        same_as_rebuilt(world, world.amina)
        notes = {i.key: i.note for i in handoffs.show(kari, again).items}
        assert notes["inntektsplan"] == "Tiltakspenger fra 1.12." and notes["status_norsk"] == "A2 muntlig"

    def test_every_step_is_in_the_participants_trail(self, world):
        number = send(world)
        handoffs.accept(as_user(world, "nina"), number, "nina")
        trail = audit.participant_trail(world.ctx, world.amina_pid)
        details = [e.detail for e in trail if e.action == "event"]
        assert any("overforing_sendt" in d for d in details) and any("overforing_akseptert" in d for d in details)


class TestRefused:
    """A clear refusal naming the field, and nothing written."""

    def refused(self, world, error, field, call):
        before = table_counts(world.ctx)
        with pytest.raises(error) as caught:
            call()
        assert caught.value.field == field
        assert localise(caught.value.text) != str(caught.value.text) or caught.value.code is None
        assert table_counts(world.ctx) == before
        return caught.value

    def test_a_required_item_not_ticked(self, world):
        error = self.refused(world, ServiceError, "items", lambda: send(world, ticks=REQUIRED))
        assert "Samtykke" in localise(error.text)

    def test_an_unknown_item(self, world):
        error = self.refused(world, ServiceError, "items", lambda: send(world, ticks=[*REQUIRED, "samtyke"]))
        assert "samtykke" in str(error)

    @pytest.mark.parametrize("on", [TODAY - timedelta(days=1), TODAY + timedelta(days=400)])
    def test_a_planned_date_out_of_range(self, world, on):
        self.refused(world, ServiceError, "on", lambda: send(world, on=on))

    def test_an_unknown_unit(self, world):
        self.refused(world, ServiceError, "to", lambda: send(world, to_unit=99999))

    def test_a_unit_of_another_kommune_without_an_agreement(self, world):
        baerum = unit_named(world, "Bærum", "NAV Bærum")
        error = self.refused(world, ServiceError, "to", lambda: send(world, to_unit=baerum))
        assert "Bærum" in localise(error.text)

    def test_with_an_agreement_another_kommune_is_a_receiver(self, world):
        add_unit(world.ctx, kind="annen_kommune", name="Bærum", kommune="Asker")
        number = send(world, to_unit=unit_named(world, "Bærum", "NAV Bærum"))
        assert handoffs.accept(as_user(world, "nils"), number, "nils").status == "accepted"
        same_as_rebuilt(world, world.amina)

    def test_the_agreement_unit_hands_to_the_other_kommunes_refugee_service(self, world):
        agreement = add_unit(world.ctx, kind="annen_kommune", name="Bærum", kommune="Asker")
        view = handoffs.show(world.ctx, send(world, to_unit=agreement))
        assert (view.to_unit, view.to_unit_kind) == ("Flyktningtjenesten", "flyktningtjeneste")
        assert view.to_unit_id == unit_named(world, "Bærum", "Flyktningtjenesten")

    def test_a_second_while_one_waits(self, world):
        send(world)
        self.refused(world, Conflict, "case", lambda: send(world))

    def test_accepting_twice(self, world):
        number = send(world)
        nina = as_user(world, "nina")
        handoffs.accept(nina, number, "nina")
        error = self.refused(world, Conflict, "handoff", lambda: handoffs.accept(nina, number, "nina"))
        assert "mottatt" in localise(error.text)

    def test_accepting_as_the_sender(self, world):
        number = send(world)
        self.refused(world, Forbidden, "unit", lambda: handoffs.accept(as_user(world, "kari"), number, "kari"))

    def test_accepting_as_a_user_of_another_kommunes_nav(self, world):
        number = send(world)
        self.refused(world, NotFound, "handoff", lambda: handoffs.accept(as_user(world, "nils"), number, "nils"))

    def test_naming_someone_outside_the_unit_responsible(self, world):
        number = send(world)
        self.refused(world, ServiceError, "responsible", lambda: handoffs.accept(as_user(world, "nina"), number,
                                                                                 "kari"))

    def test_returning_without_a_reason(self, world):
        number = send(world)
        self.refused(world, ServiceError, "reason", lambda: handoffs.give_back(as_user(world, "nina"), number, " "))

    def test_cancelling_as_the_receiver(self, world):
        number = send(world)
        self.refused(world, Forbidden, "handoff", lambda: handoffs.cancel(as_user(world, "nina"), number))

    def test_sending_a_case_of_another_veileder(self, world):
        before = table_counts(world.ctx)
        with pytest.raises(NotFound):
            send(world, as_user(world, "ola"))
        assert table_counts(world.ctx) == before


def test_the_stored_row_matches_its_events_after_every_step(world):
    """The projection rebuilt from the events equals the stored rows: send, tick, accept; send, return."""
    kari = as_user(world, "kari")
    first = send(world, kari, ticks=[*REQUIRED, "samtykke"])
    handoffs.tick(kari, first, notes={"kartleggingsresultat": "Se vedlegg i arkivet"})
    same_as_rebuilt(world, world.amina)
    handoffs.give_back(as_user(world, "nina"), first, "Mangler inntektsplan")
    same_as_rebuilt(world, world.amina)
    second = send(world, kari)
    handoffs.accept(as_user(world, "nina"), second, "nina")
    same_as_rebuilt(world, world.amina)
    with Session(world.ctx.engine) as session:
        assert [h.status for h in session.exec(select(Handoff).order_by(Handoff.id))] == ["returned", "accepted"]


def test_the_story_tells_the_steps_and_the_receiver_reads_only_them(world):
    """The case's story says to whom and from when; the receiving unit sees the hand-off steps, no notes."""
    from pathways.services import dashboard, story
    kari = as_user(world, "kari")
    dashboard.add_note(kari, world.amina, "Internt notat")
    number = send(world, kari)
    sent = next(e for e in story.story(kari, world.amina) if e.title == "Overføring sendt")
    assert ("Til", "NAV Asker") in sent.values and ("Planlagt dato", "06.12.2026") in sent.values
    nina = as_user(world, "nina")
    handoffs.accept(nina, number, "nina")
    seen = story.story(nina, world.amina)
    assert [e.title for e in seen] == ["Overføring mottatt", "Overføring sendt"]


class TestScope:
    """A user of NAV sees only the cases handed to their unit (pending or accepted), read-only; a NAV user
    of the same kommune without a hand-off, and one of another kommune, find nothing."""

    def test_without_a_hand_off_a_nav_user_finds_nothing(self, world):
        from pathways.services import dashboard, participants
        for username in ("nina", "nora", "nils"):
            someone = as_user(world, username)
            for case in (world.amina, world.yonas, world.olena):
                with pytest.raises(NotFound):
                    cases.show(someone, case)
            assert dashboard.caseload(someone, dashboard.CaseloadFilter()).rows == []
            assert participants.find_participants(someone).rows == []  # not even the intake

    def test_a_pending_or_accepted_hand_off_shows_that_participant_only(self, world):
        from pathways.services import dashboard, participants
        number = send(world)
        for username in ("nina", "nora"):
            someone = as_user(world, username)
            assert cases.show(someone, world.amina).id == world.amina
            assert [r.id for r in dashboard.caseload(someone, dashboard.CaseloadFilter()).rows] == [world.amina]
            assert [p.id for p in participants.find_participants(someone).rows] == [world.amina_pid]
            with pytest.raises(NotFound):
                cases.show(someone, world.yonas)
        with pytest.raises(NotFound):
            cases.show(as_user(world, "nils"), world.amina)
        handoffs.accept(as_user(world, "nina"), number, "nina")
        assert cases.show(as_user(world, "nina"), world.amina).id == world.amina

    def test_the_receiver_reads_but_does_not_change_the_case(self, world):
        from pathways.services import dashboard
        send(world)
        nina = as_user(world, "nina")
        before = table_counts(world.ctx)
        with pytest.raises(Forbidden):
            cases.advance(nina, world.amina, "trekantsamtale_gjennomfort", TODAY)
        with pytest.raises(Forbidden):
            dashboard.add_note(nina, world.amina, "Hei")
        assert table_counts(world.ctx) == before
        assert dashboard.flag_counts(nina) == {}
        assert dashboard.flags(nina).rows == []

    @pytest.mark.parametrize("end", ["returned", "cancelled"])
    def test_a_returned_or_cancelled_hand_off_shows_nothing_any_more(self, world, end):
        number = send(world)
        if end == "returned":
            handoffs.give_back(as_user(world, "nina"), number, "Feil enhet")
        else:
            handoffs.cancel(as_user(world, "kari"), number)
        with pytest.raises(NotFound):
            cases.show(as_user(world, "nina"), world.amina)
        with pytest.raises(NotFound):
            handoffs.show(as_user(world, "nils"), number)
        assert handoffs.show(as_user(world, "nina"), number).status == end  # their inbox keeps the line


def flag_on(world: World, case_id: int, key: str = "test:overtatt") -> int:
    """An open flag on the case, as the nightly check raises one."""
    from pathways.store.tables import Enrolment, Flag
    now = world.ctx.now()
    with Session(world.ctx.engine) as session:
        case = session.get(Enrolment, case_id)
        row = Flag(natural_key=key, kommune_id=case.kommune_id, enrolment_id=case_id,
                   participant_id=case.participant_id, kind="nav_dialog", severity="high", due=TODAY,
                   message="NAV-dialog mangler", created_at=now, updated_at=now)
        session.add(row)
        session.commit()
        return row.id


class TestTakenOver:
    """Issue 14, «Hand-off» 2: accepting makes the receiver responsible from the planned date, and the sender
    keeps read access to status and dates only. From that date the receiving unit's veileder changes the case
    and sees its flags on their worklist; the sending veileder and leder read where the case is and its dates,
    and change nothing. Before it, the sender works the case and the receiver only reads."""

    def accepted(self, world: World, by: str = "nina", unit: int | None = None) -> int:
        number = send(world, **({"to_unit": unit} if unit else {}))
        handoffs.accept(as_user(world, by), number, by)
        return number

    def test_until_the_planned_date_the_sender_works_the_case(self, world):
        from pathways.services import dashboard
        self.accepted(world)
        nina = as_user(world, "nina")
        before = table_counts(world.ctx)
        with pytest.raises(Forbidden) as refused:
            dashboard.add_note(nina, world.amina, "Hei")
        assert refused.value.code == "case_not_taken_over"
        assert table_counts(world.ctx) == before
        assert cases.show(nina, world.amina).status_only
        kari = as_user(world, "kari")
        assert not cases.show(kari, world.amina).status_only
        dashboard.add_note(kari, world.amina, "Før overføringen")

    def test_from_the_planned_date_the_receiver_changes_the_case(self, world):
        from pathways.services import dashboard, livelihood, story
        self.accepted(world)
        world.clock.set(PLANNED)
        nina = as_user(world, "nina")
        view = cases.show(nina, world.amina)
        assert not view.status_only and view.allowed
        dashboard.add_note(nina, world.amina, "Tatt over av NAV")
        period = livelihood.add_income(nina, world.amina_pid, "kvalifiseringsstonad", PLANNED, PLANNED + timedelta(
            days=365), planned=True)
        assert period
        event = view.allowed[0]
        assert event.event  # a step the definition allows now: recorded by the receiver
        assert "Tatt over av NAV" in [e.text for e in story.story(nina, world.amina)]
        same_as_rebuilt(world, world.amina)

    def test_from_the_planned_date_the_sender_reads_status_and_dates_only(self, world):
        from pathways.services import dashboard, livelihood, participants, story
        kari = as_user(world, "kari")
        dashboard.add_note(kari, world.amina, "Internt notat")
        self.accepted(world)
        world.clock.set(PLANNED)
        kari = as_user(world, "kari")
        view = cases.show(kari, world.amina)
        assert view.status_only and view.steps and view.allowed == [] and view.benefit is None
        assert view.responsible["username"] == "nina"
        assert [d.due for d in view.deadlines] == [d.due for d in cases.show(as_user(world, "nina"),
                                                                               world.amina).deadlines]
        assert [e.title for e in story.story(kari, world.amina)] == ["Overføring mottatt", "Overføring sendt"]
        before = table_counts(world.ctx)
        for change in (lambda: dashboard.add_note(kari, world.amina, "Hei"),
                       lambda: cases.advance(kari, world.amina, "trekantsamtale_gjennomfort", PLANNED),
                       lambda: livelihood.add_income(kari, world.amina_pid, "lonn", PLANNED)):
            with pytest.raises((Forbidden, NotFound)):
                change()
        assert table_counts(world.ctx) == before
        with pytest.raises(NotFound):  # the participant's facts are the receiver's now
            participants.read_participant(kari, world.amina_pid)
        assert world.amina in [r.id for r in dashboard.caseload(kari, dashboard.CaseloadFilter()).rows]
        with pytest.raises(Forbidden) as refused:
            handoffs.send(kari, world.amina, to_unit=nav(world), on=PLANNED, ticks=[*REQUIRED, "samtykke"])
        assert refused.value.code == "case_handed_over"

    def test_the_flags_follow_the_case(self, world):
        from pathways.services import dashboard, flags, worklist
        flag = flag_on(world, world.amina)
        kari, nina = as_user(world, "kari"), as_user(world, "nina")
        assert flag in [f.id for f, _ in dashboard.flags(kari).rows]
        assert flag not in [f.id for f, _ in dashboard.flags(nina).rows]  # pending: the sender's work
        self.accepted(world)
        world.clock.set(PLANNED)
        kari, nina, leder = as_user(world, "kari"), as_user(world, "nina"), as_user(world, "lise")
        assert flag in [f.id for f, _ in dashboard.flags(nina).rows]
        listed = [f for f, _ in dashboard.flags(nina).rows]
        assert {f.enrolment_id for f in listed} == {world.amina}
        assert sum(dashboard.flag_counts(nina).values()) == len(listed)  # the header counts the same flags
        assert sum(dashboard.flag_counts(kari).values()) == len(dashboard.flags(kari).rows)
        assert flag in [i.flag_id for i in worklist.worklist(nina, everything=True).items]
        for sender in (kari, leder):
            assert flag not in [f.id for f, _ in dashboard.flags(sender).rows]
            # the header counts the same flags (a leder's: the kommune's less those of the cases handed over)
            assert sum(dashboard.flag_counts(sender).values()) == dashboard.flags(sender, state="open").total
            assert world.amina not in [i.case_id for i in worklist.worklist(sender, everything=True).items]
        rows = {who: next(r for r in dashboard.caseload(ctx, dashboard.CaseloadFilter()).rows if r.id == world.amina)
                for who, ctx in (("kari", kari), ("nina", nina), ("lise", leder))}
        assert ("nav_dialog", "high") in rows["nina"].flags  # the caseload's flag column: the receiver's work
        assert rows["kari"].flags == [] and rows["lise"].flags == []
        with pytest.raises(NotFound):
            flags.acknowledge(kari, flag)
        flags.acknowledge(nina, flag)

    def test_another_kommunes_refugee_service_takes_the_case_over(self, world):
        from pathways.services import dashboard, flags, worklist
        flag = flag_on(world, world.amina)
        assert [r.id for r in dashboard.caseload(as_user(world, "per"), dashboard.CaseloadFilter()).rows] == [
            world.olena]
        agreement = add_unit(world.ctx, kind="annen_kommune", name="Bærum", kommune="Asker")
        self.accepted(world, by="per", unit=agreement)
        per = as_user(world, "per")
        assert cases.show(per, world.amina).status_only  # read before the planned date
        assert {r.id for r in dashboard.caseload(per, dashboard.CaseloadFilter()).rows} == {world.olena,
                                                                                          world.amina}
        assert flag not in [f.id for f, _ in dashboard.flags(per).rows]
        with pytest.raises(Forbidden):
            dashboard.add_note(per, world.amina, "Hei")
        world.clock.set(PLANNED)
        per = as_user(world, "per")
        assert not cases.show(per, world.amina).status_only
        dashboard.add_note(per, world.amina, "Bosatt i Bærum, tatt over")
        assert cases.show(as_user(world, "kari"), world.amina).status_only
        assert flag in [i.flag_id for i in worklist.worklist(per, everything=True).items]  # on their «I dag»
        assert flag in [f.id for f, _ in dashboard.flags(per).rows]
        flags.acknowledge(per, flag)
        bærum_leder = add_user(world.ctx, username="berit", name="Berit Leder", role="leder", kommune="Bærum",
                               password=PASSWORD)
        assert bærum_leder
        assert world.amina in {r.id for r in dashboard.caseload(as_user(world, "berit"),
                                                                dashboard.CaseloadFilter()).rows}
        assert cases.show(per, world.olena).id == world.olena  # their own kommune's cases as before
        with pytest.raises(NotFound):
            cases.show(per, world.yonas)  # nothing else of Asker
        with pytest.raises(NotFound):
            cases.show(as_user(world, "nils"), world.amina)
