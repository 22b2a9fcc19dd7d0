"""Every console message the three real engines printed (tests/browser/*-observed.json),
parsed back: the URL, the origin (where the text has one), Chromium's CorsError name and
Firefox's reason code must come back exactly, and printing them again with corsprobe's own
console texts must give the recorded message byte for byte."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from corsprobe.fetch import console_firefox, kinds, messages
from corsprobe.model import CorsFailure
from corsprobe.paste import console, parse

BROWSER = Path(__file__).resolve().parents[1] / "browser"


def _load(engine: str) -> dict:
    return json.loads((BROWSER / f"{engine}-observed.json").read_text(encoding="utf-8"))["scenarios"]


# Lines of the recordings that are not one CORS refusal of the scenario's request, or that
# paste does not read yet: named here with the reason, and skipped with it (-rs lists them).
OUT_OF_SCOPE = {
    "group:mixed-content": "mixed-content lines: tests/paste/test_mixed.py",
    "group:local-network-access": "Local Network Access lines: not pasted yet",
    "Cookie “": "Firefox's cookie warnings: not CORS (tests/browser/test_cookies.py)",
    "Security Error: Content at ": "fetch(mode: same-origin) in Firefox: paste does not read it",
    'Request mode is "same-origin"': "fetch(mode: same-origin) in Chromium: paste does not read it",
    "same-origin:Fetch API cannot load ": "fetch(mode: same-origin) in WebKit: paste does not "
                                          "read it",
    "Unable to get image data from canvas": "WebKit: the test page reading a tainted canvas",
    "Firefox can’t establish a connection": "Firefox's EventSource follow-up line: not pasted",
    "Cross-origin script load denied": "WebKit's <script> line names no URL: not pasted yet",
    "Beacon API cannot load ": "WebKit's beacon line: not pasted yet",
}


def _out_of_scope(scenario: dict, line: str) -> str | None:
    if f"group:{scenario['group']}" in OUT_OF_SCOPE:
        return OUT_OF_SCOPE[f"group:{scenario['group']}"]
    text = line.split("ERROR ", 1)[-1] if line.startswith(("JS ", "SECURITY ")) else line
    if scenario["name"] == "kind-fetch-sameorigin" and text.startswith("Fetch API cannot load "):
        return OUT_OF_SCOPE["same-origin:Fetch API cannot load "]
    return next((why for key, why in OUT_OF_SCOPE.items()
                 if not key.startswith(("group:", "same-origin:")) and key in text), None)


def _messages(engine: str):
    for name, scenario in _load(engine).items():
        for i, line in enumerate(scenario["console"]):
            why = _out_of_scope(dict(scenario, name=name), line)
            marks = [pytest.mark.skip(reason=why)] if why else []
            yield pytest.param(dict(scenario, name=name), line, id=f"{name}-{i}", marks=marks)


# Chromium's console word is shared: "script" for classic and module scripts, "resource" for
# EventSource and sendBeacon(); paste reads them as module and (by the failed preflight)
# beacon or eventsource
_SAME_WORD = {("script", "module"), ("eventsource", "beacon"), ("beacon", "eventsource")}


def _kind(scenario: dict) -> str:
    return scenario["request"].get("kind") or "fetch"


def _named(url: str | None, scenario: dict) -> bool:
    """Is ``url`` one the browser asked for in this scenario, or a redirect hop of it (the
    recording keeps the requests, not the Location each hop pointed to)?"""
    return url in _requested(scenario) or (
        scenario["group"] == "redirect" and f"/s/{scenario['name']}/" in (url or ""))


def _requested(scenario: dict) -> set[str]:
    """Every URL the browser asked for in this scenario (the text names one of them)."""
    urls = {scenario["url"]}
    for r in scenario["requests"]:
        scheme = urlsplit(scenario["url"]).scheme
        urls.add(f"{scheme}://{r['host']}{r['target']}")
    return urls


CHROMIUM = list(_messages("chromium"))
FIREFOX = list(_messages("firefox"))
WEBKIT = list(_messages("webkit"))


def test_every_engine_has_messages():
    assert len(CHROMIUM) > 150 and len(FIREFOX) > 150 and len(WEBKIT) > 150


@pytest.mark.parametrize("scenario,line", CHROMIUM)
def test_chromium(scenario, line):
    found = console.parse(line)
    if line.startswith("Failed to load resource"):  # the network line, not a CORS message
        assert found == []
        return
    [p] = found
    assert p.source == "chrome-console"
    assert p.kind == _kind(scenario) or (_kind(scenario), p.kind) in _SAME_WORD
    assert p.browser_error == scenario["cors_error"]
    assert p.url == scenario["url"]  # the request the page made (redirected from, if so)
    assert p.origin == scenario["origin"]
    again = messages.console_message(CorsFailure(p.browser_error, p.hint),
                                     p.final_url or p.url, p.url, p.origin,
                                     kinds.resolve(p.kind, method=p.method or "GET",
                                                   body=None).console_word
                                     if p.kind != "fetch" else "fetch")
    assert again == line


@pytest.mark.parametrize("scenario,line", FIREFOX)
def test_firefox(scenario, line):
    [p] = console.parse(line)
    if line.startswith("downloadable font:"):  # the font's own line (after the CORS line)
        assert p.source == "firefox-console" and p.kind == "font" and _named(p.url, scenario)
        return
    assert p.source == "firefox-console" and p.origin is None
    assert p.browser_reason in console_firefox.REASONS
    assert _named(p.url, scenario)
    assert console_firefox.line(p.browser_reason, p.url, p.hint or "") == line


@pytest.mark.parametrize("scenario,line", WEBKIT)
def test_webkit_line(scenario, line):
    [p] = console.parse(line)
    assert p.source == "safari-console"
    if "cannot load" in line.lower():
        assert _named(p.url, scenario)
        assert p.message is None
    else:
        assert p.url is None and p.message and p.message in line
        if " is not allowed by Access-Control-Allow-Origin" in line:
            origin = re.search(r"\bOrigin (\S+) is not allowed", line).group(1)
            assert p.origin == origin and origin in (scenario["origin"], "null")


@pytest.mark.parametrize("engine", ["chromium", "firefox", "webkit"])
def test_each_scenarios_console_is_one_request(engine):
    """A scenario's whole console pasted at once: one request (WebKit's pair, Firefox's
    follow-up line and Chromium's network line belong to it), with the scenario's URL."""
    for name, scenario in _load(engine).items():
        scenario = dict(scenario, name=name)
        lines = [line for line in scenario["console"] if not _out_of_scope(scenario, line)]
        cors = [line for line in lines if not line.startswith("Failed to load resource")]
        if not cors:
            continue
        found = parse("\n".join(lines))
        assert len(found) == 1, (name, found)
        if engine == "webkit" and any("cannot load" in line.lower() for line in lines):
            assert _named(found[0].url, scenario), name
        if engine == "chromium":
            assert found[0].url == scenario["url"] and found[0].origin == scenario["origin"]
