"""``corsprobe har`` on HARs recorded from real Chromium (fixtures/har/), checked against
what Chromium itself reported for each fetch at recording time (fixtures/har/observed.json)."""

from __future__ import annotations

import pytest

from .conftest import FILES, HAR_DIR, corsprobe, har_json


def _by_url(doc: dict) -> dict[str, dict]:
    return {q["url"]: q for q in doc["requests"]}


@pytest.mark.parametrize("name", FILES)
def test_every_recorded_fetch_is_found_with_the_browsers_outcome(name, observed):
    code, doc = har_json(str(HAR_DIR / name))
    cases = observed["files"][name]
    found = _by_url(doc)
    assert doc["schema"] == "corsprobe/har/v1"
    assert doc["summary"]["cross_origin"] == len(cases)
    assert doc["summary"]["skipped"] == {
        "not a CORS-mode request (navigation, image, script, ...)": 1}  # the page itself
    for case in cases:
        q = found[case["url"]]
        assert q["method"] == case["method"]
        assert q["origin"] == case["origin"]
        assert q["recorded"]["outcome"] == ("allowed" if case["allowed"] else "blocked")
        assert q["verdict"] == ("allowed" if case["allowed"] else "blocked"), case["scenario"]
        # a preflight is needed exactly when Chromium sent one to the server
        sent_preflight = any(s["preflight"] for s in case["server_saw"])
        assert q["preflight_required"] is sent_preflight, case["scenario"]
        # every redirect hop the server saw is one hop of the request
        actuals = [s["url"] for s in case["server_saw"] if not s["preflight"]]
        assert q["hops"][: len(actuals)] == actuals
    assert code == (0 if all(c["allowed"] for c in cases) else 1)


def test_allowed_requests_are_diagnosed_from_the_recording(observed):
    _, doc = har_json(str(HAR_DIR / "allowed.har"))
    for q in doc["requests"]:
        assert q["complete"] and q["agrees_with_browser"] is True
        report = q["report"]
        assert report["allowed"] is True and report["browser_error"] is None
        assert report["actual"]["exchanges"][0]["response"]["status"] == 200
    assert doc["replay_hint"] is None
    # the preflighted ones: Playwright records no preflight, and the report says so
    put = next(q for q in doc["requests"] if q["method"] == "PUT")
    assert put["recorded"]["preflights"] == 0
    assert any("no preflight entry" in n for n in put["report"]["notes"])


def test_readable_headers_match_what_the_page_could_read(observed):
    _, doc = har_json(str(HAR_DIR / "allowed.har"))
    found = _by_url(doc)
    for case in observed["files"]["allowed.har"]:
        report = found[case["url"]]["report"]
        assert sorted(report["readable_headers"]) == case["readable_headers"], case["scenario"]


@pytest.mark.parametrize("name", ["preflight-blocked.har", "actual-blocked.har"])
def test_blocked_requests_say_what_the_har_lacks_and_offer_replay(name, observed):
    code, doc = har_json(str(HAR_DIR / name))
    assert code == 1
    for q in doc["requests"]:
        assert q["verdict"] == "blocked" and not q["complete"]
        assert q["cause"] == "not recorded"
        assert q["recorded"]["failure"] == "net::ERR_FAILED"
        assert "has no response" in q["missing"]
    assert "--replay" in doc["replay_hint"]
    assert doc["summary"]["by_cause"] == [
        {"cause": "not recorded", "count": len(doc["requests"]),
         "requests": [q["number"] for q in doc["requests"]]}]


def test_redirect_hops_are_chained_and_checked(observed):
    _, doc = har_json(str(HAR_DIR / "redirects.har"))
    found = _by_url(doc)
    by_name = {c["scenario"]: found[c["url"]] for c in observed["files"]["redirects.har"]}
    two = by_name["redir-cross-two-hops-null"]
    assert len(two["hops"]) == 3
    report = two["report"]
    assert [e["response"]["status"] for e in report["actual"]["exchanges"]] == [302, 302, 200]
    # after the cross-origin hop the browser sent Origin: null, and the engine tainted too
    assert [dict(e["request"]["headers"])["Origin"] for e in report["actual"]["exchanges"]] == [
        two["origin"], "null", "null"]
    assert "CORS802" in [f["rule"] for f in two["findings"]]
    # the second hop of this one was refused: the first hop is in the trace, the rest is not
    final_missing = by_name["redir-cross-final-acao-missing"]
    assert final_missing["recorded"]["statuses"] == [302, -1]
    assert final_missing["verdict"] == "blocked" and "end?" in final_missing["missing"]


def test_text_and_markdown_reports(observed):
    proc = corsprobe("har", str(HAR_DIR / "preflight-blocked.har"))
    assert proc.returncode == 1
    assert "BLOCKED PUT" in proc.stdout and "hint:" in proc.stdout
    assert "a preflight was required (method PUT is not CORS-safelisted" in proc.stdout
    assert "Summary: 5 request(s): 0 allowed, 5 blocked" in proc.stdout
    md = corsprobe("har", str(HAR_DIR / "redirects.har"), "--format", "markdown")
    assert md.stdout.startswith("## corsprobe har: 2 blocked, 0 failed, 3 allowed")
    assert "| cause | requests |" in md.stdout


def test_filters(observed):
    path = str(HAR_DIR / "redirects.har")
    _, doc = har_json(path, "--failed-only")
    assert [q["verdict"] for q in doc["requests"]] == ["blocked", "blocked"]
    _, doc = har_json(path, "--url-contains", "two-hops")
    assert len(doc["requests"]) == 1 and "two-hops" in doc["requests"][0]["url"]
    origin = observed["files"]["redirects.har"][0]["origin"]
    _, doc = har_json(path, "--origin", origin)
    assert len(doc["requests"]) == 5
    code, doc = har_json(path, "--origin", "https://elsewhere.example")
    assert doc["requests"] == [] and code == 0
    bad = corsprobe("har", path, "--origin", "https://elsewhere.example/")
    assert bad.returncode == 2 and "slash" in bad.stderr


def test_secrets_are_redacted(observed):
    proc = corsprobe("har", str(HAR_DIR / "allowed.har"), "--format", "json",
                     "--url-contains", "authorization")
    assert proc.returncode == 0
    assert "Bearer abc" not in proc.stdout and "REDACTED" in proc.stdout


def test_bad_replay_options_are_usage_errors():
    for args, words in ((["--replay", "--connect-to", "api.test:1:127.0.0.1"], "HOST:PORT:HOST2"),
                        (["--replay", "--resolve", "nonsense"], "HOST:PORT:ADDRESS"),
                        (["--timeout", "0"], "--timeout")):
        proc = corsprobe("har", str(HAR_DIR / "redirects.har"), *args)
        assert proc.returncode == 2 and words in proc.stderr, proc.stderr
