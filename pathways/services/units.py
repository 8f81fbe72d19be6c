"""A kommune's organisational units (enheter) and who works in which: the foundation hand-offs between
the refugee service, NAV, adult education, schools and employers build on.

Every kommune has a ``flyktningtjeneste`` unit («Flyktningtjenesten») from the day it is created; a
user belongs to one unit of their own kommune. An administrator adds units to their own kommune (the
system actor to any); every user reads the units of their own kommune. Something of another kommune is
reported as not found, or refused by name when the actor named the kommune themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from pathways.definition.problems import did_you_mean
from pathways.messages import Text
from pathways.services import access
from pathways.services.audit import record
from pathways.services.context import Actor, Conflict, Context, NotFound, ServiceError, checked_text
from pathways.store.queries import units as unit_rows
from pathways.store.queries.units import DEFAULT_KIND, DEFAULT_NAME
from pathways.store.tables import Kommune, Unit, User

KINDS: dict[str, str] = {
    "flyktningtjeneste": "Flyktningtjenesten",
    "nav": "NAV",
    "voksenopplaering": "Voksenopplæring",
    "videregaende_skole": "Videregående skole",
    "arbeidsgiver": "Arbeidsgiver",
    "annen_kommune": "Annen kommune",
}
"""A unit's kind → its bokmål label."""

NAME_LIMIT = 100

__all__ = ["DEFAULT_KIND", "DEFAULT_NAME", "KINDS", "UnitLine", "add_unit", "list_units", "set_unit", "unit_for"]


@dataclass(frozen=True)
class UnitLine:
    """A unit as pages, the API and the CLI show it."""

    id: int
    kommune: str
    kind: str
    name: str

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kommune": self.kommune, "kind": self.kind, "kind_label": self.kind_label,
                "name": self.name}


def kommune_named(session: Session, actor: Actor, name: str | None) -> Kommune:
    """The kommune ``name`` (the actor's own when None); a user naming another kommune is refused, an unknown
    name is NotFound."""
    if name is None or not name.strip():
        if actor.kommune_id is None:
            raise ServiceError("kommune_required", "kommune")
        found = session.get(Kommune, actor.kommune_id)
    else:
        found = session.exec(select(Kommune).where(Kommune.name == name.strip())).first()
        if found is not None and not access.in_kommune(actor, found.id):
            raise access.Forbidden("not_your_kommune", "kommune", kommune=found.name, yours=actor.kommune)
    if found is None:
        raise NotFound("no_kommune", "kommune", kommune=(name or "").strip())
    return found


def _line(unit: Unit, kommune: str) -> UnitLine:
    return UnitLine(unit.id or 0, kommune, unit.kind, unit.name)


def _checked_name(name: str) -> str:
    name = " ".join(str(checked_text(name or "", "name")).split())
    if not name or len(name) > NAME_LIMIT:
        raise ServiceError("unit_name_required", "name", limit=NAME_LIMIT)
    return name


def _checked_kind(kind: str) -> str:
    kind = (kind or "").strip().lower()
    if kind not in KINDS:
        raise ServiceError("unknown_unit_kind", "kind", kind=kind,
                           hint=did_you_mean(kind, KINDS) or Text("unit_kinds_are", kinds=list(KINDS)))
    return kind


def add_unit(ctx: Context, *, kind: str, name: str, kommune: str | None = None) -> int:
    """Add a unit to ``kommune`` (an administrator's own when None); returns its id. Only an
    administrator of the kommune or the system actor adds units; a name is unique in its kommune
    (ignoring case)."""
    access.administering(ctx.actor)
    kind, name = _checked_kind(kind), _checked_name(name)
    with ctx.transaction() as session:
        place = kommune_named(session, ctx.actor, kommune)
        if unit_rows.named(session, place.id or 0, name) is not None:
            raise Conflict("unit_name_taken", "name", name=name, kommune=place.name)
        row = Unit(kommune_id=place.id or 0, kind=kind, name=name)
        session.add(row)
        session.flush()
        record(session, ctx, "unit.created", kommune_id=place.id, detail=f"enhet {row.id} ({kind})")
        return row.id or 0


def list_units(ctx: Context, kommune: str | None = None) -> list[UnitLine]:
    """The units of ``kommune`` (the actor's own when None; every kommune's for the system actor when
    None), by name. A signed-in user reads their own kommune's units only."""
    if ctx.actor.role is None:
        raise access.Forbidden("no_case_access", "role")
    with ctx.transaction() as session:
        if kommune is None and ctx.actor.is_system and ctx.actor.kommune_id is None:
            names = dict(session.exec(select(Kommune.id, Kommune.name)).all())
            return [_line(u, names.get(u.kommune_id, "?")) for u in unit_rows.units(session, [])]
        place = kommune_named(session, ctx.actor, kommune)
        return [_line(u, place.name) for u in unit_rows.units(session, [Unit.kommune_id == place.id])]


def unit_for(session: Session, kommune_id: int, name: str | None) -> int:
    """The id of the kommune's unit called ``name``, or of its refugee service when ``name`` is empty
    (made when missing); an unknown name is NotFound, naming the kommune's units."""
    if name is None or not name.strip():
        return unit_rows.default_unit(session, kommune_id)
    found = unit_rows.named(session, kommune_id, name)
    if found is None:
        known = [u.name for u in unit_rows.units(session, [Unit.kommune_id == kommune_id])]
        raise NotFound("no_unit_named", "unit", name=name.strip(),
                       hint=did_you_mean(name.strip(), known) or Text("units_are", units=known))
    return found.id or 0


def set_unit(ctx: Context, username: str, unit_id: int) -> None:
    """Move a user into another unit of their own kommune. An administrator acts in their own kommune
    (a user or unit of another is not found); the system actor anywhere, but never across kommuner."""
    access.administering(ctx.actor)
    with ctx.transaction() as session:
        user = session.exec(select(User).where(User.username == (username or "").strip().lower(),
                                               *access.kommune(ctx.actor, User.kommune_id))).first()
        if user is None:
            raise NotFound("no_user", "username", username=username)
        unit = session.exec(select(Unit).where(Unit.id == unit_id,
                                               *access.kommune(ctx.actor, Unit.kommune_id))).first()
        if unit is None:
            raise NotFound("no_unit", "unit", id=unit_id)
        if unit.kommune_id != user.kommune_id:
            raise ServiceError("unit_other_kommune", "unit", name=unit.name)
        if user.unit_id != unit.id:
            user.unit_id = unit.id
            record(session, ctx, "user.unit", kommune_id=user.kommune_id, user_id=user.id, detail=f"enhet {unit.id}")
