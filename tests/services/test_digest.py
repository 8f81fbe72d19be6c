"""The summary by e-mail (oppsummering), sent to a real SMTP server on loopback (aiosmtpd): it arrives
with the right counts, once across two runs; a failed send is retried on the next run without sending the
others twice; a weekly choice gets it on Mondays; no participant's name, birth date or national id is in
any subject, body or webhook post; every link asks for sign-in; a bad choice is refused naming the field
with nothing written (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from pathways.calendar import OSLO
from pathways.services.context import Actor, Context, ServiceError
from pathways.services.digest import Mailer, build, digests, my_choice, outcomes, send_digests, set_choice
from pathways.services.tasks import add_task
from pathways.services.worklist import worklist
from pathways.store.tables import DigestSent, Flag, Kommune, Participant, User
from tests.conftest import table_counts
from tests.services.test_worklist import as_user
from tests.ui.conftest import TODAY, World, build_world

SENDER = "pathways@asker.kommune.no"
MONDAY = TODAY + timedelta(days=1)  # 2026-11-22 is a Sunday


@dataclass
class Inbox:
    """What the SMTP server on loopback received; ``refuse`` lists addresses it answers 550 to."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def inbox(free_port) -> Iterator[tuple[Inbox, Mailer]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, Mailer.parse(f"smtp://127.0.0.1:{port}", SENDER)
    finally:
        controller.stop()


@pytest.fixture
def world(ctx, clock) -> World:
    return build_world(ctx, clock)


def system(world: World) -> Context:
    return Context(world.ctx.engine, world.clock, Actor.system("test"))


def choose(world: World, username: str, digest: str = "daily") -> str:
    address = f"{username}@asker.kommune.no"
    set_choice(as_user(world, username), digest, address)
    return address


def expected_counts(world: World, username: str, day: date) -> dict[str, int]:
    """The counts built the long way: the worklist's rows, the open gap flags of the day before, the tasks."""
    actor = as_user(world, username)
    items = worklist(actor, everything=True).items
    with Session(world.ctx.engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        cases = {i.case_id for i in worklist(actor, everything=True).items if i.case_id}
        gaps = [f for f in session.exec(select(Flag).where(Flag.kind == "inntektsgap", Flag.state == "open",
                                                           Flag.kommune_id == user.kommune_id))
                if f.enrolment_id in cases or user.role != "veileder"]
    return {"actions": sum(1 for i in items if not i.task_id), "handoffs": 0,
            "gaps": sum(1 for f in gaps if f.created_at.astimezone(OSLO).date() >= day - timedelta(days=1)),
            "tasks": sum(1 for i in items if i.task_id)}


def test_the_digest_arrives_with_the_right_counts_once_across_two_runs(world, inbox):
    server, mailer = inbox
    address = choose(world, "kari")
    add_task(as_user(world, "ola"), title="Bestill tolk", due=TODAY, to_user="kari")
    counts = expected_counts(world, "kari", TODAY)
    assert counts["actions"] >= 1 and counts["tasks"] == 1 and counts["gaps"] >= 1
    first = send_digests(system(world), TODAY, mailer)
    assert (first.sent, first.failed) == (["kari"], [])
    [mail] = server.to(address)
    body = mail.get_content()
    assert mail["From"] == SENDER
    assert mail["Subject"] == f"Oppsummering for 22.11.2026: {counts['actions'] + 1} å følge opp"
    saker = "sak trenger" if counts["actions"] == 1 else "saker trenger"
    assert f"{counts['actions']} {saker} handling i dag: http://127.0.0.1:8000/i-dag" in body
    assert "0 overføringer venter på deg" in body and "1 åpen oppgave: " in body
    assert f"{counts['gaps']} {'nytt inntektsgap' if counts['gaps'] == 1 else 'nye inntektsgap'}" in body
    again = send_digests(system(world), TODAY, mailer)
    assert (again.sent, again.failed, again.already) == ([], [], 1)
    assert len(server.messages) == 1
    [outcome] = outcomes(as_user(world, "anne"), TODAY)  # Asker's administrator
    assert (outcome.username, outcome.outcome, outcome.attempts, outcome.error) == ("kari", "sent", 1, None)


def test_a_failed_send_is_retried_on_the_next_run_and_the_others_are_not_sent_twice(world, inbox):
    server, mailer = inbox
    kari, ola = choose(world, "kari"), choose(world, "ola")
    server.refuse.add(ola)
    first = send_digests(system(world), TODAY, mailer)
    assert (first.sent, first.failed) == (["kari"], ["ola"])
    with Session(world.ctx.engine) as session:
        rows = {r.user_id: r for r in session.exec(select(DigestSent))}
    failed = next(r for r in rows.values() if r.outcome == "failed")
    assert (failed.attempts, failed.error) == (1, "SMTPRecipientsRefused 550")  # why, without the address
    server.refuse.clear()
    second = send_digests(system(world), TODAY, mailer)
    assert (second.sent, second.failed, second.already) == (["ola"], [], 1)
    assert (len(server.to(kari)), len(server.to(ola))) == (1, 1)
    by_user = {o.username: (o.outcome, o.attempts) for o in outcomes(system(world), TODAY)}
    assert by_user == {"kari": ("sent", 1), "ola": ("sent", 2)}


def test_a_server_that_is_down_fails_everyone_and_the_next_run_sends(world, inbox, free_port):
    server, mailer = inbox
    choose(world, "kari")
    down = Mailer.parse(f"smtp://127.0.0.1:{free_port()}", SENDER)
    assert send_digests(system(world), TODAY, down).failed == ["kari"]
    assert [o.error for o in outcomes(system(world), TODAY)] == ["ConnectionRefusedError"]
    assert send_digests(system(world), TODAY, mailer).sent == ["kari"]
    assert len(server.messages) == 1


def test_weekly_comes_on_mondays_and_off_never(world, inbox):
    server, mailer = inbox
    choose(world, "kari", "weekly")
    choose(world, "ola", "daily")
    set_choice(as_user(world, "ola"), "off", None)
    assert send_digests(system(world), TODAY, mailer).sent == []
    world.clock.set(MONDAY)
    assert send_digests(system(world), MONDAY, mailer).sent == ["kari"]
    assert [m["To"] for m in server.messages] == ["kari@asker.kommune.no"]


class _Hook(BaseHTTPRequestHandler):
    posts: ClassVar[list[dict]] = []

    def do_POST(self):
        _Hook.posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):  # quiet
        pass


def test_no_participant_name_birth_date_or_national_id_in_any_digest_or_webhook_post(world, inbox):
    server, mailer = inbox
    for username in ("kari", "ola", "lise", "anne"):
        choose(world, username)
    choose(world, "per")
    add_task(as_user(world, "kari"), title="Ring Amina Ali om tolk", due=TODAY, to_user="ola", case_id=world.amina)
    hook = HTTPServer(("127.0.0.1", 0), _Hook)
    _Hook.posts = []
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        report = send_digests(system(world), TODAY, mailer, webhook=f"http://127.0.0.1:{hook.server_port}/hook")
    finally:
        hook.shutdown()
    assert report.sent == ["anne", "kari", "lise", "ola", "per"]
    assert len(_Hook.posts) == 5 and len(server.messages) == 5
    with Session(world.ctx.engine) as session:
        people = list(session.exec(select(Participant)))
    assert len(people) >= 4
    forbidden = set()
    for p in people:
        forbidden |= {p.name, *p.name.split(), p.birth_date.isoformat(), p.birth_date.strftime("%d.%m.%Y"),
                      p.birth_date.strftime("%d%m%y")}
    said = [m["Subject"] + "\n" + m.get_content() for m in server.messages] + [json.dumps(p, ensure_ascii=False)
                                                                               for p in _Hook.posts]
    for text in said:
        assert not [word for word in forbidden if word in text], text
        assert not re.search(r"\d{11}|\d{6}[ -]?\d{5}", text), text  # no fødselsnummer or D-number shape
    assert any("1 åpen oppgave" in text for text in said)  # the task is counted, its title not said


def test_every_link_asks_for_sign_in(world, app):
    choose(world, "kari")
    [digest] = list(digests(system(world), TODAY))
    client = TestClient(app, follow_redirects=False)
    assert set(digest.links) == {"actions", "handoffs", "gaps", "tasks", "settings"}
    for url in digest.links.values():
        answer = client.get(url.removeprefix("http://127.0.0.1:8000"))
        assert answer.status_code in (302, 303) and answer.headers["location"].startswith("/logg-inn"), url


@pytest.fixture
def app(world):
    from ui.app import Settings, create_app
    return create_app(world.ctx.engine, world.clock, Settings("test-secret-" + "x" * 32))


@pytest.mark.parametrize(("choice", "email", "field_name"), [
    ("sometimes", "kari@asker.kommune.no", "digest"),
    ("daily", "", "email"),
    ("daily", "not an address", "email"),
    ("weekly", "kari@", "email"),
])
def test_a_bad_choice_is_refused_naming_the_field_and_nothing_is_written(world, choice, email, field_name):
    before = table_counts(world.ctx)
    with pytest.raises(ServiceError) as refused:
        set_choice(as_user(world, "kari"), choice, email)
    assert refused.value.field == field_name
    assert table_counts(world.ctx) == before
    assert my_choice(as_user(world, "kari")).digest == "off"


def test_the_counts_are_read_in_the_users_own_scope(world):
    """per (Bærum) never counts Asker's cases; a leder counts the kommune's."""
    for username in ("kari", "lise", "per"):
        choose(world, username)
    with Session(world.ctx.engine) as session:
        users = {u.username: u for u in session.exec(select(User))}
        names = dict(session.exec(select(Kommune.id, Kommune.name)).all())
    built = {u: build(world.ctx, users[u], names[users[u].kommune_id], TODAY) for u in ("kari", "lise", "per")}
    for username, digest in built.items():
        assert digest.counts == expected_counts(world, username, TODAY), username
    assert built["lise"].counts["actions"] >= built["kari"].counts["actions"]


def test_a_kommunes_counts_read_at_once_are_each_users_own_counts(world):
    """digests() reads a kommune's veiledere's counts at once; each equals the user's counts read alone,
    with tasks to users and units, a vikar (one at a time) and the caseload flag about a jobbspesialist."""
    from pathways.services.caseworkers import set_cover
    for username in ("kari", "ola", "lise", "anne", "per"):
        choose(world, username)
    add_task(as_user(world, "kari"), title="x", due=TODAY, to_user="ola")
    add_task(as_user(world, "ola"), title="y", due=TODAY + timedelta(days=40), to_unit=unit_id(world, "Asker"))
    with Session(world.ctx.engine) as session:
        asker = session.exec(select(Kommune.id).where(Kommune.name == "Asker")).one()
        session.add(Flag(natural_key=f"saksmengde:{asker}:kari", kommune_id=asker, kind="saksmengde", severity="medium",
                         due=TODAY, message="For mange", created_at=world.ctx.now(), updated_at=world.ctx.now()))
        session.commit()
    with Session(world.ctx.engine) as session:
        users = {u.username: u for u in session.exec(select(User))}
        names = dict(session.exec(select(Kommune.id, Kommune.name)).all())
    set_cover(as_user(world, "lise"), users["ola"].id, users["kari"].id, TODAY + timedelta(days=3))
    together = {d.username: d.counts for d in digests(system(world), TODAY)}
    alone = {u: build(world.ctx, users[u], names[users[u].kommune_id], TODAY).counts for u in together}
    assert together == alone
    assert together["ola"]["tasks"] == 2 and together["kari"]["tasks"] == 1  # ola's own, and the unit's
    assert together["kari"]["actions"] > together["ola"]["actions"]  # kari covers ola: both caseloads


def unit_id(world: World, kommune: str) -> int:
    from pathways.store.tables import Unit
    with Session(world.ctx.engine) as session:
        return session.exec(select(Unit.id).join(Kommune, Kommune.id == Unit.kommune_id)
                            .where(Kommune.name == kommune)).first()  # type: ignore[return-value]


def test_a_summary_another_run_is_sending_is_left_to_it_unless_that_run_died(world, inbox):
    """The claim: a row «sending» belongs to the run that made it; after an hour its run is taken to have
    died and the next run sends it."""
    server, mailer = inbox
    choose(world, "kari")
    with Session(world.ctx.engine) as session:
        kari = session.exec(select(User).where(User.username == "kari")).one()
        session.add(DigestSent(user_id=kari.id, kommune_id=kari.kommune_id, day=TODAY, outcome="sending",
                               attempts=0, updated_at=world.ctx.now()))
        session.commit()
    assert send_digests(system(world), TODAY, mailer).sent == []
    assert server.messages == []
    world.clock.set(world.ctx.now() + timedelta(hours=2))
    assert send_digests(system(world), TODAY, mailer).sent == ["kari"]
    assert len(server.messages) == 1


def test_the_smtp_url_is_read_with_its_user_password_port_and_starttls():
    mailer = Mailer.parse("smtp://digest%40asker:hemmelig%2Fpass@smtp.asker.kommune.no:587?starttls=1", SENDER)
    assert (mailer.host, mailer.port, mailer.username, mailer.password, mailer.starttls, mailer.tls) == (
        "smtp.asker.kommune.no", 587, "digest@asker", "hemmelig/pass", True, False)
    assert (Mailer.parse("smtps://mail.example.org", SENDER).port, Mailer.parse("smtp://h", SENDER).port) == (465, 25)
    for url, sender, field_name in (("http://h", SENDER, "PATHWAYS_SMTP_URL"), ("smtp://", SENDER, "PATHWAYS_SMTP_URL"),
                                    ("smtp://h", "", "PATHWAYS_MAIL_FROM")):
        with pytest.raises(ServiceError) as refused:
            Mailer.parse(url, sender)
        assert refused.value.field == field_name


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_it_signs_in_to_an_smtp_server_that_asks_for_it(world, free_port):
    from aiosmtpd.smtp import AuthResult

    handler, port = Inbox(), free_port()
    seen: list[bytes] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append(auth_data.login)
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"digest", b"hemmelig"))

    controller = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        choose(world, "kari")
        right = Mailer.parse(f"smtp://digest:hemmelig@127.0.0.1:{port}", SENDER)
        assert send_digests(system(world), TODAY, right).sent == ["kari"]
    finally:
        controller.stop()
    assert len(handler.messages) == 1 and seen == [b"digest"]


def test_a_webhook_that_fails_is_noted_and_the_e_mail_is_not_sent_again(world, inbox):
    server, mailer = inbox
    choose(world, "kari")

    class Broken(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(500)
            self.end_headers()

        def log_message(self, *args):
            pass

    hook = HTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{hook.server_port}/hook"
        assert send_digests(system(world), TODAY, mailer, webhook=url).sent == ["kari"]
        assert send_digests(system(world), TODAY, mailer, webhook=url).sent == []
    finally:
        hook.shutdown()
    assert [(o.outcome, o.error) for o in outcomes(system(world), TODAY)] == [("sent", "webhook HTTP 500")]
    assert len(server.messages) == 1


def test_a_hand_off_waiting_for_the_users_unit_is_counted_and_linked(world, inbox):
    """The summary's «overføringer venter på deg» counts the pending hand-offs to the user's unit (NAV
    Asker's nina: one; kari, who sent it: none), and links to «Overføringer til oss»."""
    from tests.services.test_handoffs import handoff_world, send

    server, mailer = inbox
    handed = handoff_world(world.ctx, world.clock)
    send(handed)
    nina, kari = choose(handed, "nina"), choose(handed, "kari")
    report = send_digests(system(handed), TODAY, mailer)
    assert sorted(report.sent) == ["kari", "nina"]
    [to_nina] = server.to(nina)
    assert "1 overføring venter på deg: http://127.0.0.1:8000/overforinger" in to_nina.get_content()
    [to_kari] = server.to(kari)
    assert "0 overføringer venter på deg" in to_kari.get_content()
