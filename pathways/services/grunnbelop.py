"""The stored G table: seeded with the built-in amounts by ``init``, extended by administrators every
1 May, read by the benefit rules (:mod:`pathways.income.grunnbelop` holds the table and its rules)."""

from __future__ import annotations

from sqlmodel import Session, select

from pathways.income.grunnbelop import DEFAULT_G, GTable, stored_or_default
from pathways.services.context import Context
from pathways.store.tables import GAmount


def seed_g_table(ctx: Context) -> int:
    """Fill the G table with the known amounts when it is empty; returns how many rows were added.

    Administrators add the new amount every 1 May; the table is the source the benefit rules read.
    """
    with ctx.transaction() as session:
        if session.exec(select(GAmount)).first() is not None:
            return 0
        session.add_all(GAmount(effective_from=day, amount=amount) for day, amount in DEFAULT_G.entries)
        return len(DEFAULT_G.entries)


def g_table(ctx: Context) -> GTable:
    with ctx.transaction() as session:
        return g_table_in(session)


def g_table_in(session: Session) -> GTable:
    """The G table as stored (the built-in amounts until ``init`` has seeded it)."""
    return stored_or_default((row.effective_from, row.amount) for row in session.exec(_G_AMOUNTS).all())


_G_AMOUNTS = select(GAmount)  # made once: read on every case page
