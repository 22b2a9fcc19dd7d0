"""The scan rules (CORS810-CORS827) over recorded exchanges: a policy table answers each
request of a scan by its Origin; each rule fires with its proving origin and stays quiet on an
exact allow list; on a `corsprobe check` trace (no scan probes) they never fire."""

from __future__ import annotations

import re

import pytest

from corsprobe.engine import findings
from corsprobe.model import Exchange, HttpRequest, HttpResponse
from corsprobe.replay import drive
from corsprobe.scan.steps import Target, steps

from .replay import ORIGIN, rules_fired

URL = "https://api.example.com/me"


def policy(allow, credentials=True, preflight_echo=False):
    """A sender: echoes the Origin when ``allow(origin)``; preflights list fixed names, or echo
    the requested ones."""

    def send(request: HttpRequest) -> Exchange:
        req = {k.lower(): v for k, v in request.headers}
        origin = req.get("origin", "")
        headers = [("Vary", "Origin")]
        if allow(origin):
            headers.append(("Access-Control-Allow-Origin", origin))
            if credentials:
                headers.append(("Access-Control-Allow-Credentials", "true"))
            if request.method == "OPTIONS":
                headers.append(("Access-Control-Allow-Methods", req.get(
                    "access-control-request-method", "") if preflight_echo else "GET"))
                headers.append(("Access-Control-Allow-Headers", req.get(
                    "access-control-request-headers", "") if preflight_echo else "content-type"))
        status = 204 if request.method == "OPTIONS" else 200
        return Exchange(request, HttpResponse(status, "", tuple(headers)))

    return send


def scanned(send, **target):
    target.setdefault("trusted", ORIGIN)
    trace = drive(steps(Target(URL, **target)), send)
    return {f.rule: f for f in findings(trace)}


CASES = [
    ("CORS810", lambda o: True, "https://attacker.invalid", "critical"),
    ("CORS811", lambda o: o in (ORIGIN, "null"), "null", "critical"),
    ("CORS812", lambda o: o.startswith(ORIGIN), "https://app.example.com.attacker.invalid", "critical"),
    ("CORS813", lambda o: o.endswith("example.com"), "https://attackerexample.com", "critical"),
    ("CORS814", lambda o: re.fullmatch(r"https://app.example.com", o), "https://app.examplexcom",
     "critical"),
    ("CORS815", lambda o: o.endswith(".example.com"), "https://attacker.example.com", "medium"),
    ("CORS816", lambda o: o.split("://")[-1] == "app.example.com", "http://app.example.com", "high"),
    ("CORS817", lambda o: re.match(r"https://app\.example\.com[^.]", o) or o == ORIGIN,
     "https://app.example.com_.attacker.invalid", "critical"),
    ("CORS818", lambda o: o.endswith("@app.example.com") or o == ORIGIN,
     "https://attacker.invalid@app.example.com", "low"),
    ("CORS819", lambda o: o.startswith(ORIGIN + ":") or o == ORIGIN, "https://app.example.com:80",
     "medium"),
    ("CORS820", lambda o: o.lower() == ORIGIN, "https://APP.EXAMPLE.COM", "low"),
    ("CORS821", lambda o: o in (ORIGIN, "http://localhost"), "http://localhost", "medium"),
    ("CORS822", lambda o: o in (ORIGIN, "https://jsfiddle.net"), "https://jsfiddle.net", "critical"),
]


@pytest.mark.parametrize("rule, allow, origin, risk", CASES, ids=[c[0] for c in CASES])
def test_origin_rule_fires_with_its_proof(rule, allow, origin, risk):
    found = scanned(policy(allow), credentials=True)
    assert rule in found, sorted(found)
    f = found[rule]
    assert f.evidence["proving_origin"] == origin and f.risk == risk
    assert f.evidence["readable_with_credentials"] is True


def test_without_credentials_allowed_the_risk_is_low():
    f = scanned(policy(lambda o: True, credentials=False))["CORS810"]
    assert (f.risk, f.severity) == ("low", "info")


def test_preflight_rules_fire_on_an_echoing_preflight():
    found = scanned(policy(lambda o: True, preflight_echo=True))
    assert {"CORS824", "CORS825", "CORS826"} <= set(found)
    assert found["CORS824"].evidence["allow_methods"] == "XCORSPROBE"


def test_exact_allow_list_is_quiet_and_sends_only_safe_methods():
    sent = []
    send = policy(lambda o: o == ORIGIN, preflight_echo=True)
    found = scanned(lambda r: sent.append(r) or send(r), credentials=True)
    assert found == {}
    assert {r.method for r in sent} == {"GET", "OPTIONS"}


def test_wildcard_is_one_info_finding():
    def star(request: HttpRequest) -> Exchange:
        return Exchange(request, HttpResponse(200, "", (("Access-Control-Allow-Origin", "*"),)))

    found = scanned(star)
    assert set(found) == {"CORS823"} and found["CORS823"].severity == "info"


def test_scan_rules_are_silent_on_check_traces():
    # a redirect and an echoed origin in `corsprobe check`: the scan family has no probes
    fired = rules_fired({"GET": (301, [("Location", "/users/")])})
    fired.update(rules_fired({"*": (200, [("Access-Control-Allow-Origin", ORIGIN),
                                          ("Access-Control-Allow-Credentials", "true")])},
                             credentials=True))
    assert not [r for r in fired if "CORS810" <= r <= "CORS827"]
