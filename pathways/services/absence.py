"""Absence (fravær) per case and month, approved or not, and what it does to introduksjonsstønad: the
hours not approved reduce the benefit hour by hour (the rule and its arithmetic: :mod:`pathways.income.absence`).

A veileder who works the case records the month's hours of each kind (recording again replaces them;
0 removes them). Refused, with every problem by field and nothing written: a month outside the programme
(before the case started, after it ended, or not begun yet), hours that are not a number, negative, with
more than two decimals, or more than the month's programme hours together with the other kind's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pathways.income.absence import deduction, month_end, month_start, needs_decision, programme_days, programme_hours
from pathways.income.gaps import IncomePeriod
from pathways.income.stonad import monthly_amount, yearly_rate
from pathways.messages import Text
from pathways.services import access, readlog
from pathways.services.audit import record
from pathways.services.context import Conflict, Context, ServiceError
from pathways.services.grunnbelop import g_table_in
from pathways.store.tables import Absence, Enrolment, LivelihoodPeriod, Participant

MAX_NOTE = 300
BENEFIT = "introduksjonsstonad"


class AbsenceInvalid(ServiceError):
    """One or more inputs are wrong: ``problems`` maps ``month``, ``hours`` or ``note`` to what is wrong."""

    def __init__(self, problems: dict[str, Text]):
        self.problems = dict(problems)
        field, message = next(iter(self.problems.items()))
        super().__init__(message, field)


@dataclass(frozen=True)
class MonthAbsence:
    """One month's absence of a case and what it does to the benefit."""

    month: date  # its first day
    approved: Decimal  # hours
    not_approved: Decimal
    programme_hours: Decimal  # the month's programme hours inside the programme
    payment: Decimal | None  # the month's full introduksjonsstønad; None: no benefit in the month
    deducted: Decimal  # what the hours not approved take off
    decision: bool  # the deduction needs a formal decision (≥ half the payment and ≥ 1/12 G)
    notes: tuple[str, ...] = ()

    @property
    def estimate(self) -> Decimal | None:
        """The month's payment after the deduction, never below 0."""
        return None if self.payment is None else max(Decimal("0.00"), self.payment - self.deducted)

    def as_json(self) -> dict[str, Any]:
        return {"month": self.month.strftime("%Y-%m"), "approved_hours": float(self.approved),
                "not_approved_hours": float(self.not_approved), "programme_hours": float(self.programme_hours),
                "payment": None if self.payment is None else str(self.payment), "deducted": str(self.deducted),
                "estimate": None if self.estimate is None else str(self.estimate), "needs_decision": self.decision}


def month_text(month: date) -> str:
    return f"{month.month:02d}.{month.year}"


def hours_of(value: Decimal | int | float | str | None) -> Decimal:
    """Hours as typed (``7,5`` or ``7.5``) or sent (a number): at most two decimals, 0 or more; else
    AbsenceInvalid on ``hours``."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise AbsenceInvalid({"hours": Text("absence_hours_missing")})
    try:
        hours = Decimal(str(value).strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        raise AbsenceInvalid({"hours": Text("absence_hours_not_number", value=str(value)[:40])}) from None
    if not hours.is_finite():
        raise AbsenceInvalid({"hours": Text("absence_hours_not_number", value=str(value)[:40])})
    if hours < 0:
        raise AbsenceInvalid({"hours": Text("absence_hours_negative")})
    if hours != hours.quantize(Decimal("0.01")):
        raise AbsenceInvalid({"hours": Text("absence_hours_decimals")})
    return hours.quantize(Decimal("0.01"))


def set_absence(ctx: Context, case_id: int, month: date, hours: Decimal | int | float | str, *, approved: bool,
                note: str | None = None) -> MonthAbsence:
    """Record the hours of absence of one kind (approved or not) in ``month`` (any day of it) of a case the
    actor works; returns the month as it stands after. In the audit trail."""
    problems: dict[str, Text] = {}
    try:
        amount = hours_of(hours)
    except AbsenceInvalid as exc:
        problems.update(exc.problems)
        amount = Decimal(0)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        problems["note"] = Text("text_too_long", length=len(note), limit=MAX_NOTE)
    first = month_start(month)
    with ctx.transaction() as session:
        case = access.worked_case(session, ctx.actor, case_id)
        outside = _outside(case, first, ctx.today())
        if outside is not None:
            problems["month"] = outside
        rows = _rows(session, case_id, first)
        other = sum((Decimal(r.hours_x100) / 100 for r in rows if r.approved != approved), Decimal(0))
        limit = programme_hours(first, case.start_date, case.ended_on)
        if "hours" not in problems and "month" not in problems and amount + other > limit:
            problems["hours"] = Text("absence_hours_too_many", hours=_hours_text(amount), month=month_text(first),
                                     limit=_hours_text(limit), other=_hours_text(other))
        if problems:
            raise AbsenceInvalid(problems)
        row = next((r for r in rows if r.approved == approved), None)
        if amount == 0:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(Absence(enrolment_id=case_id, participant_id=case.participant_id, kommune_id=case.kommune_id,
                                month=first, approved=approved, hours_x100=int(amount * 100), note=note,
                                recorded_by=ctx.actor.name, recorded_at=ctx.now()))
        else:
            row.hours_x100, row.note, row.recorded_by, row.recorded_at = int(amount * 100), note, ctx.actor.name, \
                ctx.now()
        record(session, ctx, "absence.recorded", kommune_id=case.kommune_id, participant_id=case.participant_id,
               detail=f"{month_text(first)}, {'godkjent' if approved else 'ikke godkjent'}")
        try:
            session.flush()
        except IntegrityError:  # another request recorded the same month and kind meanwhile
            raise Conflict("absence_changed", "month", month=month_text(first)) from None
        found = months(session, case, only=first)
    return found[0] if found else MonthAbsence(first, Decimal(0), Decimal(0), limit, None, Decimal("0.00"), False)


def _outside(case: Enrolment, first: date, today: date) -> Text | None:
    if first > today:
        return Text("absence_month_future", month=month_text(first))
    if month_end(first) < case.start_date or (case.ended_on is not None and first > case.ended_on):
        return Text("absence_month_outside", month=month_text(first), start=case.start_date,
                    end=case.ended_on or "")
    if not programme_days(first, case.start_date, case.ended_on):
        return Text("absence_month_no_days", month=month_text(first))
    return None


def _hours_text(hours: Decimal) -> str:
    """7.50 → «7,5», 150.00 → «150»."""
    return format(hours.normalize(), "f").replace(".", ",")


def _benefit(session: Session, participant_id: int) -> list[IncomePeriod]:
    rows = session.exec(select(LivelihoodPeriod.start, LivelihoodPeriod.end).where(
        LivelihoodPeriod.participant_id == participant_id, LivelihoodPeriod.source == BENEFIT)).all()
    return [IncomePeriod(BENEFIT, start, end) for start, end in rows]


def _rows(session: Session, case_id: int, first: date | None = None) -> list[Absence]:
    query = select(Absence).where(Absence.enrolment_id == case_id)
    if first is not None:
        query = query.where(Absence.month == first)
    return list(session.exec(query.order_by(col(Absence.month), col(Absence.approved))))


def months(session: Session, case: Enrolment, periods: list[IncomePeriod] | None = None,
           only: date | None = None) -> list[MonthAbsence]:
    """The case's months with absence, newest first, each with the benefit's payment and deduction
    (``periods``: the participant's livelihood periods, when read already)."""
    rows = _rows(session, case.id or 0, only)
    if not rows:
        return []
    participant = session.get(Participant, case.participant_id)
    periods = _benefit(session, case.participant_id) if periods is None else periods
    g = g_table_in(session)
    benefit = [p for p in periods if p.source == BENEFIT]
    rules = {"birth_date": participant.birth_date, "legal_regime": participant.legal_regime,
             "lives_with_parents": participant.lives_with_parents, "g": g}

    def paid(day: date) -> bool:
        return any(p.start <= day and (p.end is None or day <= p.end) for p in benefit)

    def rate(day: date) -> Decimal:
        return yearly_rate(day, **rules) if paid(day) else Decimal(0)

    by_month: dict[date, list[Absence]] = {}
    for row in rows:
        by_month.setdefault(row.month, []).append(row)
    found = []
    for first, kinds in sorted(by_month.items(), reverse=True):
        hours = {r.approved: Decimal(r.hours_x100) / 100 for r in kinds}
        days = programme_days(first, case.start_date, case.ended_on)
        covered = [d for d in days if paid(d)]
        payment = monthly_amount(covered[0], **rules) if covered else None
        deducted = deduction(hours.get(False, Decimal(0)), days, rate) if days else Decimal("0.00")
        found.append(MonthAbsence(
            first, hours.get(True, Decimal(0)), hours.get(False, Decimal(0)), programme_hours(first, case.start_date,
                                                                                                 case.ended_on),
            payment, deducted, payment is not None and needs_decision(deducted, payment, g.g_on(first)),
            tuple(r.note for r in kinds if r.note)))
    return found


def case_absence(ctx: Context, case_id: int) -> list[MonthAbsence]:
    """The months with absence of a case the actor sees (as the case page and ``GET /api/saker/{id}/fravaer``)."""
    with ctx.transaction() as session:
        case = access.case(session, ctx.actor, case_id)
        readlog.note(ctx, case.participant_id, case.kommune_id, "fravaer")
        return months(session, case)
