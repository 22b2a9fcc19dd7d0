"""The per-kind model (corsprobe.fetch.kinds), as recorded from Chromium 156 (the "kinds"
group of tests/browser/scenarios.py), and its replay."""

from __future__ import annotations

import pytest

from corsprobe.errors import UsageError
from corsprobe.fetch.kinds import KindError, resolve
from corsprobe.fetch.messages import console_message
from corsprobe.model import CorsFailure, RequestSpec
from corsprobe.replay import check_kind, replay


@pytest.mark.parametrize(("kind", "crossorigin", "mode", "creds", "dest"), [
    ("img", None, "no-cors", "include", "image"),
    ("img", "anonymous", "cors", "same-origin", "image"),
    ("img", "use-credentials", "cors", "include", "image"),
    ("script", None, "no-cors", "include", "script"),
    ("stylesheet", "anonymous", "cors", "same-origin", "style"),
    ("module", None, "cors", "same-origin", "script"),
    ("module", "use-credentials", "cors", "include", "script"),
    ("font", None, "cors", "same-origin", "font"),
])
def test_element_kinds(kind, crossorigin, mode, creds, dest):
    k = resolve(kind, crossorigin=crossorigin)
    assert (k.mode, k.credentials_mode, k.dest) == (mode, creds, dest)


def test_accept_and_eventsource_headers():
    assert resolve("img").accept.startswith("image/jxl,image/avif")
    assert resolve("stylesheet").accept == "text/css,*/*;q=0.1"
    es = resolve("eventsource", credentials=True)
    assert (es.accept, es.extra_headers, es.credentials_mode) == (
        "text/event-stream", (("Cache-Control", "no-cache"),), "include")


def test_beacon_mode_follows_the_content_type():
    assert resolve("beacon", method="POST").mode == "no-cors"
    json_beacon = resolve("beacon", method="POST", headers=(("Content-Type", "application/json"),))
    assert (json_beacon.mode, json_beacon.credentials_mode) == ("cors", "include")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"kind": "img", "method": "POST"}, "method"),
    ({"kind": "font", "crossorigin": "anonymous"}, "crossorigin"),
    ({"kind": "xhr", "mode": "no-cors"}, "mode"),
    ({"kind": "beacon", "method": "GET"}, "method"),
    ({"kind": "nope"}, "kind"),
])
def test_what_a_page_cannot_ask_for(kwargs, field):
    with pytest.raises(KindError) as err:
        resolve(**kwargs)
    assert err.value.field == field


def test_credentials_flag_refused_where_the_kind_decides():
    with pytest.raises(UsageError):
        check_kind(RequestSpec("https://cdn.example.net/a.woff2", "https://app.example.com",
                               kind="font", credentials=True))


def test_console_words():
    f = CorsFailure("WildcardOriginNotAllowed")
    xhr = console_message(f, "https://a.example/x", "https://a.example/x", "https://b.example",
                          "XMLHttpRequest")
    assert xhr.startswith("Access to XMLHttpRequest at") and xhr.endswith(
        "controlled by the withCredentials attribute.")
    font = console_message(CorsFailure("MissingAllowOriginHeader"), "u", "u", "o", "font")
    assert font.startswith("Access to font at 'u' from origin 'o'")


def test_no_cors_put_is_refused_and_custom_headers_dropped():
    with pytest.raises(UsageError, match="no-cors"):
        next(replay(RequestSpec("https://api.example.com/x", "https://app.example.com",
                                method="PUT", mode="no-cors")))
    steps = replay(RequestSpec("https://api.example.com/x", "https://app.example.com",
                               headers=(("X-Custom", "1"),), mode="no-cors"))
    request = next(steps)
    names = {k.lower() for k, _ in request.headers}
    assert "x-custom" not in names and "origin" not in names
    assert ("Sec-Fetch-Mode", "no-cors") in request.headers


def test_same_origin_mode_sends_nothing():
    steps = replay(RequestSpec("https://api.example.com/x", "https://app.example.com",
                               mode="same-origin"))
    with pytest.raises(StopIteration) as done:
        next(steps)
    trace = done.value.value
    assert (trace.allowed, trace.blocked_at, trace.actuals) == (False, "request-mode", ())


# -- per browser (Firefox ESR 153, WebKitGTK 2.50: tests/browser/test_engines.py, kinds group) --

def _kind(kind: str, browser: str):
    from corsprobe.fetch.kinds import of

    return of(RequestSpec(url="http://api.test/x", origin="http://app.test", kind=kind,
                          browser=browser, method="POST" if kind == "beacon" else "GET"))


def test_safari_fetches_fonts_without_cors():
    assert _kind("font", "safari").mode == "no-cors"
    assert _kind("font", "chrome").mode == _kind("font", "firefox").mode == "cors"


def test_accept_per_browser():
    assert _kind("img", "chrome").accept.startswith("image/jxl,")
    assert _kind("img", "firefox").accept == (
        "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5")
    assert _kind("img", "safari").accept.startswith("image/webp,image/avif,video/*;q=0.8,")
    assert _kind("font", "firefox").accept.startswith("application/font-woff2;q=1.0,")
    assert _kind("stylesheet", "safari").accept == _kind("stylesheet", "chrome").accept


def test_safari_beacon_sends_cache_control():
    assert ("Cache-Control", "max-age=0") in _kind("beacon", "safari").extra_headers
    assert _kind("beacon", "chrome").extra_headers == ()

