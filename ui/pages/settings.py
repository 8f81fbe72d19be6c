"""«Innstillinger»: a user's own settings (the summary by e-mail: off, daily or weekly, and the address),
and the administrators' page of how the summaries went («Oppsummeringer»: per user of their kommune,
sent or failed and why, without personal data)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from pathways.i18n import localise
from pathways.messages import Text
from pathways.services.context import ServiceError
from pathways.services.digest import CHOICES, my_choice, outcomes, set_choice
from ui.pages.common import Posted, SignedIn, admin
from ui.rendering import context, error_text, render

router = APIRouter(include_in_schema=False)


@router.get("/innstillinger")
def settings_page(request: Request, account: SignedIn) -> Response:
    choice = my_choice(context(request, account))
    return render(request, "settings.html", {"choices": CHOICES, "errors": {},
                                             "values": {"digest": choice.digest, "email": choice.email or ""}})


@router.post("/innstillinger")
def settings_save(request: Request, account: SignedIn, form: Posted) -> Response:
    values = {"digest": str(form.get("digest", "")), "email": str(form.get("email", ""))}
    try:
        set_choice(context(request, account), values["digest"], values["email"])
    except ServiceError as exc:
        errors = {exc.field if exc.field in values else "form": error_text(exc)}
        return render(request, "settings.html", {"choices": CHOICES, "errors": errors, "values": values}, status=422)
    request.session["melding"] = localise(Text("settings_saved"))
    return RedirectResponse("/innstillinger", status_code=303)


@router.get("/admin/oppsummering")
def digest_outcomes(request: Request, account: SignedIn) -> Response:
    admin(account)
    ctx = context(request, account)
    asked = request.query_params.get("dato", "")
    try:
        day = date.fromisoformat(asked) if asked else ctx.today()
    except ValueError:
        day = ctx.today()
    return render(request, "digest_outcomes.html", {"day": day, "rows": outcomes(ctx, day)})
