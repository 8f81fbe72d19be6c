"""What staff do with a flag: acknowledge it, snooze it until a date, resolve it with a comment.

The nightly checks keep these decisions: a flag staff resolved stays resolved, a snoozed one comes
back on its date if its condition still holds (see :mod:`pathways.checks.sweep`). Each decision is
written to the audit trail with who made it.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from pathways.services import access
from pathways.services.audit import record
from pathways.services.context import Context, ServiceError, checked_date, checked_text
from pathways.store.tables import Flag


def _flag(ctx: Context, session: Session, flag_id: int) -> Flag:
    """A flag the actor sees and may change (else Forbidden or NotFound), not yet resolved."""
    flag = access.flag(session, access.changer(ctx.actor), flag_id)
    if flag.state == "resolved":
        raise ServiceError("flag_resolved", "flag", id=flag_id, resolution=flag.resolution)
    return flag


def acknowledge(ctx: Context, flag_id: int) -> None:
    with ctx.transaction() as session:
        flag = _flag(ctx, session, flag_id)
        flag.state, flag.updated_at = "acknowledged", ctx.now()
        _audit(session, ctx, "flag.acknowledged", flag)


def latest_snooze(today: date) -> date:
    """The last day a flag may be snoozed to: one year ahead (a flag snoozed longer is a flag forgotten)."""
    return today + relativedelta(years=1)


def snooze(ctx: Context, flag_id: int, until: date) -> None:
    with ctx.transaction() as session:
        flag = _flag(ctx, session, flag_id)  # first: a flag out of scope is not found, whatever the input
        checked_date(until, "until")
        if until <= ctx.today():
            raise ServiceError("snooze_later", "until", today=ctx.today())
        if until > latest_snooze(ctx.today()):
            raise ServiceError("snooze_within_year", "until", latest=latest_snooze(ctx.today()))
        flag.state, flag.snoozed_until, flag.updated_at = "snoozed", until, ctx.now()
        _audit(session, ctx, "flag.snoozed", flag, f"til {until.isoformat()}")


def resolve(ctx: Context, flag_id: int, comment: str) -> None:
    with ctx.transaction() as session:
        flag = _flag(ctx, session, flag_id)  # first: a flag out of scope is not found, whatever the input
        comment = (comment or "").strip()
        if not comment:
            raise ServiceError("resolution_required", "comment")
        if len(comment) > 500:
            raise ServiceError("comment_too_long", "comment")
        checked_text(comment, "comment")
        now = ctx.now()
        flag.state, flag.resolution, flag.resolved_by, flag.resolved_at, flag.updated_at = (
            "resolved", comment, ctx.actor.name, now, now)
        _audit(session, ctx, "flag.resolved", flag)


def _audit(session: Session, ctx: Context, action: str, flag: Flag, detail: str = "") -> None:
    record(session, ctx, action, kommune_id=flag.kommune_id, participant_id=flag.participant_id, flag_id=flag.id,
           detail=f"{flag.kind}" + (f", {detail}" if detail else ""))
