"""What every route accepts at the edge, for the pages and the API alike: ids in the store's range, text
without NUL characters or unpaired surrogates (no database stores them; no response can carry them),
and refusals that say what was wrong: 404 for a path that names nothing, 422 for bad input.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from pathways.bounds import MAX_ID, text_problem
from pathways.messages import from_pydantic
from ui.messages import norsk

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="id (1 til 2147483647)")]

PATH_WORDS = {"case_id": "sak", "flag_id": "flagg", "pid": "deltaker", "version_id": "versjon", "job_id": "jobb",
              "user_id": "bruker", "cover_id": "vikar",
              "period_id": "inntektsperiode"}
NOT_STORABLE = "inneholder et NUL-tegn eller et ugyldig Unicode-tegn"


def strings_in(value: Any) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value (keys too), with where it is (``values.arsak``); without recursion,
    so that no nesting depth can exhaust the stack."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, inner in item.items():
                place = f"{where}.{key}" if where else str(key)
                yield place, str(key)
                stack.append((place, inner))
        elif isinstance(item, list | tuple):
            stack.extend((f"{where}[{index}]", inner) for index, inner in enumerate(item))


def unstorable(value: Any) -> str | None:
    """Where the first text that cannot be stored is (itself made readable), or None."""
    return next((readable(where or "body") for where, text in strings_in(value) if text_problem(text)), None)


def readable(text: str) -> str:
    """``text`` made storable and encodable (a lone surrogate or NUL becomes U+FFFD), for an error reply."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").replace("\x00", "\ufffd")


def plain_request(request: Request) -> None:
    """An app-wide dependency: path and query parameters must be storable text."""
    params = {**request.path_params, **dict(request.query_params.multi_items())}
    where = unstorable(params)
    if where is not None:
        raise RequestValidationError([{"loc": ("path" if where in request.path_params else "query", where),
                                       "msg": f"verdien {NOT_STORABLE}", "type": "value_error"}])


def refusal(request: Request, exc: RequestValidationError, page: Any) -> Response:
    """A request FastAPI could not validate: 404 when a path parameter names nothing (``/saker/abc``,
    an id beyond the store's range), else 422 with each error's place and message (not the input:
    it may not be encodable, and it is the user's own data). ``page(status, message)`` renders a page."""
    errors = exc.errors()
    path = next((e for e in errors if e.get("loc", ())[:1] == ("path",)), None)
    if path is not None:
        name = str(path["loc"][-1])
        message = f"fant ingen {PATH_WORDS.get(name, name)} {readable(str(request.path_params.get(name, '')))}"
        return JSONResponse({"detail": message}, 404) if _api(request) else page(404, message)
    detail = [{"loc": [p if isinstance(p, int) else readable(str(p)) for p in e.get("loc", ())],
               "msg": readable(str(e.get("msg", ""))),
               "type": str(e.get("type", ""))} for e in errors]
    if _api(request):
        return JSONResponse({"detail": detail}, 422)
    return page(422, "; ".join(f"{'.'.join(map(str, d['loc'][1:])) or 'skjemaet'}: {_said(d, e)}"
                               for d, e in zip(detail, errors, strict=True)))


def _said(shown: dict[str, Any], error: Any) -> str:
    """One error in bokmål: pydantic's own by its type (the catalogue), else the message the bound gave."""
    text = from_pydantic(error)
    return str(shown["msg"]) if text.code == "not_valid" else norsk(text)


def _api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"
