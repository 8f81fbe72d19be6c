"""The read-access log (tilgangslogg) for a leder or an administrator: who read a participant's data, and
what a user read (:mod:`pathways.services.readlog`). The pages read the log; none changes it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pathways.services.access import Forbidden
from pathways.services.context import NotFound
from pathways.services.readlog import reads_by_user, reads_of_participant
from ui.pages.common import SignedIn, int_field
from ui.rendering import PageError, context, error_text, render

router = APIRouter(include_in_schema=False)


@router.get("/tilgangslogg")
def read_log(request: Request, account: SignedIn, deltaker: str = "", bruker: str = "") -> Response:
    """By participant number (``deltaker``) or by username (``bruker``); both forms on one page."""
    if account.role not in ("leder", "administrator") or account.unit_scoped:
        raise PageError(403, "Bare leder og administrator kan se tilgangsloggen.")
    errors: dict[str, str] = {}
    reads, subject = None, ""
    ctx = context(request, account)
    if deltaker:
        pid = int_field(deltaker, "deltaker", errors, low=1)
        if pid is not None:
            try:
                reads, subject = reads_of_participant(ctx, pid), f"deltaker {pid}"
            except (NotFound, Forbidden) as exc:
                errors["deltaker"] = error_text(exc)
    elif bruker:
        try:
            reads, subject = reads_by_user(ctx, bruker[:100]), f"bruker {bruker.strip()[:100]}"
        except (NotFound, Forbidden) as exc:
            errors["bruker"] = error_text(exc)
    return render(request, "readlog.html", {"deltaker": deltaker, "bruker": bruker[:100], "reads": reads,
                                            "subject": subject, "errors": errors}, status=422 if errors else 200)
