"""The summary by e-mail (oppsummering): each user chooses off, daily or weekly (weekly: on Mondays) on
their own settings page; the morning run (``pathways digest``, the Prefect deployment
``daglig-oppsummering`` at 07:00 Europe/Oslo) sends each of them one e-mail over SMTP and, where
configured, a JSON post to a chat channel's webhook.

**Counts and links only.** E-mail is not a safe channel for names and dates of birth: a summary says how
many cases need action today, how many hand-offs wait, how many new income gaps and open tasks there
are, and links to the pages that show them, each behind sign-in. Nothing about a participant is read to
build it but counts.

**Once per user and day.** The natural key (user, day) of :class:`~pathways.store.tables.DigestSent`:
a re-run sends nothing that was sent; one that failed (the SMTP server down, a refused address) is tried
again on the next run, and the others are not sent twice. The outcome per user (sent, failed, attempts,
why without personal data) is what the administrators' page shows (:func:`outcomes`).

Settings: ``PATHWAYS_SMTP_URL`` (``smtp://user:pass@host:587?starttls=1``, ``smtps://`` for TLS from the
start), ``PATHWAYS_MAIL_FROM``, ``PATHWAYS_BASE_URL`` (the dashboard's address the links start with) and
``PATHWAYS_DIGEST_WEBHOOK_URL`` (optional).
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pathways.calendar import OSLO, FixedClock
from pathways.i18n import localise
from pathways.messages import Text
from pathways.services import access, handoffs
from pathways.services.audit import record
from pathways.services.context import REFUGEE_SERVICE, Actor, Context, NotFound, ServiceError, checked_text
from pathways.services.worklist import caseworker_counts
from pathways.services.worklist import counts as worklist_counts
from pathways.store.queries import handoffs as handoff_rows
from pathways.store.tables import Cover, DigestSent, Enrolment, Flag, Kommune, Task, Unit, User

CHOICES = ("off", "daily", "weekly")
"""off: no summary; daily: every morning; weekly: Monday mornings (covering the week before)."""
WEEKLY_ON = 0  # Monday
EMAIL_LIMIT = 254
TIMEOUT = 30  # seconds, per SMTP connection and webhook post
STALE = timedelta(hours=1)  # a summary «sending» this long belongs to a run that died: claimed again
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def pending_handoffs(ctx: Context) -> int:
    """How many hand-offs (overføringer) wait for the actor's unit to accept or return them (none for an
    administrator, who reads no cases)."""
    try:
        return handoffs.pending_count(ctx)
    except access.Forbidden:
        return 0


# -- the user's choice ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    digest: str
    email: str | None


def my_choice(ctx: Context) -> Choice:
    """The signed-in user's own choice and address."""
    with ctx.transaction() as session:
        user = _me(session, ctx.actor)
        return Choice(user.digest, user.email)


def set_choice(ctx: Context, digest: str, email: str | None) -> None:
    """Set the signed-in user's own choice (off, daily, weekly) and the address it goes to (required
    unless off)."""
    digest = (digest or "").strip().lower()
    if digest not in CHOICES:
        raise ServiceError("unknown_digest_choice", "digest", value=digest)
    address = str(checked_text(email or "", "email")).strip()
    if address and (len(address) > EMAIL_LIMIT or "@" not in address.strip("@") or any(c.isspace() for c in address)):
        raise ServiceError("not_an_email", "email", value=address[:60])
    if digest != "off" and not address:
        raise ServiceError("email_required_for_digest", "email")
    with ctx.transaction() as session:
        user = _me(session, ctx.actor)
        if (user.digest, user.email) != (digest, address or None):
            user.digest, user.email = digest, address or None
            session.add(user)
            record(session, ctx, "user.digest", kommune_id=user.kommune_id, user_id=user.id, detail=digest)


def _me(session: Session, actor: Actor) -> User:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotFound("unknown_user", "username")
    return user


# -- what a summary says --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """One user's summary of a day: counts and links, nothing about a participant."""

    user_id: int
    username: str
    kommune_id: int
    to: str | None
    day: date
    counts: dict[str, int]
    subject: str
    lines: list[str]
    links: dict[str, str]

    @property
    def body(self) -> str:
        return "\n".join(self.lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        return {"user": self.username, "to": self.to, "date": self.day.isoformat(), "counts": self.counts,
                "subject": self.subject, "body": self.body, "links": self.links}

    def webhook_payload(self) -> dict[str, Any]:
        """What the chat channel gets: the counts, the text and the links (no address)."""
        return {"user": self.username, "date": self.day.isoformat(), "counts": self.counts, "text": self.body,
                "links": self.links}


def base_url() -> str:
    return (os.environ.get("PATHWAYS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def due_on(choice: str, day: date) -> bool:
    """Whether a user with ``choice`` gets a summary on ``day``."""
    return choice == "daily" or (choice == "weekly" and day.weekday() == WEEKLY_ON)


def _since(choice: str, day: date) -> date:
    """The first day «new» counts from: yesterday for a daily summary, a week back for a weekly one."""
    return day - timedelta(days=7 if choice == "weekly" else 1)


def _plural(code: str, n: int) -> str:
    return localise(Text(f"{code}_one" if n == 1 else f"{code}_many", n=n))


def build(ctx: Context, user: User, kommune: str, day: date, unit_kind: str | None = None) -> Digest:
    """The summary of ``user`` for ``day``, their counts as their own scope has them (the worklist, the
    flags, the tasks and the hand-offs they see), read as of ``day``, one user at a time (:func:`digests`
    reads most users' counts for a whole kommune at once, and this for the rest). ``unit_kind``: the kind
    of the user's unit, read here when not given."""
    return _render(user, day, _counts(_own(ctx, user, kommune, day, unit_kind), user, day))


def _own(ctx: Context, user: User, kommune: str, day: date, unit_kind: str | None = None) -> Context:
    """The user as the services see them on ``day``: their unit too (a NAV user sees the cases handed to
    their unit only, and the hand-offs waiting for it)."""
    with ctx.transaction() as session:
        if unit_kind is None and user.unit_id is not None:
            found = session.get(Unit, user.unit_id)
            unit_kind = found.kind if found is not None else None
        elsewhere = handoff_rows.receives_elsewhere(session, user.unit_id, user.kommune_id)
    actor = Actor.user(user.id or 0, user.username, user.role, user.kommune_id, kommune, user.unit_id, unit_kind,
                       elsewhere)
    return Context(ctx.engine, FixedClock(day), actor)


def _counts(own: Context, user: User, day: date) -> dict[str, int]:
    try:
        listed = worklist_counts(own)
        actions = listed["deadlines"] + listed["flags"] + listed["gaps"]  # the tasks on their own line
    except access.Forbidden:  # an administrator has no worklist
        actions = 0
    with own.transaction() as session:
        tasks = _open_tasks(session, own.actor)
        gaps = _new_gaps(session, own.actor, _since(user.digest, day)) if own.actor.reads_cases else 0
    return {"actions": actions, "handoffs": pending_handoffs(own), "gaps": gaps, "tasks": tasks}


def _render(user: User, day: date, counts: dict[str, int]) -> Digest:
    base = base_url()
    links = {"actions": f"{base}/i-dag", "handoffs": f"{base}/overforinger", "gaps": f"{base}/flagg?flagg=inntektsgap",
             "tasks": f"{base}/i-dag", "settings": f"{base}/innstillinger"}
    lines = [localise(Text("digest_greeting", day=day)), ""]
    for key, code in (("actions", "digest_actions"), ("handoffs", "digest_handoffs"), ("gaps", "digest_gaps"),
                      ("tasks", "digest_tasks")):
        lines.append(f"{_plural(code, counts[key])}: {links[key]}")
    lines += ["", localise(Text("digest_sign_in")), localise(Text("digest_settings", url=links["settings"]))]
    subject = localise(Text("digest_subject", day=day, n=counts["actions"] + counts["handoffs"] + counts["tasks"]))
    return Digest(user.id or 0, user.username, user.kommune_id, user.email, day, counts, subject, lines, links)


def _open_tasks(session: Session, actor: Actor) -> int:
    """The open tasks given to the actor or their unit."""
    conditions = access.assigned_tasks(actor)
    return session.exec(select(func.count()).select_from(Task).where(*conditions, col(Task.done_at).is_(None))).one()


def _new_gaps(session: Session, actor: Actor, since: date) -> int:
    """The income-gap flags in the actor's scope raised since ``since`` and still open."""
    return session.exec(select(func.count()).select_from(Flag).where(
        *access.flags(actor), *_new_gap(since))).one()


def _new_gap(since: date) -> list[Any]:
    return [col(Flag.kind) == "inntektsgap", col(Flag.state) == "open",
            col(Flag.created_at) >= datetime.combine(since, time(), tzinfo=OSLO)]


@dataclass
class _Kommune:
    """A kommune's counts read once for all its users: per veileder (their own cases), per user and unit
    (open tasks), and per caseworker the new gaps of a daily and of a weekly summary."""

    actions: dict[str, int]
    tasks_by_user: dict[int, int]
    tasks_by_unit: dict[int, int]
    gaps: dict[str, dict[str, int]]  # choice → caseworker → new gap flags
    covering: set[int]  # the users covering for a colleague on the day: counted one at a time

    @classmethod
    def read(cls, session: Session, kommune_id: int, day: date) -> _Kommune:
        open_tasks = [col(Task.kommune_id) == kommune_id, col(Task.done_at).is_(None)]
        by_user = dict(session.exec(select(Task.assignee_user_id, func.count()).where(
            *open_tasks, col(Task.assignee_user_id).is_not(None)).group_by(col(Task.assignee_user_id))).all())
        by_unit = dict(session.exec(select(Task.assignee_unit_id, func.count()).where(
            *open_tasks, col(Task.assignee_unit_id).is_not(None)).group_by(col(Task.assignee_unit_id))).all())
        gaps = {choice: dict(session.exec(
            select(Enrolment.caseworker, func.count()).select_from(Flag)
            .join(Enrolment, col(Enrolment.id) == col(Flag.enrolment_id))
            .where(col(Flag.kommune_id) == kommune_id, *_new_gap(_since(choice, day)))
            .group_by(col(Enrolment.caseworker))).all()) for choice in ("daily", "weekly")}
        covering = set(session.exec(select(Cover.covering_user_id).where(
            Cover.kommune_id == kommune_id, col(Cover.until) >= day, col(Cover.ended_at).is_(None))).all())
        return cls(caseworker_counts(session, kommune_id, day), by_user, by_unit, gaps, covering)

    def counts(self, user: User) -> dict[str, int]:
        tasks = self.tasks_by_user.get(user.id or 0, 0) + self.tasks_by_unit.get(user.unit_id or 0, 0)
        return {"actions": self.actions.get(user.username, 0), "handoffs": 0,
                "gaps": self.gaps[user.digest].get(user.username, 0), "tasks": tasks}


def digests(ctx: Context, day: date, *, only_unsent: bool = False) -> Iterator[Digest]:
    """The summaries due on ``day`` (the active users whose choice is due then), by kommune and username;
    with ``only_unsent`` those not sent yet (never tried, or failed). A veileder's counts come from their
    kommune's, read once (:class:`_Kommune`); a leder's, an administrator's and a vikar's one at a time."""
    access.administering(ctx.actor)
    with ctx.transaction() as session:
        sent = set(session.exec(select(DigestSent.user_id).where(
            DigestSent.day == day, DigestSent.outcome == "sent", *access.kommune(ctx.actor, DigestSent.kommune_id)))
                   ) if only_unsent else set()
        rows = session.exec(select(User, Kommune.name).join(Kommune, col(Kommune.id) == col(User.kommune_id))
                            .where(col(User.active), col(User.digest).in_(("daily", "weekly")),
                                   *access.kommune(ctx.actor, User.kommune_id))
                            .order_by(col(User.kommune_id), col(User.username))).all()
        kinds = dict(session.exec(select(Unit.id, Unit.kind).where(*access.kommune(ctx.actor, Unit.kommune_id))).all())
    due = [(user, kommune) for user, kommune in rows if due_on(user.digest, day) and user.id not in sent]
    read: dict[int, _Kommune] = {}
    for user, kommune in due:
        kind = kinds.get(user.unit_id or 0)
        if user.role != "veileder" or kind not in (None, REFUGEE_SERVICE):  # NAV, a school …: their own scope
            yield build(ctx, user, kommune, day, kind)
            continue
        if user.kommune_id not in read:
            with Context(ctx.engine, FixedClock(day), ctx.actor).transaction() as session:
                read[user.kommune_id] = _Kommune.read(session, user.kommune_id, day)
        if user.id in read[user.kommune_id].covering:
            yield build(ctx, user, kommune, day, kind)
            continue
        counts = read[user.kommune_id].counts(user)
        counts["handoffs"] = pending_handoffs(_own(ctx, user, kommune, day, kind))
        yield _render(user, day, counts)


# -- sending ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mailer:
    """Where the e-mail goes: the SMTP server of ``PATHWAYS_SMTP_URL`` and the sender."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    tls: bool
    sender: str

    @classmethod
    def from_env(cls) -> Mailer:
        url = os.environ.get("PATHWAYS_SMTP_URL", "")
        sender = os.environ.get("PATHWAYS_MAIL_FROM", "")
        return cls.parse(url, sender)

    @classmethod
    def parse(cls, url: str, sender: str) -> Mailer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ServiceError("smtp_url_invalid", "PATHWAYS_SMTP_URL")
        if "@" not in sender:
            raise ServiceError("mail_from_invalid", "PATHWAYS_MAIL_FROM")
        query = parse_qs(parts.query)
        return cls(parts.hostname, parts.port or (465 if parts.scheme == "smtps" else 25),
                   unquote(parts.username) if parts.username else None,
                   unquote(parts.password) if parts.password else None,
                   query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"), parts.scheme == "smtps", sender)

    def send(self, messages: list[EmailMessage], done: Callable[[EmailMessage, str | None], None]) -> None:
        """Send ``messages`` over one connection, calling ``done`` with each and its error (None: sent). A
        connection that fails fails the messages not sent yet."""
        left = list(messages)
        try:
            with self._connect() as smtp:
                while left:
                    message = left[0]
                    try:
                        smtp.send_message(message)
                        error = None
                    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                        error = _why(exc)
                    left.pop(0)
                    done(message, error)
        except (OSError, smtplib.SMTPException) as exc:
            for message in left:
                done(message, _why(exc))

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        smtp = (smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT, context=context) if self.tls
                else smtplib.SMTP(self.host, self.port, timeout=TIMEOUT))
        try:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp


def _why(exc: BaseException) -> str:
    """What went wrong, without personal data: the kind of error and the SMTP code (never the message
    text, which can repeat the address)."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({c for c, _ in exc.recipients.values()})
        code = codes[0] if codes else None
    return f"{type(exc).__name__}" + (f" {code}" if code else "")


def _email(digest: Digest, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = digest.to or ""
    message["Subject"] = digest.subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message["X-Pathways-Digest"] = f"{digest.user_id}:{digest.day.isoformat()}"
    message.set_content(digest.body)
    return message


def _post_webhook(url: str, digest: Digest) -> str | None:
    """POST the summary as JSON; the error without personal data, or None."""
    request = urllib.request.Request(url, data=json.dumps(digest.webhook_payload(), ensure_ascii=False).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            return None if 200 <= answer.status < 300 else f"webhook HTTP {answer.status}"
    except urllib.error.HTTPError as exc:
        return f"webhook HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        return f"webhook {type(exc).__name__}"


@dataclass
class SendReport:
    day: date
    sent: list[str] = field(default_factory=list)  # usernames
    failed: list[str] = field(default_factory=list)
    already: int = 0  # sent on an earlier run

    def as_json(self) -> dict[str, Any]:
        return {"date": self.day.isoformat(), "sent": self.sent, "failed": self.failed, "already_sent": self.already}


def send_digests(ctx: Context, day: date, mailer: Mailer | None = None, webhook: str | None = None) -> SendReport:
    """Send the summaries due on ``day`` that are not sent yet; record each outcome under its natural key
    (user, day). A summary is claimed before it is sent, so two runs at once do not both send it."""
    access.administering(ctx.actor)
    webhook = webhook if webhook is not None else os.environ.get("PATHWAYS_DIGEST_WEBHOOK_URL") or None
    report = SendReport(day)
    with ctx.transaction() as session:
        report.already = session.exec(select(func.count()).select_from(DigestSent).where(
            DigestSent.day == day, DigestSent.outcome == "sent", *access.kommune(ctx.actor, DigestSent.kommune_id))
        ).one()
    unsent = list(digests(ctx, day, only_unsent=True))
    if any(d.to for d in unsent):
        mailer = mailer or Mailer.from_env()  # unset: refused before anything is claimed
    todo = [d for d in unsent if _claim(ctx, d)]
    by_id = {d.user_id: d for d in todo}

    def done(digest: Digest, error: str | None) -> None:
        """The e-mail's outcome; once it is sent, the webhook's problem (if any) is noted, not retried."""
        problem = _post_webhook(webhook, digest) if error is None and webhook else None
        _note(ctx, digest, "sent" if error is None else "failed", error or problem)
        (report.sent if error is None else report.failed).append(digest.username)

    for digest in todo:
        if not digest.to:
            done(digest, localise(Text("digest_no_address")))
    messages = [_email(d, mailer.sender) for d in todo if d.to] if mailer else []
    if mailer and messages:
        mailer.send(messages, lambda message, error: done(by_id[int(str(message["X-Pathways-Digest"]).split(":")[0])],
                                                          error))
    report.sent.sort()
    report.failed.sort()
    return report


def _claim(ctx: Context, digest: Digest) -> bool:
    """Make the (user, day) row ``sending``, or turn a failed one (or one left ``sending`` by a run that
    died more than :data:`STALE` ago) into it, in one statement each: whoever claims it sends it, so two
    runs at once never both do. False when it is sent already or another run is sending it."""
    now = ctx.now()
    try:
        with ctx.transaction() as session:
            session.add(DigestSent(user_id=digest.user_id, kommune_id=digest.kommune_id, day=digest.day,
                                   outcome="sending", attempts=0, updated_at=now))
        return True
    except IntegrityError:
        pass  # tried before: claim it only if it failed (or its run died)
    with ctx.transaction() as session:
        claimed = session.execute(update(DigestSent).where(
            col(DigestSent.user_id) == digest.user_id, col(DigestSent.day) == digest.day,
            or_(col(DigestSent.outcome) == "failed",
                and_(col(DigestSent.outcome) == "sending", col(DigestSent.updated_at) < now - STALE)))
            .values(outcome="sending", updated_at=now))
        return bool(claimed.rowcount)


def _note(ctx: Context, digest: Digest, outcome: str, error: str | None) -> None:
    with ctx.transaction() as session:
        row = session.exec(select(DigestSent).where(DigestSent.user_id == digest.user_id,
                                                    DigestSent.day == digest.day)).one()
        row.outcome, row.error, row.attempts = outcome, (error or None) and str(error)[:300], row.attempts + 1
        row.updated_at = ctx.now()
        if outcome == "sent":
            row.sent_at = ctx.now()
        session.add(row)


# -- what administrators see --------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    username: str
    name: str
    digest: str
    day: date | None
    outcome: str | None  # sending | sent | failed | None (not tried)
    attempts: int
    error: str | None
    sent_at: datetime | None


def outcomes(ctx: Context, day: date) -> list[Outcome]:
    """Per user of the administrator's kommune who chose a summary: how ``day``'s went."""
    access.administering(ctx.actor)
    with ctx.transaction() as session:
        rows = session.exec(
            select(User.username, User.name, User.digest, DigestSent)
            .outerjoin(DigestSent, (col(DigestSent.user_id) == col(User.id)) & (col(DigestSent.day) == day))
            .where(col(User.digest) != "off", *access.kommune(ctx.actor, User.kommune_id))
            .order_by(col(User.username))).all()
    return [Outcome(u, n, d, s.day if s else None, s.outcome if s else None, s.attempts if s else 0,
                    s.error if s else None, s.sent_at if s else None) for u, n, d, s in rows]


