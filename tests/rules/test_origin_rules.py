"""Origin-matching and credentials rules: each fires on its mistake and stays quiet otherwise."""

import pytest

from .replay import ORIGIN, rules_fired

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"

FIRES = [
    ("CORS101", {"*": (200, [])}, {}),
    ("CORS102", {"*": (200, [(ACAO, ORIGIN + "/")])}, {}),
    ("CORS103", {"*": (200, [(ACAO, "http://app.example.com")])}, {}),
    ("CORS104", {"*": (200, [(ACAO, "https://app.example.com:8443")])}, {}),
    ("CORS104", {"*": (200, [(ACAO, "https://app.example.com:443")])}, {}),
    ("CORS105", {"*": (200, [(ACAO, "https://App.Example.com")])}, {}),
    ("CORS106", {"*": (200, [(ACAO, "https://www.app.example.com")])}, {}),
    ("CORS106", {"*": (200, [(ACAO, "https://admin.example.com")])}, {}),
    ("CORS107", {"*": (200, [(ACAO, "http://127.0.0.1:3000")])}, {"origin": "http://localhost:3000"}),
    ("CORS108", {"*": (200, [(ACAO, ORIGIN), (ACAO, "*")])}, {}),
    ("CORS108", {"*": (200, [(ACAO, f"{ORIGIN}, https://b.example.com")])}, {}),
    ("CORS109", {"*": (200, [(ACAO, "null")])}, {}),
    ("CORS110", {"*": (200, [(ACAO, "https://other.example.org")])}, {}),
    ("CORS110", {"*": (200, [(ACAO, "foo")])}, {}),
    ("CORS201", {"*": (200, [(ACAO, "*"), (ACAC, "true")])}, {"credentials": True}),
    ("CORS202", {"*": (200, [(ACAO, ORIGIN)])}, {"credentials": True}),
    ("CORS203", {"*": (200, [(ACAO, ORIGIN), (ACAC, "True")])}, {"credentials": True}),
    ("CORS203", {"*": (200, [(ACAO, ORIGIN), (ACAC, "true"), (ACAC, "true")])}, {"credentials": True}),
    # on a preflight
    ("CORS101", {"OPTIONS": (204, []), "*": (200, [(ACAO, ORIGIN)])}, {"method": "PUT"}),
    ("CORS102", {"OPTIONS": (204, [(ACAO, ORIGIN + "/")]), "*": (200, [])}, {"method": "PUT"}),
    ("CORS201", {"OPTIONS": (204, [(ACAO, "*")]), "*": (200, [])}, {"method": "PUT", "credentials": True}),
]

VARY = ("Vary", "Origin")
QUIET = [
    ({"*": (200, [(ACAO, ORIGIN), VARY])}, {}),
    ({"*": (200, [(ACAO, "*")])}, {}),
    ({"*": (200, [(ACAO, ORIGIN), (ACAC, "true"), VARY])}, {"credentials": True}),
    ({"OPTIONS": (204, [(ACAO, ORIGIN), ("Access-Control-Allow-Methods", "PUT"),
                        ("Access-Control-Max-Age", "600")]),
      "*": (200, [(ACAO, ORIGIN), VARY])}, {"method": "PUT"}),
]


@pytest.mark.parametrize("rule,table,spec", FIRES)
def test_rule_fires_with_evidence(rule, table, spec):
    fired = rules_fired(table, **spec)
    assert rule in fired, f"{rule} did not fire; got {sorted(fired)}"
    finding = fired[rule]
    assert finding.evidence["exchange"] in ("preflight", "actual[0]")
    assert "status" in finding.evidence and finding.fix["generic"]
    if rule not in ("CORS101", "CORS202"):
        assert finding.evidence["values"], finding.evidence
    assert {"fastapi", "django", "flask"} <= set(finding.fix)


@pytest.mark.parametrize("table,spec", QUIET)
def test_rules_quiet_when_correct(table, spec):
    assert rules_fired(table, **spec) == {}


def test_one_specific_rule_per_mismatch():
    fired = rules_fired({"*": (200, [(ACAO, ORIGIN + "/")])})
    assert set(fired) == {"CORS102"}


def test_error_status_is_blamed_not_the_origin():
    fired = rules_fired({"*": (500, [])})
    assert set(fired) == {"CORS401"}
    assert "answered 500" in fired["CORS401"].message
