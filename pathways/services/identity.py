"""Sign-in through the kommune's identity provider (OpenID Connect): who the provider's user is here.

The provider says who signed in (the ID token's claims, checked by the web layer: signature, issuer,
audience, expiry, nonce). The mapping file (``PATHWAYS_OIDC_MAPPING``, YAML) says which of the provider's
groups (the ``groups`` claim, or ``roles``, as the file says) give which role in which kommune and unit.
Nothing here is provider-specific.

- A user with no mapped group gets no account, and an account they had is deactivated (its sessions end):
  removing someone from the group in the provider removes their access at their next sign-in.
- Several mapped groups: the highest role wins (administrator, leder, veileder); between equal roles the
  first in the file.
- The account is found by the provider's ``sub`` (stored as ``user.oidc_subject``), so a changed name or
  username at the provider is the same account. A local account with the same username, in the mapped
  kommune and not yet linked, is linked at the first sign-in (its cases stay its own); its password no
  longer signs in.
- Name, role, kommune and unit are updated at every sign-in; each change is in the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingType
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, delete, select

from pathways.definition.yamlpos import load_validated
from pathways.services.audit import record
from pathways.services.context import Actor, Context, ServiceError
from pathways.services.units import kommune_named, unit_for
from pathways.store.tables import User, UserSession

RANK = {"veileder": 1, "leder": 2, "administrator": 3}
NO_PASSWORD = "!oidc"  # not an argon2 hash: no password signs in to an account of the provider
_USERNAME_CHARS = re.compile(r"[^a-z0-9æøå._-]+")


class GroupRule(BaseModel):
    """One group (or role) of the provider: the role, kommune and unit it gives."""

    model_config = ConfigDict(extra="forbid")
    group: str = Field(min_length=1, max_length=300)  # as the provider sends it (Entra ID: the group's object id)
    role: Literal["veileder", "leder", "administrator"]
    kommune: str = Field(min_length=1, max_length=100)  # the kommune's name here
    unit: str | None = Field(default=None, max_length=200)  # a unit of the kommune; none: its refugee service


class ClaimMapping(BaseModel):
    """The mapping file."""

    model_config = ConfigDict(extra="forbid")
    claim: str = Field(default="groups", min_length=1, max_length=100)  # the claim that lists the groups
    username_claim: str = Field(default="preferred_username", min_length=1, max_length=100)
    name_claim: str = Field(default="name", min_length=1, max_length=100)
    groups: list[GroupRule] = Field(min_length=1)


class MappingFileError(ValueError):
    """The mapping file cannot be used; the message says what and where (``FILE:LINE:COL: …``). A start-up
    error for whoever runs the dashboard (in English, as the checks' configuration's), never a page's."""


def load_mapping(path: str | Path) -> ClaimMapping:
    try:
        mapping: ClaimMapping = load_validated(path, ClaimMapping, "the sign-in mapping")
    except ValueError as exc:
        raise MappingFileError(str(exc)) from None
    return mapping


@dataclass(frozen=True)
class Placement:
    """Where a provider's group puts a user here."""

    role: str
    kommune_id: int
    unit_id: int


def check_mapping(ctx: Context, mapping: ClaimMapping, source: str = "the sign-in mapping") -> None:
    """Every kommune and unit the file names exists (checked when the dashboard starts)."""
    problems = []
    with ctx.transaction() as session:
        for n, rule in enumerate(mapping.groups):
            try:
                _place(session, rule)
            except ServiceError as exc:
                problems.append(f"{source}: groups[{n}] ({rule.group}): {exc}")
    if problems:
        raise MappingFileError("\n".join(problems))


def _place(session: Session, rule: GroupRule) -> Placement:
    """The rule's kommune and unit by their names (no unit: the kommune's refugee service)."""
    kommune = kommune_named(session, Actor.system("identitetstjenesten"), rule.kommune)
    return Placement(rule.role, kommune.id or 0, unit_for(session, kommune.id or 0, rule.unit))


def groups_of(claims: MappingType[str, Any], mapping: ClaimMapping) -> list[str]:
    found = claims.get(mapping.claim)
    if isinstance(found, str):
        return [found]
    if isinstance(found, list):
        return [g for g in found if isinstance(g, str)]
    return []


def chosen_rule(claims: MappingType[str, Any], mapping: ClaimMapping) -> GroupRule | None:
    """The rule that places the user: the highest role among their mapped groups, the first in the file
    between equals; None when no group of theirs is mapped."""
    theirs = set(groups_of(claims, mapping))
    matching = [r for r in mapping.groups if r.group in theirs]
    return max(matching, key=lambda r: RANK[r.role], default=None)  # max keeps the first of equals


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    created: bool


class NoAccess(Exception):
    """The provider's user has no mapped group (or their username belongs to another account)."""

    def __init__(self, reason: str):
        self.reason = reason  # a stable code for the log and the page: unmapped | username_taken | no_subject
        super().__init__(reason)


def _username(claims: MappingType[str, Any], mapping: ClaimMapping) -> str:
    raw = claims.get(mapping.username_claim) or claims.get("email") or claims.get("sub") or ""
    name = _USERNAME_CHARS.sub("-", str(raw).strip().lower()).strip("-._")
    return name[:100] or "bruker"


def sign_in(ctx: Context, claims: MappingType[str, Any], mapping: ClaimMapping) -> SignedIn:
    """The account of a provider's user whose ID token the caller has verified: created at the first
    sign-in, updated at every one. :class:`NoAccess` when no group of theirs is mapped (an account they
    had is deactivated and its sessions end, in the same transaction)."""
    subject = str(claims.get("sub") or "")
    if not subject or len(subject) > 255:
        raise NoAccess("no_subject")
    rule = chosen_rule(claims, mapping)
    if rule is None:
        _remove_access(ctx, subject)  # committed before the refusal
        raise NoAccess("unmapped")
    with ctx.transaction() as session:
        user = session.exec(select(User).where(User.oidc_subject == subject)).first()
        place = _place(session, rule)
        name = str(claims.get(mapping.name_claim) or claims.get("name") or "").strip()[:200]
        created = False
        if user is None:
            username = _username(claims, mapping)
            same = session.exec(select(User).where(User.username == username)).first()
            if same is not None and (same.oidc_subject is not None or same.kommune_id != place.kommune_id):
                raise NoAccess("username_taken")
            if same is not None:  # a local account of the kommune: linked, its password no longer signs in
                user = same
                user.oidc_subject = subject
                user.password_hash = NO_PASSWORD
            else:
                user = User(username=username, name=name or username, role=place.role, kommune_id=place.kommune_id,
                            unit_id=place.unit_id, password_hash=NO_PASSWORD, must_change_password=False,
                            created_at=ctx.now(), oidc_subject=subject)
                session.add(user)
                session.flush()
                created = True
                record(session, ctx, "user.created", kommune_id=user.kommune_id, user_id=user.id,
                       detail=f"rolle {place.role}, fra identitetstjenesten")
        assert user.id is not None
        _update(session, ctx, user, place, name)
        return SignedIn(user.id, created)


def _remove_access(ctx: Context, subject: str) -> None:
    """The account of a provider's user who is no longer in a mapped group: deactivated, its sessions ended."""
    with ctx.transaction() as session:
        user = session.exec(select(User).where(User.oidc_subject == subject)).first()
        if user is not None and user.active:
            user.active = False
            session.execute(delete(UserSession).where(col(UserSession.user_id) == user.id))
            record(session, ctx, "user.deactivated", kommune_id=user.kommune_id, user_id=user.id,
                   detail="ingen gruppe i identitetstjenesten gir tilgang")


def _update(session: Session, ctx: Context, user: User, place: Placement, name: str) -> None:
    if not user.active:
        user.active = True
        record(session, ctx, "user.activated", kommune_id=place.kommune_id, user_id=user.id,
               detail="fra identitetstjenesten")
    if user.role != place.role:
        record(session, ctx, "user.role", kommune_id=place.kommune_id, user_id=user.id,
               detail=f"{user.role} → {place.role}, fra identitetstjenesten")
        user.role = place.role
    if user.kommune_id != place.kommune_id or user.unit_id != place.unit_id:
        record(session, ctx, "user.unit", kommune_id=place.kommune_id, user_id=user.id,
               detail="fra identitetstjenesten")
        user.kommune_id, user.unit_id = place.kommune_id, place.unit_id
    if name and user.name != name:
        user.name = name
    user.must_change_password = False
