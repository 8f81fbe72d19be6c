"""What every page shares, importing no router: :func:`render` (a template with the signed-in user, the
CSRF token and the flag counts), :func:`context` (the services acting as the user), the errors a page
raises (:class:`PageError`, :class:`SignInRequired`), the date filter and the cached pathway diagram."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape

from pathways.home import var_dir
from pathways.services.access import Forbidden
from pathways.services.accounts import Account
from pathways.services.context import Actor, Context, NotFound, Reads, ServiceError
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


def kroner(value: Any) -> str:
    """An amount the Norwegian way: 15 012 kr, 1 234,50 kr (a number, a Decimal or numeric text)."""
    if value is None or value == "":
        return "–"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    whole, _, cents = f"{abs(amount):,.2f}".partition(".")
    text = whole.replace(",", "\u00a0") + ("" if cents == "00" else "," + cents)
    return ("−" if amount < 0 else "") + text + "\u00a0kr"


def context(request: Request, account: Account | None = None) -> Context:
    """The services' context acting as ``account``; without one, as nobody (no participant or case is seen)."""
    actor = account.actor if account is not None else Actor.anonymous("web")
    return Context(request.app.state.engine, request.app.state.clock, actor=actor,
                   reads=getattr(request.state, "reads", None), channel="side")


Page = TypeVar("Page", bound=Callable[..., Any])


def one_read(page: Page) -> Page:
    """A page that only reads: every service call it makes (and the header's counts) shares one session
    and transaction (:class:`~pathways.services.context.Reads`), closed when the page is made. FastAPI calls
    a page with keyword arguments, ``request`` among them."""

    @functools.wraps(page)
    def reading(*args: Any, **kwargs: Any) -> Any:
        request: Request = kwargs["request"]
        reads = request.state.reads = Reads(request.app.state.engine)
        failed = True
        try:
            response = page(*args, **kwargs)
            failed = False
            return response
        finally:
            del request.state.reads
            reads.close(failed)

    return reading  # type: ignore[return-value]


class HeaderCounts(Mapping[str, int]):
    """The header's open flags by severity, counted when a template first reads them: a partial answer
    (an htmx section, a caseload table) has no header and costs no count."""

    def __init__(self, ctx: Context):
        self._ctx = ctx
        self._found: dict[str, int] | None = None

    def _counts(self) -> dict[str, int]:
        if self._found is None:
            self._found = flag_counts(self._ctx)
        return self._found

    def __getitem__(self, key: str) -> int:
        return self._counts()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counts())

    def __len__(self) -> int:
        return len(self._counts())


def render(request: Request, template: str, data: dict[str, Any], status: int = 200,
           account: Account | None = None) -> HTMLResponse:
    state = request.app.state
    token = state.csrf.token_for(request)
    account = account or getattr(request.state, "account", None)
    counts: Mapping[str, int] = {}
    if account is not None and account.reads_cases:
        counts = HeaderCounts(context(request, account))
    flash = {"melding": request.session.pop("melding", None), "feil": request.session.pop("feil", None)}
    response = state.templates.TemplateResponse(request, template, {
        "account": account, "csrf_token": token, "flag_counts": counts, "today": state.clock.today(),
        "flash": flash, **data},
        status_code=status)
    response.headers["Cache-Control"] = "no-store"  # pages carry personal data
    return response


def forbidden(exc: Forbidden) -> PageError:
    """The error page of a role the services refused, in a sentence."""
    text = norsk(exc)
    return PageError(403, text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))


def error_text(exc: ServiceError) -> str:
    return norsk(exc)


def not_found(exc: NotFound) -> PageError:
    return PageError(404, norsk(exc))


_DEFINITIONS: dict[str, Any] = {}


def diagram_svg(definition: Any, content_hash: str, highlight: tuple[str, ...] = (),
                counts: tuple[tuple[str, int], ...] = ()) -> bytes:
    """A pathway diagram, cached by content: graphviz takes tens of milliseconds, the case page must not."""
    _DEFINITIONS.setdefault(content_hash, definition)
    return _cached_svg(content_hash, highlight, counts)


@lru_cache(maxsize=1024)
def _cached_svg(content_hash: str, highlight: tuple[str, ...], counts: tuple[tuple[str, int], ...]) -> bytes:
    """Drawn once per machine, not once per worker process and restart: graphviz is a process of its own
    (50–200 ms), and a kommune's cases stand in a hundred or more (version, steps) pairs, so the case
    page paid it for most of its first thousand views. The drawings are kept under ``var/diagrammer``,
    named by the definition, the steps, the counts and the drawing code (a new release draws afresh)."""
    from pathways.definition import render as drawing
    key = hashlib.sha256(repr((_DRAWING_CODE, content_hash, highlight, counts)).encode()).hexdigest()
    path = var_dir() / "diagrammer" / f"{key}.svg"
    with contextlib.suppress(OSError):
        return path.read_bytes()
    svg = drawing.render(_DEFINITIONS[content_hash], "svg", highlight, dict(counts) if counts else None)
    with contextlib.suppress(OSError):  # a read-only home only costs the drawing again
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(f".{os.getpid()}.part")
        part.write_bytes(svg)
        os.replace(part, path)  # whole or not at all, whichever process writes it first
    return svg


def _drawing_code() -> str:
    from pathways.definition import render as drawing
    return hashlib.sha256(Path(drawing.__file__).read_bytes()).hexdigest()[:16]


_DRAWING_CODE = _drawing_code()


_PROLOG = re.compile(r"^.*?(?=<svg\b)", re.S)  # the XML declaration, DOCTYPE and graphviz's comments
_SIZE = re.compile(r'<svg width="[^"]*" height="[^"]*"')
_NOISE = re.compile(r"<title>.*?</title>\n?|<!--.*?-->\n?", re.S)  # tooltips with step ids, edge names


def diagram_inline(definition: Any, content_hash: str, label: str, highlight: tuple[str, ...] = (),
                   counts: tuple[tuple[str, int], ...] = ()) -> Markup:
    """The diagram as SVG to put inside a page (``diagram.html``'s zoomable view): no prolog, no fixed
    size (the page's CSS sizes it), no tooltips, and ``label`` as its accessible name. Cached like
    :func:`diagram_svg`; only the label is added per call."""
    _DEFINITIONS.setdefault(content_hash, definition)
    return _labelled(_cached_inline(content_hash, highlight, counts), label)


def inline_svg(svg: bytes, label: str) -> Markup:
    """Graphviz's SVG made ready for a page, as :func:`diagram_inline` (uncached)."""
    return _labelled(_stripped(svg), label)


def _labelled(svg: str, label: str) -> Markup:
    return Markup(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))


def _stripped(svg: bytes) -> str:
    text = _SIZE.sub('<svg class="diagram-svg"', _PROLOG.sub("", svg.decode(), count=1), count=1)
    return _NOISE.sub("", text)


@lru_cache(maxsize=1024)
def _cached_inline(content_hash: str, highlight: tuple[str, ...], counts: tuple[tuple[str, int], ...]) -> str:
    return _stripped(_cached_svg(content_hash, highlight, counts))
