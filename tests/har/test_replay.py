"""``--replay``: what the HAR lacks is asked of the live server through the check path, and
the result must match what Chromium reported when it recorded the file."""

from __future__ import annotations

import pytest

from .conftest import HAR_DIR, har_json


def _resolve(server) -> list[str]:
    return [arg for host in ("api.test", "other.test") for arg in (
        "--connect-to", f"{host}:{server.recorded_port}:127.0.0.1:{server.port}")]


@pytest.mark.parametrize("name", ["preflight-blocked.har", "actual-blocked.har", "redirects.har"])
def test_replay_gives_chromiums_error_and_console_message(name, observed, replay_server):
    _, doc = har_json(str(HAR_DIR / name), "--replay", "--send-actual", *_resolve(replay_server))
    found = {q["url"]: q for q in doc["requests"]}
    for case in observed["files"][name]:
        q = found[case["url"]]
        if case["allowed"]:
            assert q["verdict"] == "allowed" and q["source"] == "recording"
            continue
        if case["credentials"]:  # the HAR cannot tell; say it as the user would
            _, cred = har_json(str(HAR_DIR / name), "--replay", "--credentials",
                               "--url-contains", case["scenario"], *_resolve(replay_server))
            (q,) = cred["requests"]
        assert q["source"] == "replay", case["scenario"]
        assert q["verdict"] == "blocked", case["scenario"]
        assert q["browser_error"] == case["cors_error"], case["scenario"]
        assert q["console_message"] == case["cors_console"], case["scenario"]
        assert q["findings"] and q["fix"], case["scenario"]
    assert doc["replay_hint"] is None
    assert doc["summary"]["incomplete"] == []
    assert {c["cause"] for c in doc["summary"]["by_cause"]} <= {
        c["cors_error"] for c in observed["files"][name]} | {"not reproduced"}


def test_credentials_mode_is_not_in_the_har(observed, replay_server):
    """Without --credentials the replay of a credentialed fetch cannot reproduce the block;
    the report says so instead of calling it allowed."""
    _, doc = har_json(str(HAR_DIR / "actual-blocked.har"), "--replay",
                      "--url-contains", "cred-exact-acac-missing", *_resolve(replay_server))
    (q,) = doc["requests"]
    assert q["verdict"] == "blocked" and q["cause"] == "not reproduced"
    assert q["replay"]["allowed"] is True


def test_unsafe_methods_are_not_sent_without_send_actual(observed, replay_server):
    case = next(c for c in observed["files"]["actual-blocked.har"]
                if c["scenario"] == "pf-actual-acao-missing")
    nonce = case["url"].rsplit("n=", 1)[1]
    before = len(replay_server.requests_for(nonce))
    _, doc = har_json(str(HAR_DIR / "actual-blocked.har"), "--replay",
                      "--url-contains", "pf-actual-acao-missing", *_resolve(replay_server))
    (q,) = doc["requests"]
    seen = replay_server.requests_for(nonce)[before:]
    assert seen and seen[0].is_preflight
    assert {r.method for r in seen} == {"OPTIONS"}  # preflight (and origin probes), never PUT
    assert q["replay"]["allowed"] is None and q["replay"]["actual"]["sent"] is False
    assert q["verdict"] == "blocked"
