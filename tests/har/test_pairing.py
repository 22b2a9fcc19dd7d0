"""Pairing rules on entry shapes the Playwright fixtures do not have: Chrome DevTools'
export records preflights as their own entries (``_resourceType: "preflight"``) and a
refused response with status 0 and ``_error``. These entries are HAND-MADE (no DevTools
export can be recorded headless here); they test the pairing code, not browser behaviour."""

from __future__ import annotations

from corsprobe.har.diagnose import diagnose
from corsprobe.har.recorded import collect

PAGE = "https://app.example.com"
API = "https://api.example.com/v1/items"


def entry(method, url, status, req=(), resp=(), rtype="fetch", redirect="", error=None):
    response = {"status": status, "statusText": "", "headers": [
        {"name": k, "value": v} for k, v in resp], "redirectURL": redirect,
        "content": {"size": 0, "mimeType": "x-unknown"}}
    if error:
        response["_error"] = error
    return {"pageref": "page_1", "startedDateTime": "2026-01-01T00:00:00Z", "time": 1,
            "_resourceType": rtype,
            "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1",
                        "headers": [{"name": k, "value": v} for k, v in req]},
            "response": response}


DOC = entry("GET", PAGE + "/", 200, rtype="document")
PREFLIGHT_REQ = (("Access-Control-Request-Method", "PUT"), ("Origin", PAGE))


def test_a_recorded_preflight_is_paired_and_checked():
    entries = [
        DOC,
        entry("OPTIONS", API, 204, PREFLIGHT_REQ, (("Access-Control-Allow-Origin", PAGE),),
              rtype="preflight"),
        entry("PUT", API, 0, (("Referer", PAGE + "/"),), error="net::ERR_FAILED"),
    ]
    got = collect(entries)
    assert got.skipped == {"not a CORS-mode request (navigation, image, script, ...)": 1}
    (request,) = got.requests
    assert request.preflights[0] is not None and request.preflights[0].method == "OPTIONS"
    d = diagnose(request)
    # the preflight's own headers are enough: PUT is not in Allow-Methods
    assert d.complete and d.verdict == "blocked"
    assert d.cause == "MethodDisallowedByPreflightResponse"
    assert d.agrees is True


def test_a_passing_preflight_then_a_refused_response_is_incomplete():
    entries = [
        DOC,
        entry("OPTIONS", API, 204, PREFLIGHT_REQ, (("Access-Control-Allow-Origin", PAGE),
                                                   ("Access-Control-Allow-Methods", "PUT")),
              rtype="preflight"),
        entry("PUT", API, 0, (("Referer", PAGE + "/"),), error="net::ERR_FAILED"),
    ]
    d = diagnose(collect(entries).requests[0])
    assert not d.complete and d.cause == "not recorded"
    assert len(d.trace.preflights) == 1  # checked and passed; the response is what is missing


def test_origin_from_the_page_and_from_the_option():
    bare = entry("GET", API, 200, (), (("Access-Control-Allow-Origin", "*"),))
    (request,) = collect([DOC, bare]).requests
    assert (request.origin, request.origin_from) == (PAGE, "page")
    no_page = dict(bare, pageref=None)
    assert collect([no_page]).requests == []
    (request,) = collect([no_page], fallback_origin=PAGE).requests
    assert request.origin_from == "--origin option"


def test_same_origin_and_navigations_are_skipped_but_a_cross_origin_redirect_is_kept():
    same = entry("GET", PAGE + "/api", 302, (("Origin", PAGE),), (("Location", API),),
                 redirect=API)
    hop = entry("GET", API, 200, (("Origin", "null"),), (("Access-Control-Allow-Origin", "*"),))
    plain = entry("GET", PAGE + "/other", 200, (("Origin", PAGE),))
    got = collect([DOC, same, hop, plain])
    assert got.skipped["same-origin"] == 1
    (request,) = got.requests
    assert [h.url for h in request.hops] == [PAGE + "/api", API]
    d = diagnose(request)
    assert d.verdict == "allowed" and d.trace.tainted is False  # same-origin first hop


def test_browser_headers_are_not_taken_for_the_pages_own():
    req = (("User-Agent", "x"), ("Accept", "*/*"), ("Accept-Language", "de"),
           ("Accept-Encoding", "gzip"), ("Sec-Fetch-Mode", "cors"), (":authority", "api"),
           ("Origin", PAGE), ("X-Custom", "1"), ("Cookie", "a=b"))
    (request,) = collect([DOC, entry("GET", API, 200, req)]).requests
    spec = request.spec()
    assert spec.headers == (("X-Custom", "1"),)
    assert spec.credentials is True and spec.cookies == (("Cookie", "a=b"),)


def test_a_refused_response_whose_headers_were_kept_is_diagnosed_from_them():
    refused = entry("GET", API, 200, (("Origin", PAGE),), (("Content-Type", "text/plain"),),
                    error="net::ERR_FAILED")
    (request,) = collect([DOC, refused]).requests
    d = diagnose(request)
    assert request.browser_outcome() == "blocked"
    assert d.complete and d.cause == "MissingAllowOriginHeader" and d.agrees is True
