"""Property (issue 11): whatever JSON reaches an API body and whatever text reaches a form or a query —
huge and negative numbers, implausible dates, NUL characters, lone surrogates, nested lists — the
answer is never a 500, and a refused request (4xx) leaves every row of the database as it was."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pathways.services.context import ServiceError
from pathways.services.participants import FACT_FIELDS, import_csv
from tests.ui.conftest import Browser, csrf_of
from tests.ui.test_boundary import api_client, send, snapshot

FUZZ = settings(max_examples=30, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

TRICKY_TEXT = ["", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01",
               "2026-11-20", "2026-02-30", "-1", "0", "1e400", "9" * 400, str(2**31), str(2**63), "NaN", "ja", "B1",
               "velferd", "<b>x</b>", "a" * 600, "Amina Ali", "introduksjonsprogram", "vedtak_fattet", "fullfort"]
text = st.one_of(st.sampled_from(TRICKY_TEXT), st.text(max_size=30))


def segment(value: str) -> str:
    """Text as one URL path segment, as a browser would send it (percent-encoded, broken Unicode too)."""
    return quote(value, safe="", errors="surrogatepass")
numbers = st.one_of(st.integers(), st.integers(min_value=-2**70, max_value=2**70), st.just(10**400),
                    st.floats(allow_nan=True, allow_infinity=True))
scalars = st.one_of(st.none(), st.booleans(), numbers, text, st.dates().map(str))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)
ids = st.one_of(st.sampled_from([1, 2, 3]), st.integers(min_value=-2**70, max_value=2**70))

EVENTS = ["vedtak_fattet", "vedtak_avslag", "permisjon", "gjenoppta", "avbrudd", "overforing", "fullfort",
          "midlertidig_stans"]
EVENT_FIELDS = ["programstart_dato", "avslagsgrunn", "begrunnelse", "arsak", "x"]


def body(required: dict, optional: dict | None = None) -> st.SearchStrategy:
    """A body with the model's keys (so validation reaches the services) or any JSON value at all."""
    return st.one_of(st.fixed_dictionaries(required, optional=optional or {}), json_values)


def api_requests(world) -> st.SearchStrategy:
    case, flag = st.sampled_from([world.amina, world.yonas, world.olena]) | ids, ids
    fields = st.dictionaries(st.sampled_from([*FACT_FIELDS, "x"]), json_values, max_size=3)
    values = st.dictionaries(st.sampled_from(EVENT_FIELDS) | st.text(max_size=5), json_values, max_size=3)
    return st.one_of(
        st.tuples(st.just("POST"), st.just("/api/deltakere"), body(
            {"name": text | json_values, "born": text | json_values}, {"settled": text, "fields": fields})),
        st.tuples(st.just("POST"), case.map("/api/saker/{}/hendelser".format), body(
            {"event": st.sampled_from(EVENTS) | text, "on": text | json_values},
            {"values": values, "step": text, "case_version": numbers})),
        st.tuples(st.just("POST"), case.map("/api/saker/{}/notater".format), body({"text": text | json_values})),
        st.tuples(st.just("POST"), flag.map("/api/flagg/{}/utsett".format), body({"until": text | json_values})),
        st.tuples(st.just("POST"), flag.map("/api/flagg/{}/lukk".format), body({"comment": text | json_values})),
        st.tuples(st.just("POST"), flag.map("/api/flagg/{}/kvitter".format), st.none()),
        st.tuples(st.just("GET"), case.map("/api/saker/{}".format), st.none()),
        st.tuples(st.just("GET"), ids.map("/api/deltakere/{}".format), st.none()),
        st.tuples(st.just("GET"), st.builds(lambda q: "/api/saker?" + _query(q), st.dictionaries(
            st.sampled_from(["lop", "steg", "flagg", "frist_innen", "q", "status", "sort", "synkende", "side"]),
            text, max_size=3)), st.none()),
        st.tuples(st.just("GET"), st.builds(lambda q: "/api/flagg?" + _query(q), st.dictionaries(
            st.sampled_from(["tilstand", "type", "alvor", "side"]), text, max_size=3)), st.none()),
    )


def _query(params: dict[str, str]) -> str:
    return urlencode(params, errors="surrogatepass")


def test_no_api_body_gives_a_500_and_a_refusal_changes_nothing(app, world):
    client = api_client(app, world)

    @FUZZ
    @given(request=api_requests(world))
    def check(request):
        method, url, payload = request
        before = snapshot(world.ctx)
        response = send(client, method, url, payload)
        assert response.status_code < 500, (method, url, payload, response.text)
        if response.status_code >= 400:
            assert snapshot(world.ctx) == before, (method, url, payload, response.status_code)

    check()


def form_requests(world) -> st.SearchStrategy:
    case = st.sampled_from([world.amina, world.yonas]) | ids
    pid = st.sampled_from([world.amina_pid, world.fatima_pid]) | ids
    participant = {k: text for k in ("name", "born", "settled", "version", *FACT_FIELDS)}

    def form(*names: str, **fixed: st.SearchStrategy) -> st.SearchStrategy:
        return st.fixed_dictionaries(fixed, optional={n: text for n in names})

    return st.one_of(
        st.tuples(st.just("kari"), case.map("/saker/{}/hendelse".format), form(
            "on", "case_version", "step", *("f_" + f for f in EVENT_FIELDS), event=st.sampled_from(EVENTS) | text)),
        st.tuples(st.just("kari"), case.map("/saker/{}/notat".format), form("text")),
        st.tuples(st.just("kari"), st.builds("/flagg/{}/{}".format, ids, st.sampled_from(["kvitter", "utsett", "lukk"])
                                             | text.map(segment)), form("until", "comment", "back", "name")),
        st.tuples(st.just("kari"), st.just("/deltakere/ny"), st.fixed_dictionaries({}, optional=participant)),
        st.tuples(st.just("kari"), pid.map("/deltakere/{}".format), st.fixed_dictionaries({}, optional=participant)),
        st.tuples(st.just("kari"), pid.map("/deltakere/{}/innmelding".format), form("pathway", "start")),
        st.tuples(st.just("kari"), st.just("/passord"), form("current", "password", "repeat")),
        st.tuples(st.just(None), st.just("/logg-inn"), form("username", "password", "next")),
        st.tuples(st.just("anne"), st.just("/admin/brukere"), form("username", "name", "role")),
        st.tuples(st.just("anne"), st.sampled_from(["introduksjonsprogram", "x%00", "x%ED%A0%80"]).map(
            "/admin/lop/{}/utkast".format), form("document", "base", "note")),
        st.tuples(st.just("anne"), st.just("/admin/lop/introduksjonsprogram/sjekk"), form("document")),
    )


def test_no_form_gives_a_500_and_a_refusal_changes_nothing(app, world):
    clients = {name: Browser(app, name) for name in ("kari", "anne", None)}
    for signed_in in clients.values():
        signed_in.client = TestClient(app, follow_redirects=False, raise_server_exceptions=False,
                                      cookies=signed_in.client.cookies)
    token = csrf_of(clients["kari"].get("/logg-inn").text)

    @FUZZ
    @given(request=form_requests(world))
    def check(request):
        who, url, fields = request
        client = clients[who].client
        before = snapshot(world.ctx)
        content = _query({**fields, "csrf_token": token}).encode()
        response = client.post(url, content=content, headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status_code < 500, (who, url, fields, response.text)
        if response.status_code >= 400:
            assert snapshot(world.ctx) == before, (who, url, fields, response.status_code)

    check()


@pytest.mark.parametrize("page", ["/saker", "/flagg", "/deltakere"])
def test_no_query_on_a_list_page_gives_a_500(app, world, page):
    kari = Browser(app, "kari")
    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False, cookies=kari.client.cookies)

    @settings(FUZZ, max_examples=15)
    @given(st.dictionaries(st.sampled_from(["lop", "steg", "flagg", "frist_innen", "q", "status", "sort",
                                            "synkende", "side", "tilstand", "type", "alvor"]), text, max_size=3))
    def check(params):
        response = client.get(page + "?" + _query(params))
        assert response.status_code < 500, (page, params, response.text)

    check()


def test_an_import_file_is_imported_or_refused_with_errors_never_a_crash(world):
    """What the import job runs: any CSV either imports or raises a ServiceError (shown with its rows);
    no other exception, and a refused file writes nothing."""
    cells = st.one_of(text, st.sampled_from(["Amina Ali", "1990-01-02", "Asker", "Bærum", "2", '"x\ny"', "a;b"]))

    @settings(FUZZ, max_examples=30)
    @given(st.lists(st.lists(cells, min_size=1, max_size=4), max_size=4),
           st.sampled_from(["name,born,settled,dependants", "name;born", "name,born,kommune", "x\x00", ""]))
    def check(rows, header):
        raw = "\n".join([header, *(",".join(r) for r in rows)]).encode("utf-8", "surrogatepass")
        before = snapshot(world.ctx)
        try:
            import_csv(world.ctx, raw, only_kommune="Asker")
        except ServiceError:
            assert snapshot(world.ctx) == before, (header, rows)

    check()
