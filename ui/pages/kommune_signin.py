"""Sign-in through the kommune's identity provider (:mod:`ui.oidc`): the start, the provider's answer, and
the page for a user the provider knows but this kommune has given no access."""

from __future__ import annotations

import logging
from typing import Any

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from httpx2 import HTTPError
from joserfc.errors import JoseError
from starlette.concurrency import run_in_threadpool

from pathways.services.accounts import start_session
from pathways.services.context import Actor, Context
from pathways.services.identity import NoAccess, sign_in
from ui.oidc import NAME
from ui.pages.common import safe_next
from ui.rendering import PageError, render

router = APIRouter(include_in_schema=False)
log = logging.getLogger("pathways.signin")

NEXT = "oidc_next"  # where the user was going, kept in the session across the provider's pages
TRY_AGAIN = " Gå til innloggingen og prøv igjen."


def _client(request: Request) -> Any:
    oauth = getattr(request.app.state, "oidc", None)
    if oauth is None:
        raise PageError(404, "Innlogging med kommunens konto er ikke satt opp her. Logg inn med brukernavn og passord.")
    return oauth.create_client(NAME)


@router.get("/logg-inn/kommune")
async def start(request: Request, neste: str = "/") -> Response:
    """To the provider's sign-in page, with a fresh state, nonce and PKCE verifier kept in the session."""
    client = _client(request)
    request.session[NEXT] = safe_next(neste)
    try:
        return await client.authorize_redirect(request, str(request.url_for("kommune_signin_answer")))
    except (HTTPError, OAuthError, ValueError) as exc:  # the provider's discovery document is out of reach
        log.warning("identity provider unreachable at sign-in: %s", type(exc).__name__)
        raise PageError(503, "Identitetstjenesten svarer ikke nå. Prøv igjen om litt, eller kontakt administrator.") \
            from None


@router.get("/logg-inn/kommune/svar", name="kommune_signin_answer")
async def answer(request: Request) -> Response:
    """The provider's answer: the code is exchanged (with the PKCE verifier), the ID token checked, the user
    placed by the mapping; then a session of our own. Every refusal leaves the user signed out."""
    client = _client(request)
    if request.query_params.get("error"):
        request.session.clear()
        raise PageError(401, "Innloggingen ble avbrutt hos identitetstjenesten." + TRY_AGAIN)
    try:
        token = await client.authorize_access_token(request)
    except MismatchingStateError:
        request.session.clear()
        raise PageError(400, "Svaret fra identitetstjenesten hører ikke til en innlogging som ble startet her, "
                        "eller innloggingen er for gammel." + TRY_AGAIN) from None
    except OAuthError as exc:  # the code was refused: used before, expired, or not ours
        request.session.clear()
        log.warning("identity provider refused the sign-in: %s", exc.error)
        raise PageError(400, "Identitetstjenesten godtok ikke innloggingen (koden er brukt eller utløpt)."
                        + TRY_AGAIN) from None
    except (JoseError, ValueError) as exc:  # the ID token: signature, issuer, audience, expiry or nonce
        request.session.clear()
        log.warning("ID token refused: %s", type(exc).__name__)
        raise PageError(401, "Identitetstjenesten sendte et ugyldig eller utløpt ID-token." + TRY_AGAIN) from None
    except HTTPError as exc:
        request.session.clear()
        log.warning("identity provider unreachable at the token exchange: %s", type(exc).__name__)
        raise PageError(503, "Identitetstjenesten svarer ikke nå. Prøv igjen om litt.") from None
    claims = token.get("userinfo")
    if not claims:
        request.session.clear()
        raise PageError(401, "Identitetstjenesten sendte ikke noe ID-token." + TRY_AGAIN)
    ctx = Context(request.app.state.engine, request.app.state.clock, actor=Actor.anonymous("identitetstjenesten"))
    try:
        found = await run_in_threadpool(sign_in, ctx, claims, request.app.state.settings.oidc.mapping)
    except NoAccess as exc:
        request.session.clear()
        log.info("sign-in refused by the mapping: %s", exc.reason)
        return render(request, "no_access.html", {"reason": exc.reason}, status=403, account=None)
    going = safe_next(str(request.session.get(NEXT, "/")))
    request.session.clear()  # a new session: nothing of the anonymous one carries over
    request.session["sid"] = await run_in_threadpool(start_session, ctx, found.user_id)
    request.session["oidc"] = True  # sign-out also ends the provider's session
    return RedirectResponse(going, status_code=303)


async def provider_sign_out(request: Request) -> Response | None:
    """After the local session has ended: to the provider's end-session endpoint (RP-initiated logout), back
    to our sign-in page; None when the provider offers none or cannot be reached."""
    oauth = getattr(request.app.state, "oidc", None)
    if oauth is None:
        return None
    client = oauth.create_client(NAME)
    try:
        result = await client.create_logout_url(post_logout_redirect_uri=str(request.url_for("login_page")),
                                                client_id=client.client_id)
    except (HTTPError, OAuthError, RuntimeError, ValueError) as exc:  # RuntimeError: no end_session_endpoint
        log.info("no sign-out at the identity provider: %s", type(exc).__name__)
        return None
    return RedirectResponse(result["url"], status_code=303)
