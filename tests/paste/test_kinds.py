"""The kind of request a paste shows (font, <img>, module script, EventSource, beacon, ...):
parsed from Chromium's console word, a cURL's Sec-Fetch-Dest/Sec-Fetch-Mode and Firefox's own
lines, then checked with that kind against the loopback API of tests/paste/conftest.py."""

from __future__ import annotations

import pytest

from corsprobe.fetch import kinds, messages
from corsprobe.model import CorsFailure
from corsprobe.paste import parse
from tests.clihelp import cli
from tests.paste import devtools
from tests.paste.conftest import PAGE
from tests.paste.test_paste_cli import MISSING, url_of

URL = "http://cdn.example.test/assets/x"
CHROME_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/156.0.0.0 Safari/537.36")


def chrome_line(kind: str, url: str = URL, error: str = "MissingAllowOriginHeader",
                hint: str | None = None) -> str:
    """Chromium's console line for ``kind``, with the word corsprobe's model prints for it."""
    word = kinds.resolve(kind, method="POST" if kind == "beacon" else "GET").console_word
    return messages.console_message(CorsFailure(error, hint), url, url, PAGE, word)


# the kind Chromium's word comes back as, and the crossorigin a CORS error on it implies
@pytest.mark.parametrize(("kind", "parsed", "crossorigin"), [
    ("fetch", "fetch", None), ("xhr", "xhr", None), ("font", "font", None),
    ("img", "img", "anonymous"), ("stylesheet", "stylesheet", "anonymous"),
    ("script", "module", None),  # "Access to script at": a module, or <script crossorigin>
    ("module", "module", None),
    ("eventsource", "eventsource", None),  # "Access to resource at", not preflighted
    ("beacon", "eventsource", None),  # the same words: told apart only by a preflight
])
def test_chrome_console_word(kind, parsed, crossorigin):
    [p] = parse(chrome_line(kind))
    assert (p.kind, p.crossorigin, p.method, p.headers) == (parsed, crossorigin, "GET", ())
    if kind not in ("fetch", "xhr"):
        assert any(f"kind {parsed}" in n for n in p.inferred), p.inferred


def test_chrome_resource_with_a_failed_preflight_is_a_beacon():
    [p] = parse(chrome_line("beacon", error="HeaderDisallowedByPreflightResponse",
                            hint="content-type"))
    assert (p.kind, p.method) == ("beacon", "POST")
    assert dict(p.headers) == {"content-type": "application/json"}
    assert not any(n.startswith("credentials: same-origin assumed") for n in p.inferred)


def test_chrome_element_credential_error_means_use_credentials():
    [p] = parse(chrome_line("img", error="WildcardOriginNotAllowed"))
    assert (p.kind, p.crossorigin, p.credentials) == ("img", "use-credentials", False)


def test_chrome_xhr_credentials_sentence():
    line = chrome_line("xhr", error="WildcardOriginNotAllowed")
    assert line.endswith("withCredentials attribute.")
    [p] = parse(line)
    assert p.kind == "xhr" and p.browser_error == "WildcardOriginNotAllowed" and p.credentials


def _curl(kind: str, crossorigin: str | None = None, cookie: bool = False,
          method: str = "GET", extra: list[tuple[str, str]] | None = None) -> str:
    """Chrome's "Copy as cURL" of the request corsprobe's model of ``kind`` makes (its Accept,
    Sec-Fetch-Dest and Sec-Fetch-Mode)."""
    k = kinds.resolve(kind, crossorigin=crossorigin, method=method,
                      headers=tuple(extra or ()))
    headers = [("accept", k.accept), *k.extra_headers, ("origin", PAGE),
               ("referer", PAGE + "/"), ("sec-fetch-dest", k.dest),
               ("sec-fetch-mode", k.mode), ("sec-fetch-site", "cross-site"),
               ("user-agent", CHROME_UA), *(extra or [])]
    if cookie:
        headers.append(("cookie", "sid=1"))
    return devtools.chrome_curl(URL, method, headers, "{}" if method == "POST" else None)


@pytest.mark.parametrize(("kind", "crossorigin", "cookie", "parsed"), [
    ("fetch", None, False, ("fetch", None, None)),  # empty + cors: fetch (or XHR: said)
    ("xhr", None, False, ("fetch", None, None)),
    ("eventsource", None, False, ("eventsource", None, None)),  # Accept: text/event-stream
    ("font", None, False, ("font", None, None)),
    ("module", None, False, ("module", None, None)),  # script + cors
    ("module", "use-credentials", True, ("module", None, "use-credentials")),
    ("script", None, True, ("script", None, None)),  # script + no-cors: no crossorigin
    ("script", "anonymous", False, ("module", None, None)),  # script + cors: as a module
    ("img", None, True, ("img", None, None)),  # image + no-cors
    ("img", "anonymous", False, ("img", None, "anonymous")),  # image + cors
    ("img", "use-credentials", True, ("img", None, "use-credentials")),
    ("stylesheet", None, False, ("stylesheet", None, None)),
    ("stylesheet", "anonymous", False, ("stylesheet", None, "anonymous")),
])
def test_curl_sec_fetch_headers(kind, crossorigin, cookie, parsed):
    [p] = parse(_curl(kind, crossorigin, cookie))
    assert (p.kind, p.mode, p.crossorigin) == parsed, p.inferred
    if p.kind not in ("fetch", "xhr", "beacon"):
        assert p.headers == () and p.credentials is False  # Accept etc. are the browser's
        assert "accept" in p.browser_headers
    if kind in ("fetch", "xhr"):
        assert any("give --kind xhr" in n for n in p.inferred)
    if parsed[0] == "module":
        assert any("--kind script --crossorigin" in n for n in p.inferred)


def test_curl_no_cors_fetch_and_no_sec_fetch():
    [p] = parse(_curl("beacon", method="POST"))  # a beacon with a text body: no-cors
    assert (p.kind, p.mode, p.method) == ("fetch", "no-cors", "POST")
    assert any("give --kind beacon" in n for n in p.inferred)
    [p] = parse(devtools.chrome_curl(URL, "GET", [("origin", PAGE)]))
    assert p.kind == "fetch" and any("no Sec-Fetch-Dest" in n for n in p.inferred)


def test_curl_unknown_dest_and_impossible_kind_fall_back_to_fetch():
    [p] = parse(devtools.chrome_curl(URL, "GET", [("origin", PAGE), ("sec-fetch-dest", "worker"),
                                                  ("sec-fetch-mode", "same-origin")]))
    assert p.kind == "fetch" and any("worker is not a kind" in n for n in p.inferred)
    [p] = parse(devtools.chrome_curl(URL, "PUT", [("origin", PAGE), ("sec-fetch-dest", "font"),
                                                  ("sec-fetch-mode", "cors")]))
    assert p.kind == "fetch" and p.method == "PUT"
    assert any("not a @font-face font request after all" in n for n in p.inferred)


def test_node_fetch_copy_carries_sec_fetch_headers():
    text = devtools.chrome_fetch(URL, "GET", [("accept", "*/*"), ("sec-fetch-dest", "font"),
                                              ("sec-fetch-mode", "cors"), ("origin", PAGE)],
                                 node=True)
    [p] = parse(text)
    assert p.source == "fetch" and p.kind == "font"


FIREFOX_CORS = ("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the "
                "remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ "
                "missing). Status code: 200.")
FIREFOX_KIND_LINES = {
    "module": "Loading failed for the module with source “{url}”.",
    "script": "Loading failed for the <script> with source “{url}”.",
    "font": ('downloadable font: download failed (font-family: "Inter" style:normal '
             'weight:400 stretch:100 src index:0): bad URI or cross-site access not allowed '
             'source: {url}'),
    "font-older": ('downloadable font: download failed (font-family: "Inter" style:normal '
                   'weight:400 stretch:100 src index:0): bad URI or cross-site access not '
                   'allowed\nsource: {url}'),
}


@pytest.mark.parametrize("name", FIREFOX_KIND_LINES)
@pytest.mark.parametrize("order", ["cors-first", "kind-first", "kind-alone"])
def test_firefox_kind_lines(name, order):
    kind_line = FIREFOX_KIND_LINES[name].format(url=URL)
    cors = FIREFOX_CORS.format(url=URL)
    text = {"cors-first": f"{cors}\n{kind_line}", "kind-first": f"{kind_line}\n{cors}",
            "kind-alone": kind_line}[order]
    [p] = parse(text)
    kind = name.split("-")[0]
    assert p.source == "firefox-console" and p.kind == kind and p.url == URL
    assert p.browser_reason == (None if order == "kind-alone" else "CORSMissingAllowOrigin")
    if kind == "script":
        assert p.crossorigin == "anonymous"


# -- reproduced against the loopback API, with the kind ---------------------------------------

def _kind_of(doc) -> tuple:
    req = doc["report"]["request"]
    co = req.get("crossorigin")
    return req["kind"], None if co == "none" else co, req["credentials_mode"]


@pytest.mark.parametrize(("kind", "expected"), [
    ("font", ("font", None, "same-origin")),
    ("img", ("img", "anonymous", "same-origin")),
    ("script", ("module", None, "same-origin")),
    ("stylesheet", ("stylesheet", "anonymous", "same-origin")),
    ("eventsource", ("eventsource", None, "same-origin")),
    ("xhr", ("xhr", None, "same-origin")),
])
def test_chrome_kind_line_reproduces(api, kind, expected):
    server, handler = api
    line = chrome_line(kind, url_of(server, "asset"), hint=None)
    doc = cli("paste", line, "--format", "json", code=1).json()
    assert doc["request"]["kind"] == expected[0]
    assert doc["request"]["crossorigin"] == expected[1]
    assert _kind_of(doc) == expected
    assert doc["reproduced"] is True and doc["report"]["blocked_at"] == "actual"
    assert doc["report"]["console_message"] == line
    [sent] = [r for r in server.records if r.header("origin") == PAGE]  # not origin probes
    assert sent.method == "GET" and sent.header("cookie") is None  # no preflight
    handler.mode = "fixed"
    doc = cli("paste", line, "--format", "json").json()
    assert doc["reproduced"] is False and doc["report"]["allowed"] is True


def test_chrome_beacon_line_reproduces(api):
    server, _ = api
    line = chrome_line("beacon", url_of(server, "beacon"),
                       error="HeaderDisallowedByPreflightResponse", hint="content-type")
    doc = cli("paste", line, "--format", "json", code=1).json()
    assert _kind_of(doc) == ("beacon", None, "include")
    assert doc["reproduced"] is True and doc["report"]["blocked_at"] == "preflight"
    [preflight] = [r for r in server.records if r.header("origin") == PAGE]
    assert preflight.method == "OPTIONS"
    assert preflight.header("access-control-request-method") == "POST"


def test_curl_image_no_cors_is_opaque_not_blocked(api):
    server, _ = api
    k = kinds.resolve("img")
    text = devtools.chrome_curl(url_of(server, "logo.png"), "GET", [
        ("accept", k.accept), ("referer", PAGE + "/"), ("sec-fetch-dest", "image"),
        ("sec-fetch-mode", "no-cors"), ("cookie", "sid=1")])
    doc = cli("paste", text, "--format", "json").json()
    assert _kind_of(doc) == ("img", None, "include")
    assert doc["report"]["allowed"] is True and doc["report"]["response_type"] == "opaque"
    [sent] = server.records
    assert sent.header("accept") == k.accept  # the browser's Accept, sent once, by the kind


def test_curl_font_reproduces(api):
    server, _ = api
    text = devtools.chrome_curl(url_of(server, "f.woff2"), "GET", [
        ("accept", "*/*"), ("origin", PAGE), ("sec-fetch-dest", "font"),
        ("sec-fetch-mode", "cors")])
    doc = cli("paste", text, "--format", "json", code=1).json()
    assert doc["request"]["kind"] == "font" and _kind_of(doc) == ("font", None, "same-origin")
    assert doc["reproduced"] is True
    assert doc["report"]["console_message"].startswith("Access to font at")


def test_kind_options_override_the_text(api):
    server, _ = api
    line = ("Access to fetch at '" + url_of(server) + f"' from origin '{PAGE}' has been blocked "
            f"by CORS policy: {MISSING}")
    doc = cli("paste", line, "--kind", "img", "--crossorigin", "use-credentials", "--format",
              "json", code=1).json()
    assert _kind_of(doc) == ("img", "use-credentials", "include")
    assert "kind img from --kind" in doc["inferred"]
    text = cli("paste", line, "--kind", "font", "--no-check", "--no-color").out
    assert "(font, credentials: same-origin)" in text
    doc = cli("paste", line, "--mode", "no-cors", "--format", "json").json()
    assert doc["report"]["response_type"] == "opaque" and doc["request"]["mode"] == "no-cors"


# WebKitGTK 2.50's second line per kind (tests/browser/test_engines.py, kinds group)
@pytest.mark.parametrize(("wrapper", "kind"), [
    ("Cannot load image {url} due to access control checks.", "img"),
    ("XMLHttpRequest cannot load {url} due to access control checks.", "xhr"),
    ("EventSource cannot load {url} due to access control checks.", "eventsource"),
    ("Fetch API cannot load {url} due to access control checks.", "fetch"),
])
def test_safari_wrapper_names_the_kind(wrapper, kind):
    text = (f"Origin {PAGE} is not allowed by Access-Control-Allow-Origin. Status code: 200\n"
            + wrapper.format(url=URL))
    [p] = parse(text)
    assert p.source == "safari-console" and p.kind == kind and p.url == URL
