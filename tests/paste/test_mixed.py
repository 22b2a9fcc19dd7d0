"""Mixed-content console lines pasted: Chromium's "Mixed Content: ...", Firefox's "Blocked
loading mixed active content ..." and WebKit's "[blocked] ..." become a check that reproduces
the ``mixed-content`` block (nothing is sent).

The lines are the ones corsprobe prints (:func:`corsprobe.fetch.gates.mixed_content_console`),
which the differential suite compares with what Chromium 156, Firefox ESR 153 and WebKitGTK
2.50 print for the ``mixed-*`` scenarios (page URL masked to its origin + "/"). The
``*-observed.json`` recordings hold the engines' own lines for them too; the roundtrip test
(test_console_roundtrip.py) leaves them to this file."""

from __future__ import annotations

import pytest

from corsprobe.fetch.gates import mixed_content_console
from corsprobe.paste import parse
from tests.clihelp import cli
from tests.paste.conftest import PAGE

HTTPS_PAGE = "https://app.example.test"
ENGINES = {"chrome": "chromium", "firefox": "gecko", "safari": "webkit"}
SOURCES = {"chrome": "chrome-console", "firefox": "firefox-console", "safari": "safari-console"}
# the issue's example, as Chromium prints it
ISSUE_LINE = ("Mixed Content: The page at 'https://app.example.com/' was loaded over HTTPS, but "
              "requested an insecure resource 'http://api.example.com/users'. This request has "
              "been blocked; the content must be served over HTTPS.")


def lines(browser: str, url: str, page: str = HTTPS_PAGE + "/dashboard",
          redirected_from: str | None = None) -> str:
    return "\n".join(mixed_content_console(ENGINES[browser], page, url, redirected_from))


def test_chromium_line():
    [p] = parse("index.html:1 " + ISSUE_LINE)
    assert (p.source, p.url, p.origin, p.kind) == (
        "chrome-console", "http://api.example.com/users", "https://app.example.com", "fetch")
    assert p.blocked_reason == "mixed-content" and p.browser_error is None
    assert p.message == ISSUE_LINE


@pytest.mark.parametrize(("what", "kind"), [("XMLHttpRequest endpoint", "xhr"),
                                             ("font", "font"), ("script", "script"),
                                             ("EventSource endpoint", "eventsource")])
def test_chromium_names_the_kind(what, kind):
    [p] = parse(ISSUE_LINE.replace("insecure resource", f"insecure {what}"))
    assert p.kind == kind and p.crossorigin is None  # no CORS error: no crossorigin implied


def test_chromium_warning_is_not_a_block():
    warning = ISSUE_LINE.replace("This request has been blocked; the content must be served "
                                 "over HTTPS.", "This content should also be served over HTTPS.")
    assert parse(warning + "\n" + ISSUE_LINE)[0].url == "http://api.example.com/users"
    assert len(parse(warning + "\n" + ISSUE_LINE)) == 1


@pytest.mark.parametrize("browser", ENGINES)
def test_each_engines_lines_are_one_request(browser):
    url = "http://api.example.test/v1/items"
    [p] = parse(lines(browser, url))
    assert p.source == SOURCES[browser] and p.browser == browser
    assert p.url == url and p.blocked_reason == "mixed-content"
    assert p.origin == (None if browser == "firefox" else HTTPS_PAGE)  # Firefox names no page


@pytest.mark.parametrize("browser", ["firefox", "safari"])
def test_after_a_redirect_the_page_asked_for_the_first_url(browser):
    first, hop = "https://api.example.test/r", "http://api.example.test/v1/items"
    [p] = parse(lines(browser, hop, redirected_from=first))
    assert (p.url, p.final_url) == (first, hop)


def test_webkit_loopback_line_stops_after_must():
    text = lines("safari", "http://127.0.0.1:8000/x")
    assert "blocked and must\n" in text
    [p] = parse(text)
    assert p.url == "http://127.0.0.1:8000/x" and p.browser == "safari"


# -- reproduced: blocked before anything leaves ------------------------------------------------

def _target(server) -> tuple[str, list[str]]:
    """An http:// URL on a name (not a loopback host, which Chrome and Firefox trust) that
    --resolve points at the loopback API: were the gate missed, the API would see it."""
    host = f"api.example.test:{server.port}"
    return f"http://{host}/s/api/items", ["--resolve", f"{host}:127.0.0.1"]


@pytest.mark.parametrize("browser", ENGINES)
def test_reproduces_the_mixed_content_block(api, browser):
    server, _ = api
    url, resolve = _target(server)
    origin = ["--origin", HTTPS_PAGE] if browser == "firefox" else []
    doc = cli("paste", lines(browser, url), *resolve, *origin, "--format", "json",
              code=1).json()
    assert doc["blocked_reason"] == "mixed-content" and doc["browser"] == browser
    assert doc["request"]["origin"] == HTTPS_PAGE and doc["request"]["url"] == url
    report = doc["report"]
    assert report["blocked_at"] == "mixed-content" and report["blocked_reason"] == "mixed-content"
    assert doc["reproduced"] is True and "never asked" in doc["reproduced_why"]
    assert server.records == []


def test_firefox_line_needs_origin(api):
    server, _ = api
    url, _resolve = _target(server)
    ran = cli("paste", lines("firefox", url), code=2)
    assert "--origin" in ran.err and "Firefox" in ran.err


def test_safari_blocks_loopback_too(api):
    server, _ = api
    url = f"http://127.0.0.1:{server.port}/s/api/items"
    doc = cli("paste", lines("safari", url), "--format", "json", code=1).json()
    assert doc["reproduced"] is True and server.records == []


def test_text_report(api):
    server, _ = api
    url, resolve = _target(server)
    out = cli("paste", lines("chrome", url), *resolve, "--no-color", code=1).out
    assert out.startswith("corsprobe paste  from Chrome's console")
    assert "  the browser said: mixed-content (Mixed Content: The page at" in out
    assert f"  understood: GET {url} from origin {HTTPS_PAGE} (fetch, credentials: " in out
    assert "REPRODUCED: the browser still blocks it as mixed content" in out


def test_not_reproduced_from_an_http_page(api):
    server, handler = api
    url, resolve = _target(server)
    # the page is http now: no mixed content; the broken API then fails CORS instead
    doc = cli("paste", lines("chrome", url), *resolve, "--origin", PAGE, "--format", "json",
              code=1).json()
    assert doc["reproduced"] is False
    assert doc["reproduced_why"].startswith("a different error now: MissingAllowOriginHeader")
    handler.mode = "fixed"
    doc = cli("paste", lines("chrome", url), *resolve, "--origin", PAGE, "--format",
              "json").json()
    assert doc["reproduced"] is False and doc["report"]["allowed"] is True
    assert doc["reproduced_why"].startswith("not blocked as mixed content now")
    assert server.records  # this time the request was sent
