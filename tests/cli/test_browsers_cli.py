"""`corsprobe check --browser firefox|safari|all` end to end against a real loopback server.

The engines' behaviour itself is proven against the real browsers in tests/browser; these
tests pin the report shape and the exit codes of the per-browser and side-by-side reports.
"""

from __future__ import annotations

import pytest

from tests.browser.scenario_server import Response, ScenarioServer
from tests.clihelp import cli

from .test_check_cli import REQUIRED_KEYS

ORIGIN = "http://app.example.com"  # not https: its page could not fetch the http test server (mixed content)


def _hinted(req):
    """Allows the origin; a preflight is answered without Allow-Headers."""
    headers = [("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Methods", "PUT"),
               ("Access-Control-Max-Age", "86400")]
    return Response(204 if req.method == "OPTIONS" else 200, headers, b"")


def _reflect(req):
    """Echoes any Origin with credentials: the origin probes make CORS804 fire once per probe."""
    return Response(200, [("Access-Control-Allow-Origin", req.header("origin") or "*"),
                          ("Access-Control-Allow-Credentials", "true")], b"{}")


def _missing(req):
    return Response(500, [("Content-Type", "text/plain")], b"boom")


@pytest.fixture(scope="module")
def server():
    with ScenarioServer({"hinted": _hinted, "missing": _missing, "reflect": _reflect}) as s:
        yield s


def check(server, path, *args, code=0):
    url = f"http://api.test:{server.port}/s/{path}"
    return cli("check", url, "--origin", ORIGIN,
               "--resolve", f"api.test:{server.port}:127.0.0.1", *args, code=code, timeout=60)


def test_firefox_report_speaks_firefox(server):
    report = check(server, "missing", "--browser", "firefox", "--format", "json", code=1).json()
    assert REQUIRED_KEYS <= set(report)
    assert report["browser"] == "firefox"
    assert report["browser_error"] == "MissingAllowOriginHeader"  # Chromium's name stays
    assert report["browser_reason"] == "CORSMissingAllowOrigin"
    assert report["console_message"] == (
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
        f"resource at http://api.test:{server.port}/s/missing. (Reason: CORS header "
        "‘Access-Control-Allow-Origin’ missing). Status code: 500."
    )


def test_safari_report_speaks_webkit(server):
    report = check(server, "missing", "--browser", "safari", "--format", "json", code=1).json()
    assert REQUIRED_KEYS <= set(report)
    assert report["console_lines"] == [
        f"Origin {ORIGIN} is not allowed by Access-Control-Allow-Origin. Status code: 500",
        f"Fetch API cannot load http://api.test:{server.port}/s/missing due to access control "
        "checks.",
    ]
    assert report["console_message"] == report["console_lines"][0]


def test_client_hint_is_safelisted_only_in_chrome(server):
    # one browser blocks: exit 1
    doc = check(server, "hinted", "-H", "DPR: 2", "--browser", "all", "--format", "json", code=1).json()
    assert doc["schema"] == "corsprobe/compare/v1"
    chrome, firefox, safari = (doc["browsers"][b] for b in ("chrome", "firefox", "safari"))
    assert chrome["allowed"] is True and not chrome["preflight"]["required"]
    for r in (firefox, safari):
        assert r["preflight"]["required"] and r["allowed"] is False
        assert r["browser_error"] == "HeaderDisallowedByPreflightResponse"
    fields = {d["field"]: d["values"] for d in doc["disagreements"]}
    assert fields["allowed"] == {"chrome": True, "firefox": False, "safari": False}
    assert fields["preflight.required"] == {"chrome": False, "firefox": True, "safari": True}


def test_max_age_is_capped_per_browser(server):
    doc = check(server, "hinted", "-X", "PUT", "--no-actual", "--browser", "all", "--format", "json").json()
    cached = {b: r["preflight"]["cache_seconds"] for b, r in doc["browsers"].items()}
    assert cached == {"chrome": 7200, "firefox": 86400, "safari": 600}
    assert {"field": "preflight.cache_seconds", "values": cached} in doc["disagreements"]


def test_all_text_shows_the_browsers_side_by_side(server):
    out = check(server, "hinted", "-H", "DPR: 2", "--browser", "all", code=1).out
    head = next(line for line in out.splitlines() if "Chrome" in line and "Safari" in line)
    assert head.index("Chrome") < head.index("Firefox") < head.index("Safari")
    assert "The browsers disagree:" in out
    assert "Request header field DPR is not allowed by Access-Control-Allow-Headers." in out


def test_all_text_lists_each_finding_once_with_each_browser_once(server):
    out = check(server, "reflect", "--browser", "all", "--no-color", code=1).out  # CORS804 is an error
    rows = [line for line in out.splitlines() if "CORS804" in line]
    assert len(rows) == 1, rows  # one row per rule, not one per probe or per browser
    assert "[" not in rows[0]  # every browser has it: no browser list
    doc = check(server, "reflect", "--browser", "all", "--format", "json", code=1).json()
    for r in doc["browsers"].values():  # one finding per browser, proven by several origins
        cors804 = [f for f in r["findings"] if f["rule"] == "CORS804"]
        assert len(cors804) == 1 and len(cors804[0]["evidence"]["accepted"]) > 1, cors804


def test_all_unreachable_exit_3():
    ran = cli("check", "http://127.0.0.1:9/x", "--origin", ORIGIN, "--browser", "all",
              "--format", "json", "--timeout", "2", code=3, timeout=60)
    assert all(r["error"] for r in ran.json()["browsers"].values())
    assert ran.err.count("\n") == 1
