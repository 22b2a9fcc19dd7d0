"""Property tests: the pure engine returns a verdict for any header list and never raises."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corsprobe import replay
from corsprobe.engine import findings
from corsprobe.fetch import access, exposure, messages, preflight, safelist
from corsprobe.model import CorsFailure, Exchange, HttpResponse, RequestSpec
from corsprobe.render import text
from corsprobe.report.model import Report

NAMES = st.sampled_from([
    "Access-Control-Allow-Origin", "access-control-allow-origin", "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Expose-Headers",
    "Access-Control-Max-Age", "Vary", "Location", "Content-Type", "Set-Cookie", "X-Custom",
]) | st.text(alphabet="abcdefghijklmnopqrstuvwxyz-ABC", min_size=1, max_size=12)
VALUES = st.sampled_from([
    "*", "null", "true", "True", "", " ", "https://app.example.com", "https://app.example.com/",
    "GET, PUT", "PUT;", "*, authorization", "-1", "86400", "/next", "https://u:p@x.example/",
    "ftp://x/", "data:,x", "javascript:x", ",,", "a b", "\u00e9\u00e8", "\x7f",
]) | st.text(max_size=40)
HEADERS = st.lists(st.tuples(NAMES, VALUES), max_size=8).map(tuple)
STATUS = st.sampled_from([200, 204, 301, 302, 303, 307, 308, 400, 401, 404, 500, 599, 101])


@given(HEADERS, st.booleans())
def test_cors_check_total(headers, credentials):
    failure = access.cors_check(headers, "https://app.example.com", credentials)
    assert failure is None or failure.error


PREFLIGHT_ERRORS = {
    *access.PREFLIGHT_NAMES.values(), "PreflightDisallowedRedirect", "PreflightInvalidStatus",
    "InvalidAllowMethodsPreflightResponse", "InvalidAllowHeadersPreflightResponse",
    "MethodDisallowedByPreflightResponse", "HeaderDisallowedByPreflightResponse",
}


_ALLOWS = (("Access-Control-Allow-Origin", "https://app.example.com"),
           ("Access-Control-Allow-Credentials", "true"))


@given(STATUS, HEADERS, st.sampled_from(["PUT", "patch", "GET", "X"]), st.booleans())
@example(204, (*_ALLOWS, ("Access-Control-Allow-Methods", "PUT"),
               ("Access-Control-Allow-Headers", "X-A, Content-Type")), "PUT", True)  # passes
@example(204, (*_ALLOWS, ("Access-Control-Allow-Methods", "PUT")), "PUT", False)  # a header
@example(204, _ALLOWS, "patch", False)  # the method
@example(307, (*_ALLOWS, ("Location", "/next")), "PUT", False)  # a redirect
@example(401, _ALLOWS, "PUT", False)  # the status
def test_preflight_check_total(status, headers, method, credentials):
    origin, unsafe = "https://app.example.com", ["x-a", "content-type"]
    response = HttpResponse(status, "", headers)
    verdict = preflight.check(response, method, unsafe, origin, credentials)
    # a verdict, and always the same one
    assert verdict is None or isinstance(verdict, CorsFailure)
    assert verdict == preflight.check(response, method, list(unsafe), origin, credentials)
    if verdict is None:
        # the actual request may go: an ok status and an Allow-Origin that passes
        assert 200 <= status <= 299
        assert access.cors_check(headers, origin, credentials) is None
        return
    # a preflight-stage Network.CorsError name that has Chromium's console text
    assert verdict.error in PREFLIGHT_ERRORS and verdict.error in messages.REASONS
    assert messages.reason_text(verdict)
    # Chromium's order: a redirect first, then Allow-Origin/-Credentials, then the status
    if preflight.is_redirect(response):
        assert verdict.error == "PreflightDisallowedRedirect"
    elif (cors := access.cors_check(headers, origin, credentials)) is not None:
        assert verdict == access.as_preflight(cors)
    elif not 200 <= status <= 299:
        assert verdict.error == "PreflightInvalidStatus"
    if verdict.error == "MethodDisallowedByPreflightResponse":
        assert verdict.hint == method and method not in ("GET",)
    if verdict.error == "HeaderDisallowedByPreflightResponse":
        assert verdict.hint in unsafe


@given(HEADERS, st.booleans())
def test_exposure_total(headers, credentials):
    names = exposure.readable_headers(headers, credentials)
    assert list(names) == sorted(set(names)) and "set-cookie" not in names


@given(st.lists(st.tuples(NAMES, VALUES), max_size=6))
def test_safelist_total(headers):
    names, reasons = safelist.unsafe_header_names(tuple(headers))
    assert len(names) == len(reasons)


class Arbitrary:
    def __init__(self, responses):
        self.responses = list(responses)

    def send(self, request):
        status, headers = self.responses.pop(0) if self.responses else (200, ())
        return Exchange(request, HttpResponse(status, "", headers, b"body"))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(STATUS, HEADERS), min_size=1, max_size=5),
    st.sampled_from(["GET", "PUT", "patch", "POST"]),
    st.booleans(),
    st.lists(st.sampled_from([("X-A", "1"), ("Content-Type", "application/json"),
                              ("Content-Type", "text/plain"), ("Authorization", "Bearer abcdefgh"),
                              ("Accept", "text/html")]), max_size=3),
)
def test_whole_pipeline_always_reports(responses, method, credentials, headers):
    spec = RequestSpec(url="https://api.example.com/x", origin="https://app.example.com",
                       method=method, headers=tuple(headers), credentials=credentials,
                       send_actual=True, max_redirects=3)
    trace = replay.drive(replay.replay(spec), Arbitrary(responses).send)
    assert trace.allowed in (True, False) or trace.net_error is not None
    if trace.allowed is False and trace.net_error is None:
        assert trace.failure is not None and trace.blocked_at is not None
    report = Report(trace, tuple(findings(trace))).data
    json.dumps(report)
    text.render(report)
    assert "abcdefgh" not in json.dumps(report)


def test_a_page_host_is_looked_up_once_per_run():
    """Every check of a config names the same page origin: its address (Local Network
    Access) is looked up once, not once per check (an unresolvable placeholder name made a
    1000-check run wait on DNS 1000 times)."""
    from corsprobe import core
    from corsprobe.net import TransportOptions

    options = TransportOptions()
    core._address_of.cache_clear()
    for i in range(5):
        core.address_spaces(RequestSpec(url=f"http://127.0.0.1:9/users/{i}",
                                        origin="https://app.corsprobe.invalid"), options)
    info = core._address_of.cache_info()
    assert (info.misses, info.hits) == (1, 4), info


def test_checks_that_start_together_share_one_lookup_of_their_hosts(monkeypatch):
    """A run starts one check per slot at once: they all name the same page origin, and the
    first one's lookup (in a thread) is awaited by the others instead of each asking DNS."""
    import asyncio
    import dataclasses

    from corsprobe import core, runner
    from corsprobe.net import TransportOptions

    asked = []
    real = core.address_spaces

    def counted(spec, options):
        asked.append(spec.url)
        return real(spec, options)

    monkeypatch.setattr(core, "address_spaces", counted)

    @dataclasses.dataclass(frozen=True)
    class Item:
        spec: RequestSpec

    items = [Item(RequestSpec(url=f"http://127.0.0.1:9/users/{i}",
                              origin="https://app.corsprobe.invalid")) for i in range(20)]
    options = TransportOptions()

    async def together():
        memo: dict = {}
        first = await asyncio.gather(*(runner._address_spaces(it, options, memo) for it in items))
        later = await runner._address_spaces(items[0], options, memo)
        return first, later

    first, later = runner.run_coroutine(together())
    assert len(asked) == 1, asked
    assert {(c.spec.page_space, c.spec.target_space, notes) for c, notes in first} == {
        (later[0].spec.page_space, later[0].spec.target_space, later[1])}
    assert [c.spec.url for c, _ in first] == [it.spec.url for it in items]
