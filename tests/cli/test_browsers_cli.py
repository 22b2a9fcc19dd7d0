"""`corsprobe check --browser firefox|safari|all` end to end against a real loopback server.

The engines' behaviour itself is proven against the real browsers in tests/browser; these
tests pin the report shape and the exit codes of the per-browser and side-by-side reports.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.scenario_server import Response, ScenarioServer

from .test_check_cli import REQUIRED_KEYS, run

ORIGIN = "https://app.example.com"


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


def check(server, path, *args):
    url = f"http://api.test:{server.port}/s/{path}"
    return run("check", url, "--origin", ORIGIN,
               "--resolve", f"api.test:{server.port}:127.0.0.1", *args)


def test_firefox_report_speaks_firefox(server):
    code, out, _ = check(server, "missing", "--browser", "firefox", "--format", "json")
    report = json.loads(out)
    assert code == 1
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
    code, out, _ = check(server, "missing", "--browser", "safari", "--format", "json")
    report = json.loads(out)
    assert code == 1 and REQUIRED_KEYS <= set(report)
    assert report["console_lines"] == [
        f"Origin {ORIGIN} is not allowed by Access-Control-Allow-Origin. Status code: 500",
        f"Fetch API cannot load http://api.test:{server.port}/s/missing due to access control "
        "checks.",
    ]
    assert report["console_message"] == report["console_lines"][0]


def test_client_hint_is_safelisted_only_in_chrome(server):
    code, out, _ = check(server, "hinted", "-H", "DPR: 2", "--browser", "all", "--format", "json")
    doc = json.loads(out)
    assert doc["schema"] == "corsprobe/compare/v1"
    chrome, firefox, safari = (doc["browsers"][b] for b in ("chrome", "firefox", "safari"))
    assert chrome["allowed"] is True and not chrome["preflight"]["required"]
    for r in (firefox, safari):
        assert r["preflight"]["required"] and r["allowed"] is False
        assert r["browser_error"] == "HeaderDisallowedByPreflightResponse"
    fields = {d["field"]: d["values"] for d in doc["disagreements"]}
    assert fields["allowed"] == {"chrome": True, "firefox": False, "safari": False}
    assert fields["preflight.required"] == {"chrome": False, "firefox": True, "safari": True}
    assert code == 1  # one browser blocks


def test_max_age_is_capped_per_browser(server):
    code, out, _ = check(server, "hinted", "-X", "PUT", "--no-actual", "--browser", "all",
                         "--format", "json")
    doc = json.loads(out)
    cached = {b: r["preflight"]["cache_seconds"] for b, r in doc["browsers"].items()}
    assert cached == {"chrome": 7200, "firefox": 86400, "safari": 600}
    assert {"field": "preflight.cache_seconds", "values": cached} in doc["disagreements"]
    assert code == 0


def test_all_text_shows_the_browsers_side_by_side(server):
    code, out, _ = check(server, "hinted", "-H", "DPR: 2", "--browser", "all")
    assert code == 1
    head = next(line for line in out.splitlines() if "Chrome" in line and "Safari" in line)
    assert head.index("Chrome") < head.index("Firefox") < head.index("Safari")
    assert "The browsers disagree:" in out
    assert "Request header field DPR is not allowed by Access-Control-Allow-Headers." in out


def test_all_text_lists_each_finding_once_with_each_browser_once(server):
    code, out, _ = check(server, "reflect", "--browser", "all", "--no-color")
    rows = [line for line in out.splitlines() if "CORS804" in line]
    assert len(rows) == 1, rows  # one row per rule, not one per probe or per browser
    assert "[" not in rows[0]  # every browser has it: no browser list
    doc = json.loads(check(server, "reflect", "--browser", "all", "--format", "json")[1])
    assert all(sum(f["rule"] == "CORS804" for f in r["findings"]) > 1
               for r in doc["browsers"].values())  # the case the text must fold


def test_all_unreachable_exit_3():
    code, out, err = run("check", "http://127.0.0.1:9/x", "--origin", ORIGIN, "--browser", "all",
                         "--format", "json", "--timeout", "2")
    assert code == 3
    assert all(r["error"] for r in json.loads(out)["browsers"].values())
    assert err.count("\n") == 1
