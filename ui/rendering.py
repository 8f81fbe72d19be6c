"""What every page shares, importing no router: :func:`render` (a template with the signed-in user, the
CSRF token and the flag counts), :func:`context` (the services acting as the user), the errors a page
raises (:class:`PageError`, :class:`SignInRequired`), the date filter and the cached pathway diagram."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from pathways.services.access import Forbidden
from pathways.services.accounts import Account
from pathways.services.context import Actor, Context, NotFound, ServiceError
from pathways.services.dashboard import flag_counts
from ui.messages import norsk


class SignInRequired(Exception):
    """Not signed in (or must change the one-time password first): go to ``to``."""

    def __init__(self, to: str | None = None):
        super().__init__(to)
        self.to = to


class PageError(Exception):
    """Shown as an error page with a status code (403, 404)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def context(request: Request, account: Account | None = None) -> Context:
    """The services' context acting as ``account``; without one, as nobody (no participant or case is seen)."""
    actor = account.actor if account is not None else Actor.anonymous("web")
    return Context(request.app.state.engine, request.app.state.clock, actor=actor)


def render(request: Request, template: str, data: dict[str, Any], status: int = 200,
           account: Account | None = None) -> HTMLResponse:
    state = request.app.state
    token = state.csrf.token_for(request)
    account = account or getattr(request.state, "account", None)
    counts: dict[str, int] = {}
    if account is not None and account.reads_cases:
        counts = flag_counts(context(request, account))
    flash = {"melding": request.session.pop("melding", None), "feil": request.session.pop("feil", None)}
    response = state.templates.TemplateResponse(request, template, {
        "account": account, "csrf_token": token, "flag_counts": counts, "today": state.clock.today(),
        "flash": flash, **data},
        status_code=status)
    response.headers["Cache-Control"] = "no-store"  # pages carry personal data
    return response


def forbidden(exc: Forbidden) -> PageError:
    """The error page of a role the services refused, in a sentence."""
    text = norsk(str(exc))
    return PageError(403, text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))


def error_text(exc: ServiceError) -> str:
    return norsk(str(exc))


def not_found(exc: NotFound) -> PageError:
    return PageError(404, norsk(str(exc)))


_DEFINITIONS: dict[str, Any] = {}


def diagram_svg(definition: Any, content_hash: str, highlight: tuple[str, ...] = (),
                counts: tuple[tuple[str, int], ...] = ()) -> bytes:
    """A pathway diagram, cached by content: graphviz takes tens of milliseconds, the case page must not."""
    _DEFINITIONS.setdefault(content_hash, definition)
    return _cached_svg(content_hash, highlight, counts)


@lru_cache(maxsize=1024)
def _cached_svg(content_hash: str, highlight: tuple[str, ...], counts: tuple[tuple[str, int], ...]) -> bytes:
    from pathways.definition.render import render as draw
    return draw(_DEFINITIONS[content_hash], "svg", highlight, dict(counts) if counts else None)
