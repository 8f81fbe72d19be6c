"""What staff do with a flag: acknowledge it, snooze it until a date, resolve it with a comment.

The nightly checks keep these decisions: a flag staff resolved stays resolved, a snoozed one comes
back on its date if its condition still holds (see :mod:`pathways.checks.sweep`). Each decision is
written to the audit trail with who made it.
"""

from __future__ import annotations

from datetime import date

from pathways.services.audit import record
from pathways.services.context import Context, NotFound, ServiceError, checked_date, checked_text
from pathways.store.tables import Flag


def _flag(session, flag_id: int) -> Flag:  # type: ignore[no-untyped-def]
    flag = session.get(Flag, flag_id)
    if flag is None:
        raise NotFound(f"no flag {flag_id}", "flag")
    if flag.state == "resolved":
        raise ServiceError(f"flag {flag_id} is already resolved ({flag.resolution})", "flag")
    return flag


def acknowledge(ctx: Context, flag_id: int) -> None:
    with ctx.transaction() as session:
        flag = _flag(session, flag_id)
        flag.state, flag.updated_at = "acknowledged", ctx.now()
        _audit(session, ctx, "flag.acknowledged", flag)


def snooze(ctx: Context, flag_id: int, until: date) -> None:
    checked_date(until, "until")
    if until <= ctx.today():
        raise ServiceError(f"snooze until a later date than today ({ctx.today()})", "until")
    with ctx.transaction() as session:
        flag = _flag(session, flag_id)
        flag.state, flag.snoozed_until, flag.updated_at = "snoozed", until, ctx.now()
        _audit(session, ctx, "flag.snoozed", flag, f"til {until.isoformat()}")


def resolve(ctx: Context, flag_id: int, comment: str) -> None:
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError("say how the flag was resolved", "comment")
    if len(comment) > 500:
        raise ServiceError("the comment is longer than 500 characters", "comment")
    checked_text(comment, "comment")
    with ctx.transaction() as session:
        flag = _flag(session, flag_id)
        now = ctx.now()
        flag.state, flag.resolution, flag.resolved_by, flag.resolved_at, flag.updated_at = (
            "resolved", comment, ctx.actor, now, now)
        _audit(session, ctx, "flag.resolved", flag)


def _audit(session, ctx: Context, action: str, flag: Flag, detail: str = "") -> None:  # type: ignore[no-untyped-def]
    record(session, ctx, action, kommune_id=flag.kommune_id, participant_id=flag.participant_id, flag_id=flag.id,
           detail=f"{flag.kind}" + (f", {detail}" if detail else ""))
