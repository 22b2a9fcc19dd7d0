"""Preflight, response, redirect, exposure, caching and security rules: fire and stay quiet
(the table is FAMILY_CASES in cases.py)."""

import pytest

from corsprobe.stack import PROXIES

from .cases import FAMILY_CASES, GOOD, params
from .replay import rules_fired, trace

FIRES = [c for c in FAMILY_CASES if c.rule]
QUIET = [c for c in FAMILY_CASES if not c.rule]
FRAMEWORKS = ("fastapi", "django", "flask", "express")


@pytest.mark.parametrize("case", params(FIRES))
def test_rule_fires(case):
    fired = case.fired()
    assert case.rule in fired, f"{case.rule} did not fire; got {sorted(fired)}"
    finding = fired[case.rule]
    assert case.text in finding.message, finding.message
    assert finding.evidence.get("exchange"), finding.evidence
    assert finding.fix.get("generic")
    # the fixes in the layer in front (nginx, Apache, Caddy, Varnish, a CDN) come on top
    apps = set(finding.fix) - set(PROXIES)
    assert all(finding.fix[k].strip() for k in set(finding.fix) & set(PROXIES)), finding.fix
    if case.fix_mentions is None:
        assert apps == {"generic"}, finding.fix
        return
    # the rule gives a fix for each framework, naming what this exchange needs
    assert apps == {"generic", *FRAMEWORKS}, finding.fix
    for framework in FRAMEWORKS:
        fix = finding.fix[framework]
        assert fix.strip(), framework
        for value in case.fix_mentions:
            assert value in fix, (framework, value, fix)


@pytest.mark.parametrize("case", params(QUIET))
def test_quiet_on_a_correct_exchange(case):
    fired = case.fired()
    assert fired == {}, {k: v.message for k, v in fired.items()}


def test_preflight_401_without_cors_is_explained_once():
    fired = rules_fired({"OPTIONS": (401, []), "*": GOOD}, method="PUT")
    assert set(fired) == {"CORS301"}
    assert "missing Access-Control-Allow-Origin" in fired["CORS301"].message


def test_starlette_400_body_names_the_refused_part():
    case = next(c for c in FIRES if c.rule == "CORS301" and c.text == "Disallowed CORS method")
    t = case.trace()
    assert t.failure.error == "PreflightInvalidStatus"
    fix = case.fired()["CORS301"].fix
    assert "allow_methods" in fix["fastapi"] and '"PUT"' in fix["fastapi"]


def test_cross_origin_redirect_sends_null_to_the_second_origin():
    case = next(c for c in FIRES if c.rule == "CORS502")
    t = trace(case.answers, **case.spec)
    assert t.tainted and [dict(e.request.headers)["Origin"] for e in t.actuals] == [
        "https://app.example.com", "null"]
    finding = case.fired()["CORS502"]
    assert finding.evidence["final_url"] == "https://cdn.example.net/file"
    assert finding.evidence["origin"] == "null"


def test_max_age_fix_uses_the_browsers_own_cap():
    """Safari caps at 600 s: a fix that says 3600 would still be clamped."""
    case = next(c for c in FAMILY_CASES if c.rule == "CORS703" and c.spec.get("browser") == "safari")
    fix = case.fired()["CORS703"].fix
    assert "Access-Control-Max-Age: 600 " in fix["generic"], fix
    assert "max_age=600)" in fix["fastapi"] and "3600" not in str(fix), fix


def test_one_finding_however_many_origins_prove_it():
    """A server reflecting any origin with credentials: the probes find six untrusted origins;
    CORS804 is one finding that names them all (evidence keeps each with its difference)."""
    from corsprobe.engine import findings

    from .cases import ACAC_TRUE, ACAO, ECHO, VARY
    from .replay import trace

    found = findings(trace({"*": (200, [(ACAO, ECHO), ACAC_TRUE, VARY])}, probe=True,
                           credentials=True))
    cors804 = [f for f in found if f.rule == "CORS804"]
    assert len(cors804) == 1, [f.message for f in cors804]
    accepted = cors804[0].evidence["accepted"]
    assert len(accepted) > 1
    assert all(a["difference"] for a in accepted)
    for item in accepted:
        assert item["origin"] in cors804[0].message


def test_a_cached_preflight_is_probed_with_options():
    """A cache that stores OPTIONS answers: the cache probe repeats the preflight, and the fix
    asks for the preflight's request headers in the cache key too."""
    from .cases import ORIGIN
    from .replay import policy, url_keyed_cache

    t = trace(url_keyed_cache(policy(lambda o: o == ORIGIN, credentials=False)), probe=True,
              method="PUT")
    cache = [p for p in t.probes if p.purpose == "cache"]
    assert [p.exchange.request.method for p in cache] == ["OPTIONS"] * 4
    assert all("corsprobe=" in p.exchange.request.url for p in t.probes)
    from corsprobe.engine import findings

    finding = next(f for f in findings(t) if f.rule == "CORS705")
    assert "Access-Control-Request-Headers" in finding.fix["varnish"]
