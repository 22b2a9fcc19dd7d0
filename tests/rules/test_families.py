"""Preflight, response, redirect, exposure, caching and security rules: fire and stay quiet."""

import pytest

from corsprobe import replay
from corsprobe.engine import findings
from corsprobe.model import Exchange, HttpResponse, RequestSpec

from .replay import ORIGIN, Recorded, rules_fired

ACAO = ("Access-Control-Allow-Origin", ORIGIN)
ACAC = ("Access-Control-Allow-Credentials", "true")
VARY = ("Vary", "Origin")
MAXAGE = ("Access-Control-Max-Age", "600")


def acam(v):
    return ("Access-Control-Allow-Methods", v)


def acah(v):
    return ("Access-Control-Allow-Headers", v)


GOOD_PF = (204, [ACAO, acam("PUT"), acah("content-type, authorization"), MAXAGE])
GOOD = (200, [ACAO, VARY])
JSON = {"headers": (("Content-Type", "application/json"),)}

FIRES = [
    # preflight
    ("CORS301", {"OPTIONS": (401, [("WWW-Authenticate", "Bearer")]), "*": GOOD}, {"method": "PUT"}, "authentication"),
    ("CORS301", {"OPTIONS": (401, [ACAO]), "*": GOOD}, {"method": "PUT"}, "authentication"),
    ("CORS301", {"OPTIONS": (405, []), "*": GOOD}, {"method": "PUT"}, "nothing on the server"),
    ("CORS301", {"OPTIONS": (500, []), "*": GOOD}, {"method": "PUT"}, "failed"),
    ("CORS302", {"OPTIONS": (204, [ACAO, acam("GET, POST")]), "*": GOOD}, {"method": "PUT"}, "not PUT"),
    ("CORS302", {"OPTIONS": (204, [ACAO, acam("PATCH")]), "*": GOOD}, {"method": "patch"}, "another case"),
    ("CORS302", {"OPTIONS": (204, [ACAO, ACAC, acam("*")]), "*": GOOD}, {"method": "PUT", "credentials": True}, "literally"),
    ("CORS303", {"OPTIONS": (204, [ACAO, acah("x-other")]), "*": GOOD}, {"method": "POST", **JSON}, "content-type"),
    ("CORS304", {"OPTIONS": (204, [ACAO, acah("*"), MAXAGE]), "*": GOOD},
     {"headers": (("Authorization", "Bearer abcdefgh"),)}, "Authorization"),
    ("CORS305", {"OPTIONS": (204, [ACAO, acam("PUT;")]), "*": GOOD}, {"method": "PUT"}, "'PUT;'"),
    # actual response
    ("CORS401", {"*": (500, [("Content-Type", "text/plain")])}, {}, "500"),
    ("CORS401", {"*": (403, [])}, {}, "403"),
    ("CORS402", {"OPTIONS": GOOD_PF, "*": (200, [])}, {"method": "PUT"}, "different layers"),
    # redirects
    ("CORS501", {"GET": (301, [("Location", "/users/")])}, {}, "trailing slash"),
    ("CORS501", {"OPTIONS": (301, [("Location", "/users/")]), "*": GOOD}, {"method": "PUT"}, "may not redirect"),
    ("CORS503", {"GET": (302, [ACAO, ("Location", "https://u:p@cdn.example.net/x")])}, {}, "user:password"),
    # exposure
    ("CORS601", {"*": (200, [ACAO, VARY, ("X-Total-Count", "3")])}, {"expect_headers": ("X-Total-Count",)}, "not listed"),
    ("CORS601", {"*": GOOD}, {"expect_headers": ("X-Total-Count",)}, "does not contain"),
    ("CORS601", {"*": (200, [ACAO, ACAC, VARY, ("X-A", "1"), ("Access-Control-Expose-Headers", "*")])},
     {"expect_headers": ("X-A",), "credentials": True}, "exposes nothing"),
    ("CORS602", {"*": (200, [ACAO, ACAC, VARY, ("Access-Control-Expose-Headers", "*")])}, {"credentials": True}, "*"),
    # caching
    ("CORS701", {"*": (200, [ACAO])}, {}, "Vary"),
    ("CORS702", {"OPTIONS": (204, [ACAO, acam("PUT")]), "*": GOOD}, {"method": "PUT"}, "5 s"),
    ("CORS703", {"OPTIONS": (204, [ACAO, acam("PUT"), ("Access-Control-Max-Age", "86400")]), "*": GOOD},
     {"method": "PUT"}, "7200"),
    ("CORS703", {"OPTIONS": (204, [ACAO, acam("PUT"), ("Access-Control-Max-Age", "3600")]), "*": GOOD},
     {"method": "PUT", "browser": "safari"}, "600"),
    ("CORS704", {"OPTIONS": (204, [ACAO, acam("PUT"), ("Access-Control-Max-Age", "-1")]), "*": GOOD},
     {"method": "PUT"}, "'-1'"),
    # security
    ("CORS801", {"OPTIONS": (204, [ACAO, acam("PUT"), acam("PUT, GET"), MAXAGE]), "*": GOOD}, {"method": "PUT"}, "2 times"),
    ("CORS802", {"*": (200, [("Access-Control-Allow-Origin", "null"), ACAC])},
     {"origin": "null", "credentials": True}, "credentials"),
    ("CORS803", {"OPTIONS": (204, [ACAO, acam("PUT"), MAXAGE, ("Access-Control-Allow-Private-Network", "true")]),
                 "*": GOOD}, {"method": "PUT"}, "Private-Network"),
]

QUIET = [
    ({"OPTIONS": GOOD_PF, "*": GOOD}, {"method": "PUT", **JSON}),
    ({"OPTIONS": GOOD_PF, "*": GOOD}, {"method": "PUT", "headers": (("Authorization", "Bearer abcdefgh"),)}),
    ({"*": (200, [ACAO, VARY, ("Content-Type", "application/json"), ("X-Total-Count", "3"),
                  ("Access-Control-Expose-Headers", "X-Total-Count")])},
     {"expect_headers": ("X-Total-Count", "content-type")}),
    ({"*": (200, [("Access-Control-Allow-Origin", "*")])}, {}),
    ({"GET": (301, [ACAO, VARY, ("Location", "/users/")]), "*": GOOD}, {}),
    ({"OPTIONS": (204, [ACAO, acam("PUT"), ("Access-Control-Max-Age", "7200")]), "*": GOOD}, {"method": "PUT"}),
]


@pytest.mark.parametrize("rule,table,spec,text", FIRES)
def test_rule_fires(rule, table, spec, text):
    fired = rules_fired(table, **spec)
    assert rule in fired, f"{rule} did not fire; got {sorted(fired)}"
    finding = fired[rule]
    assert text in finding.message, finding.message
    assert finding.evidence.get("exchange"), finding.evidence
    assert finding.fix.get("generic")


@pytest.mark.parametrize("table,spec", QUIET)
def test_quiet_on_a_correct_exchange(table, spec):
    fired = rules_fired(table, **spec)
    assert fired == {}, {k: v.message for k, v in fired.items()}


def test_preflight_401_without_cors_is_explained_once():
    fired = rules_fired({"OPTIONS": (401, []), "*": GOOD}, method="PUT")
    assert set(fired) == {"CORS301"}
    assert "missing Access-Control-Allow-Origin" in fired["CORS301"].message


def test_starlette_400_body_names_the_refused_part():
    class Starlette(Recorded):
        def send(self, request):
            if request.method == "OPTIONS":
                body = b"Disallowed CORS method"
                return Exchange(request, HttpResponse(400, "Bad Request", (ACAO,), body))
            return super().send(request)

    spec = RequestSpec(url="https://api.example.com/u", origin=ORIGIN, method="PUT")
    t = replay.run(spec, Starlette({"*": GOOD}))
    assert t.failure.error == "PreflightInvalidStatus"
    found = {f.rule: f for f in findings(t)}
    assert "Disallowed CORS method" in found["CORS301"].message
    assert "allow_methods" in found["CORS301"].fix["fastapi"]
