"""The scan rules (CORS810-CORS827) over recorded exchanges: a policy answers each request of
a scan by its Origin; each rule fires with its proving origin and stays quiet on an exact
allow list; on a `corsprobe check` trace (no scan probes) they never fire. The table is
SCAN_CASES in cases.py."""

from __future__ import annotations

import pytest

from corsprobe import replay
from corsprobe.rules.scan import SEVERITY
from corsprobe.scan.steps import Target, steps

from .cases import ACAO, SCAN_CASES, params
from .replay import ORIGIN, SCAN_URL, by_rule, policy, rules_fired, scan_trace, server

FIRES = [c for c in SCAN_CASES if c.rule]
PROVEN = [c for c in FIRES if c.proof and c.spec.get("credentials")]
QUIET = [c for c in SCAN_CASES if not c.rule]


@pytest.mark.parametrize("case", params(FIRES))
def test_scan_rule_fires(case):
    found = case.fired()
    assert case.rule in found, sorted(found)
    f = found[case.rule]
    assert case.text in f.message, f.message
    assert f.evidence["exchange"].startswith(("probe[", "actual[")) and f.fix["generic"]
    if case.risk:
        assert (f.risk, f.severity) == (case.risk, SEVERITY[case.risk])
    if set(f.fix) != {"generic"}:  # the allow-list fixes name the trusted origin
        for framework in ("fastapi", "django", "flask"):
            assert ORIGIN in f.fix[framework], (framework, f.fix)


@pytest.mark.parametrize("case", params(PROVEN))
def test_origin_rule_fires_with_its_proof(case):
    f = case.fired()[case.rule]
    assert f.evidence["proving_origin"] == case.proof and f.risk == case.risk
    assert f.evidence["readable_with_credentials"] is True
    assert {"fastapi", "django", "flask"} <= set(f.fix)


def test_without_credentials_allowed_the_risk_is_low():
    case = next(c for c in FIRES if c.rule == "CORS810" and not c.spec.get("credentials"))
    f = case.fired()["CORS810"]
    assert (f.risk, f.severity) == ("low", "info")
    assert f.evidence["proving_origin"] == case.proof
    assert f.evidence["readable_with_credentials"] is False


def test_preflight_rules_fire_on_an_echoing_preflight():
    found = next(c for c in FIRES if c.rule == "CORS824").fired()
    assert {"CORS824", "CORS825", "CORS826"} <= set(found)
    assert found["CORS824"].evidence["allow_methods"] == "XCORSPROBE"


@pytest.mark.parametrize("case", params(QUIET))
def test_exact_allow_list_is_quiet_and_sends_only_safe_methods(case):
    sent = server(case.answers)
    assert by_rule(replay.drive(steps(Target(SCAN_URL, trusted=ORIGIN, **case.spec)), sent.send)) == {}
    assert {r.method for r in sent.sent} == {"GET", "OPTIONS"}


def test_wildcard_is_one_info_finding():
    case = next(c for c in FIRES if c.rule == "CORS823")
    found = case.fired()
    assert set(found) == {"CORS823"} and found["CORS823"].severity == "info"


def test_a_redirect_is_reported_not_followed():
    case = next(c for c in FIRES if c.rule == "CORS827")
    t = scan_trace(case.answers, **case.spec)
    assert all(not p.accepted for p in t.probes)
    assert case.fired()["CORS827"].evidence["locations"] == ["/landing/"]
    assert not [p for p in t.probes if p.exchange.request.url.endswith("/landing/")]


def test_scan_rules_are_silent_on_check_traces():
    # a redirect and an echoed origin in `corsprobe check`: the scan family has no probes
    fired = rules_fired({"GET": (301, [("Location", "/users/")])})
    fired.update(rules_fired({"*": (200, [(ACAO, ORIGIN), ("Access-Control-Allow-Credentials", "true")])},
                             credentials=True))
    fired.update(rules_fired(policy(lambda o: True), probe=True, credentials=True))
    assert "CORS804" in fired  # the check probes found the reflection ...
    assert not [r for r in fired if "CORS810" <= r <= "CORS827"]  # ... the scan rules did not
