"""The cookies family: each rule fires on the exchange built for it, with fixes in FastAPI,
Django and Flask terms, never shows a cookie's value, and stays quiet on a correct session
(the table is COOKIE_CASES in cases.py)."""

import json

import pytest

from corsprobe.core import conclude

from .cases import COOKIE_CASES, params

FIRES = [c for c in COOKIE_CASES if c.rule]
QUIET = [c for c in COOKIE_CASES if not c.rule]
FRAMEWORKS = ("fastapi", "django", "flask")


@pytest.mark.parametrize("case", params(FIRES))
def test_rule_fires(case):
    fired = case.fired()
    assert case.rule in fired, f"{case.rule} did not fire; got {sorted(fired)}"
    finding = fired[case.rule]
    assert case.text in finding.message, finding.message
    assert finding.evidence["cookies"], finding.evidence
    assert finding.fix.get("generic")
    for framework in FRAMEWORKS if case.fix_mentions is not None else ():
        fix = finding.fix[framework]
        for value in case.fix_mentions or ():
            assert value.lower() in fix.lower(), (framework, value, fix)


@pytest.mark.parametrize("case", params(QUIET))
def test_quiet_on_a_correct_session(case):
    fired = case.fired()
    assert fired == {}, {k: v.message for k, v in fired.items()}


@pytest.mark.parametrize("case", params(COOKIE_CASES))
def test_no_cookie_value_in_the_report(case):
    text = json.dumps(conclude(case.trace()).data)
    assert "abc123" not in text
    assert '"cookies": [{"name": ' in text
