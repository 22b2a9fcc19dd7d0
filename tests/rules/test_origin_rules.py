"""Origin-matching and credentials rules: each fires on its mistake and stays quiet otherwise
(the table is ORIGIN_CASES in cases.py)."""

import pytest

from .cases import ACAO, ORIGIN_CASES, params
from .replay import ORIGIN, rules_fired

FIRES = [c for c in ORIGIN_CASES if c.rule]
QUIET = [c for c in ORIGIN_CASES if not c.rule]


@pytest.mark.parametrize("case", params(FIRES))
def test_rule_fires_with_evidence(case):
    fired = case.fired()
    assert case.rule in fired, f"{case.rule} did not fire; got {sorted(fired)}"
    finding = fired[case.rule]
    assert case.text in finding.message, finding.message
    if case.probe and case.rule == "CORS111":
        # the evidence is the probe whose origin the server accepted
        assert finding.evidence["exchange"].startswith("probe[")
        assert finding.evidence["probe_origin"] in finding.message
    else:
        assert finding.evidence["exchange"] in ("preflight", "actual[0]")
        if case.rule not in ("CORS101", "CORS202"):
            assert finding.evidence["values"], finding.evidence
    assert "status" in finding.evidence and finding.fix["generic"]
    # every origin and credentials fix names the page's origin, for each framework
    page = case.spec.get("origin", ORIGIN)
    for framework in ("fastapi", "django", "flask"):
        assert page in finding.fix[framework], (framework, finding.fix)


@pytest.mark.parametrize("case", params(QUIET))
def test_rules_quiet_when_correct(case):
    assert case.fired() == {}


def test_one_specific_rule_per_mismatch():
    fired = rules_fired({"*": (200, [(ACAO, ORIGIN + "/")])})
    assert set(fired) == {"CORS102"}


def test_error_status_is_blamed_not_the_origin():
    fired = rules_fired({"*": (500, [])})
    assert set(fired) == {"CORS401"}
    assert "answered 500" in fired["CORS401"].message
