"""The rule tables: small recorded exchanges, each built to make one rule fire, or correct.

Every case goes through the real replay (and, like ``corsprobe check``, the origin probes
when ``probe`` is set; or a whole ``corsprobe scan`` when ``scan`` is set) and the real
engine. The family tests (test_origin_rules, test_families, test_scan_rules) assert what
each finding says; test_meta requires every rule of the catalogue to fire in one case and to
stay quiet in another case of its family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from corsprobe.model import Finding, Trace

from .replay import ECHO, ORIGIN, Server, by_rule, policy, scan_trace, trace, url_keyed_cache

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
VARY = ("Vary", "Origin")
MAXAGE = ("Access-Control-Max-Age", "600")


@dataclass(frozen=True)
class Case:
    rule: str | None  # the rule this exchange is built to make fire; None: a correct exchange
    answers: Server
    spec: dict[str, Any] = field(default_factory=dict)  # RequestSpec fields (scan: Target's)
    text: str = ""  # a phrase the finding's message must contain
    # what every framework fix (fastapi, django, flask) must mention; None: the finding has
    # only a generic fix
    fix_mentions: tuple[str, ...] | None = None
    probe: bool = False  # send corsprobe's origin probes after the replay, as `check` does
    scan: bool = False  # a `corsprobe scan` of the URL instead of a `check`
    proof: str | None = None  # scan: the proving origin
    risk: str | None = None  # scan: the finding's risk
    families: tuple[str, ...] = ()  # a correct exchange: the families it is the counterpart of

    def trace(self) -> Trace:
        if self.scan:
            return scan_trace(self.answers, **self.spec)
        return trace(self.answers, probe=self.probe, **self.spec)

    def fired(self) -> dict[str, Finding]:
        return by_rule(self.trace())


def params(cases: list[Case]) -> list[Any]:
    """pytest params named by the rule and the case's rank for that rule."""
    seen: dict[str, int] = {}
    out = []
    for case in cases:
        name = case.rule or "quiet"
        seen[name] = seen.get(name, 0) + 1
        out.append(pytest.param(case, id=f"{name}-{seen[name]}"))
    return out


# --- origin matching and credentials (test_origin_rules) ---------------------------------

ORIGIN_CASES = [
    Case("CORS101", {"*": (200, [])}),
    Case("CORS102", {"*": (200, [(ACAO, ORIGIN + "/")])}),
    Case("CORS103", {"*": (200, [(ACAO, "http://app.example.com")])}),
    Case("CORS104", {"*": (200, [(ACAO, "https://app.example.com:8443")])}),
    Case("CORS104", {"*": (200, [(ACAO, "https://app.example.com:443")])}),
    Case("CORS105", {"*": (200, [(ACAO, "https://App.Example.com")])}),
    Case("CORS106", {"*": (200, [(ACAO, "https://www.app.example.com")])}),
    Case("CORS106", {"*": (200, [(ACAO, "https://admin.example.com")])}),
    Case("CORS107", {"*": (200, [(ACAO, "http://127.0.0.1:3000")])}, {"origin": "http://localhost:3000"}),
    Case("CORS108", {"*": (200, [(ACAO, ORIGIN), (ACAO, "*")])}),
    Case("CORS108", {"*": (200, [(ACAO, f"{ORIGIN}, https://b.example.com")])}),
    Case("CORS109", {"*": (200, [(ACAO, "null")])}),
    Case("CORS110", {"*": (200, [(ACAO, "https://other.example.org")])}),
    Case("CORS110", {"*": (200, [(ACAO, "foo")])}),
    Case("CORS201", {"*": (200, [(ACAO, "*"), (ACAC, "true")])}, {"credentials": True}),
    Case("CORS202", {"*": (200, [(ACAO, ORIGIN)])}, {"credentials": True}),
    Case("CORS203", {"*": (200, [(ACAO, ORIGIN), (ACAC, "True")])}, {"credentials": True}),
    Case("CORS203", {"*": (200, [(ACAO, ORIGIN), (ACAC, "true"), (ACAC, "true")])}, {"credentials": True}),
    # on a preflight
    Case("CORS101", {"OPTIONS": (204, []), "*": (200, [(ACAO, ORIGIN)])}, {"method": "PUT"}),
    Case("CORS102", {"OPTIONS": (204, [(ACAO, ORIGIN + "/")]), "*": (200, [])}, {"method": "PUT"}),
    Case("CORS201", {"OPTIONS": (204, [(ACAO, "*")]), "*": (200, [])}, {"method": "PUT", "credentials": True}),
    # the probes name the configured variant of a refused origin (Starlette and flask-cors
    # omit Allow-Origin for an origin they do not know)
    Case("CORS111", policy(lambda o: o == ORIGIN + "/", credentials=False), text="with a trailing slash",
         probe=True),
    Case("CORS111", policy(lambda o: o == "http://app.example.com", credentials=False), {"method": "PUT"},
         text="with http instead of https", probe=True),
    # ... and when no variant is accepted, the refusal itself is reported (CORS111 is quiet)
    Case("CORS101", policy(lambda o: o == "https://admin.example.org"), probe=True),
    # correct exchanges
    Case(None, {"*": (200, [(ACAO, ORIGIN), VARY])}, families=("origin", "credentials")),
    Case(None, {"*": (200, [(ACAO, "*")])}, families=("origin", "credentials")),
    Case(None, {"*": (200, [(ACAO, ORIGIN), (ACAC, "true"), VARY])}, {"credentials": True},
         families=("origin", "credentials")),
    Case(None, {"OPTIONS": (204, [(ACAO, ORIGIN), ("Access-Control-Allow-Methods", "PUT"), MAXAGE]),
                "*": (200, [(ACAO, ORIGIN), VARY])}, {"method": "PUT"}, families=("origin", "credentials")),
]


# --- preflight, response, redirects, exposure, caching, security (test_families) ---------

ACAO_OK = (ACAO, ORIGIN)
ACAC_TRUE = (ACAC, "true")


def acam(v):
    return ("Access-Control-Allow-Methods", v)


def acah(v):
    return ("Access-Control-Allow-Headers", v)


GOOD_PF = (204, [ACAO_OK, acam("PUT"), acah("content-type, authorization"), MAXAGE])
GOOD = (200, [ACAO_OK, VARY])
JSON = {"headers": (("Content-Type", "application/json"),)}
FILE = "https://api.example.com/file"
CDN = "https://cdn.example.net/file"
TO_CDN = (302, [ACAO_OK, VARY, ("Location", CDN)])
FAMILIES = ("preflight", "response", "redirects", "exposure", "caching", "security", "gates", "kinds")

DJANGO_CSRF_PAGE = (b'<!DOCTYPE html><html lang="en"><head><title>403 Forbidden</title></head><body>'
                    b'<div id="summary"><h1>Forbidden <span>(403)</span></h1>'
                    b"<p>CSRF verification failed. Request aborted.</p></div>"
                    b'<div id="explanation"><p><small>More information is available with '
                    b"DEBUG=True.</small></p></div></body></html>")

FAMILY_CASES = [
    # preflight
    Case("CORS301", {"OPTIONS": (401, [("WWW-Authenticate", "Bearer")]), "*": GOOD}, {"method": "PUT"},
         "authentication", ()),
    Case("CORS301", {"OPTIONS": (401, [ACAO_OK]), "*": GOOD}, {"method": "PUT"}, "authentication", ()),
    Case("CORS301", {"OPTIONS": (405, []), "*": GOOD}, {"method": "PUT"}, "nothing on the server", ()),
    Case("CORS301", {"OPTIONS": (500, []), "*": GOOD}, {"method": "PUT"}, "failed", ()),
    Case("CORS301", {"OPTIONS": (400, [ACAO_OK], b"Disallowed CORS method"), "*": GOOD}, {"method": "PUT"},
         "Disallowed CORS method", ("PUT",)),
    Case("CORS302", {"OPTIONS": (204, [ACAO_OK, acam("GET, POST")]), "*": GOOD}, {"method": "PUT"}, "not PUT",
         ("PUT",)),
    Case("CORS302", {"OPTIONS": (204, [ACAO_OK, acam("PATCH")]), "*": GOOD}, {"method": "patch"},
         "another case", ("patch",)),
    Case("CORS302", {"OPTIONS": (204, [ACAO_OK, ACAC_TRUE, acam("*")]), "*": GOOD},
         {"method": "PUT", "credentials": True}, "literally", ("PUT",)),
    Case("CORS303", {"OPTIONS": (204, [ACAO_OK, acah("x-other")]), "*": GOOD}, {"method": "POST", **JSON},
         "content-type", ("content-type",)),
    Case("CORS304", {"OPTIONS": (204, [ACAO_OK, acah("*"), MAXAGE]), "*": GOOD},
         {"headers": (("Authorization", "Bearer abcdefgh"),)}, "Authorization", ("Authorization",)),
    Case("CORS305", {"OPTIONS": (204, [ACAO_OK, acam("PUT;")]), "*": GOOD}, {"method": "PUT"}, "'PUT;'"),
    # nginx answers OPTIONS itself (`*`, Title-Case), the app the request (lower case, echo)
    Case("CORS306", {"OPTIONS": (204, [(ACAO, "*"), acam("PUT"), ("Server", "nginx/1.22.1")]),
                     "*": (200, [("access-control-allow-origin", ECHO), ("vary", "Origin"),
                                 ("Server", "nginx/1.22.1")])},
         {"method": "PUT"}, "probably nginx"),
    # actual response
    Case("CORS401", {"*": (500, [("Content-Type", "text/plain")])}, {}, "500", ()),
    Case("CORS401", {"*": (403, [])}, {}, "403", ()),
    Case("CORS402", {"OPTIONS": GOOD_PF, "*": (200, [])}, {"method": "PUT"}, "different layers", (ORIGIN,)),
    # Django's CSRF middleware behind a correct CORS answer (the page as DEBUG = False renders it)
    Case("CORS403", {"OPTIONS": (204, [ACAO_OK, ACAC_TRUE, acam("POST"), acah("content-type")]),
                     "*": (403, [ACAO_OK, ACAC_TRUE, VARY], DJANGO_CSRF_PAGE)},
         {"method": "POST", "credentials": True, **JSON}, "CSRF_TRUSTED_ORIGINS"),
    Case("CORS403", {"*": (403, [ACAO_OK, VARY], DJANGO_CSRF_PAGE.replace(
        b"</p>", b"</p><p>You are seeing this message because this site requires a CSRF "
                 b"cookie when submitting forms.</p>", 1))}, {"method": "POST", "body": b"x"},
         "CSRF cookie is missing"),
    # a 403 of the application itself: not the CSRF layer
    Case(None, {"*": (403, [ACAO_OK, VARY], b'{"detail": "Forbidden"}')}, {"method": "POST", "body": b"x"},
         families=("response",)),
    # redirects
    Case("CORS501", {"GET": (301, [("Location", "/users/")])}, {}, "trailing slash", ()),
    Case("CORS501", {"OPTIONS": (301, [("Location", "/users/")]), "*": GOOD}, {"method": "PUT"},
         "may not redirect", ()),
    # api -> cdn: the redirect allows the page, the CDN then sees Origin: null
    Case("CORS502", {f"GET {FILE}": TO_CDN, f"GET {CDN}": (200, [ACAO_OK, VARY])}, {"url": FILE},
         "AllowOriginMismatch", (ORIGIN,)),
    Case("CORS502", {f"GET {FILE}": TO_CDN, f"GET {CDN}": (200, [])}, {"url": FILE},
         "MissingAllowOriginHeader", (ORIGIN,)),
    Case("CORS503", {"GET": (302, [ACAO_OK, ("Location", "https://u:p@cdn.example.net/x")])}, {}, "user:password"),
    # exposure
    Case("CORS601", {"*": (200, [ACAO_OK, VARY, ("X-Total-Count", "3")])}, {"expect_headers": ("X-Total-Count",)},
         "not listed", ("X-Total-Count",)),
    Case("CORS601", {"*": GOOD}, {"expect_headers": ("X-Total-Count",)}, "does not contain"),
    Case("CORS601", {"*": (200, [ACAO_OK, ACAC_TRUE, VARY, ("X-A", "1"), ("Access-Control-Expose-Headers", "*")])},
         {"expect_headers": ("X-A",), "credentials": True}, "exposes nothing", ("X-A",)),
    Case("CORS602", {"*": (200, [ACAO_OK, ACAC_TRUE, VARY, ("Access-Control-Expose-Headers", "*")])},
         {"credentials": True}, "*", ()),
    # caching
    Case("CORS701", {"*": (200, [ACAO_OK])}, {}, "Vary", ("Vary",)),
    Case("CORS702", {"OPTIONS": (204, [ACAO_OK, acam("PUT")]), "*": GOOD}, {"method": "PUT"}, "5 s", ("600",)),
    Case("CORS703", {"OPTIONS": (204, [ACAO_OK, acam("PUT"), ("Access-Control-Max-Age", "86400")]), "*": GOOD},
         {"method": "PUT"}, "7200", ("7200",)),
    Case("CORS703", {"OPTIONS": (204, [ACAO_OK, acam("PUT"), ("Access-Control-Max-Age", "3600")]), "*": GOOD},
         {"method": "PUT", "browser": "safari"}, "600", ("600",)),
    Case("CORS704", {"OPTIONS": (204, [ACAO_OK, acam("PUT"), ("Access-Control-Max-Age", "-1")]), "*": GOOD},
         {"method": "PUT"}, "'-1'", ("600",)),
    # a cache keyed on the URL alone, in front of an app that allows only the page's origin
    Case("CORS705", url_keyed_cache(policy(lambda o: o == ORIGIN, credentials=False)), {},
         "stored for", ("Vary",), probe=True),
    # a CDN that stores preflight answers keyed on the URL alone
    Case("CORS705", url_keyed_cache(policy(lambda o: o == ORIGIN, credentials=False)),
         {"method": "PUT"}, "stored for", ("Vary",), probe=True),
    # the same app behind no cache: the cache probe runs (X-Cache) and proves nothing
    Case(None, policy(lambda o: o == ORIGIN, credentials=False), {}, probe=True,
         families=("caching",)),
    # security
    Case("CORS801", {"OPTIONS": (204, [ACAO_OK, acam("PUT"), acam("PUT, GET"), MAXAGE]), "*": GOOD},
         {"method": "PUT"}, "2 times"),
    Case("CORS802", {"*": (200, [(ACAO, "null"), ACAC_TRUE])}, {"origin": "null", "credentials": True},
         "credentials"),
    Case("CORS803", {"OPTIONS": (204, [ACAO_OK, acam("PUT"), MAXAGE, ("Access-Control-Allow-Private-Network",
                                                                      "true")]),
                     "*": GOOD}, {"method": "PUT"}, "Private-Network"),
    # the origin probes of a request that passed: flask-cors' default origins='*' with
    # supports_credentials reflects every origin ...
    Case("CORS804", {"*": (200, [(ACAO, ECHO), ACAC_TRUE, VARY])}, {"credentials": True},
         "'https://evil.corsprobe.invalid'", ("https://app.example.com",), probe=True),
    Case("CORS804", {"*": (200, [(ACAO, ECHO), ACAC_TRUE, VARY])},
         {"credentials": True, "origin": "https://shop.acme.test"},
         "'https://evil.corsprobe.invalid'", ("https://shop.acme.test", r"acme\.test"), probe=True),
    # ... a pattern anchored only at the start (re.match without $), without credentials
    Case("CORS805", policy(lambda o: re.match(r"https://app\.example\.com", o), credentials=False), {},
         "'https://app.example.com.corsprobe.invalid'", (), probe=True),
    # gates before CORS: an https page and an http:// URL, on the first hop or a redirect hop
    Case("CORS001", {"*": GOOD}, {"url": "http://api.example.com/users"}, "never asked"),
    Case("CORS001", {"GET": (302, [ACAO_OK, VARY, ("Location", "http://api.example.com/v2")]), "*": GOOD},
         {}, "a redirect hop to http://api.example.com/v2"),
    Case("CORS001", {"*": GOOD}, {"url": "http://127.0.0.1:8000/users", "browser": "safari"},
         "mixed content"),
    # Local Network Access: a public page and a loopback or private address
    Case("CORS002", {"*": GOOD}, {"url": "http://127.0.0.1:8000/users", "page_space": "public"},
         "`loopback`"[1:-1]),
    Case("CORS002", {"*": GOOD}, {"page_space": "public", "target_space": "private"},
         "the user's permission is needed"),
    Case("CORS002", {"*": GOOD}, {"url": "http://192.168.1.20/api", "origin": "http://app.example.com",
                                  "page_space": "public"}, "not a secure context"),
    # correct exchanges
    Case(None, {"*": GOOD}, {"url": "http://localhost:8000/users"}, families=("gates",)),
    Case(None, {"*": GOOD}, {"page_space": "private", "target_space": "local"}, families=("gates",)),
    # every kind of request: a font, a module, a crossorigin element refused by CORS
    Case("CORS050", {"*": (200, [])}, {"kind": "font"}, "silently not used",
         ("static",)),
    Case("CORS050", {"*": (200, [(ACAO, "*")])}, {"kind": "module", "crossorigin": "use-credentials"},
         "use-credentials", ("static",)),
    Case("CORS050", {"*": (200, [(ACAO, "https://other.example.org")])},
         {"kind": "img", "crossorigin": "anonymous"}, "img.onerror", ("static",)),
    # no-cors: allowed, but opaque
    Case("CORS051", {"*": (200, [])}, {"kind": "img"}, "taints a canvas"),
    Case("CORS051", {"*": (200, [])}, {"mode": "no-cors"}, "opaque"),
    Case("CORS051", {"*": (200, [])}, {"kind": "beacon", "method": "POST", "body": b"x=1"}, "no-cors"),
    Case("CORS051", {"*": (200, [])}, {"kind": "font", "browser": "safari"},
         "Chrome and Firefox fetch fonts in cors mode"),
    # fetch(url, {mode: "same-origin"}) to another origin
    Case("CORS052", {"*": GOOD}, {"mode": "same-origin"}, "never asked"),
    # a JSON beacon: credentialed cors, preflighted
    Case("CORS053", {"OPTIONS": (204, [(ACAO, "*")]), "*": GOOD},
         {"kind": "beacon", "method": "POST", "body": b"{}", **JSON}, "never delivered",
         ("https://app.example.com",)),
    # correct: fonts and anonymous modules with `*`, an image with crossorigin, a CORS fetch
    Case(None, {"*": (200, [(ACAO, "*")])}, {"kind": "font"}, families=("kinds",)),
    Case(None, {"*": (200, [(ACAO, "*")])}, {"kind": "module"}, families=("kinds",)),
    Case(None, {"*": (200, [ACAO_OK, ACAC_TRUE, VARY])}, {"kind": "img", "crossorigin": "use-credentials"},
         families=("kinds",)),
    Case(None, {"OPTIONS": (204, [ACAO_OK, ACAC_TRUE, acah("content-type"), MAXAGE]),
                "*": (200, [ACAO_OK, ACAC_TRUE, VARY])},
         {"kind": "beacon", "method": "POST", "body": b"{}", **JSON, "send_actual": True},
         families=("kinds",)),
    Case(None, {"*": (200, [(ACAO, "*")])}, {"url": "http://127.0.0.1:8000/users", "page_space": "public",
                                             "browser": "safari", "origin": "http://app.example.com"},
         families=("gates",)),
    Case(None, {"*": GOOD}, {"url": "http://127.0.0.1:8000/users", "browser": "firefox"},
         families=("gates",)),
    Case(None, {"OPTIONS": GOOD_PF, "*": GOOD}, {"method": "PUT", **JSON}, families=FAMILIES),
    Case(None, {"OPTIONS": GOOD_PF, "*": GOOD}, {"method": "PUT", "headers": (("Authorization", "Bearer abcdefgh"),)},
         families=FAMILIES),
    Case(None, {"*": (200, [ACAO_OK, VARY, ("Content-Type", "application/json"), ("X-Total-Count", "3"),
                            ("Access-Control-Expose-Headers", "X-Total-Count")])},
         {"expect_headers": ("X-Total-Count", "content-type")}, families=FAMILIES),
    Case(None, {"*": (200, [(ACAO, "*")])}, families=FAMILIES),
    Case(None, {"GET": (301, [ACAO_OK, VARY, ("Location", "/users/")]), "*": GOOD}, families=FAMILIES),
    Case(None, {"OPTIONS": (204, [ACAO_OK, acam("PUT"), ("Access-Control-Max-Age", "7200")]), "*": GOOD},
         {"method": "PUT"}, families=FAMILIES),
    # a cross-origin redirect to a public file: `*` allows the null origin
    Case(None, {f"GET {FILE}": TO_CDN, f"GET {CDN}": (200, [(ACAO, "*")])}, {"url": FILE}, families=FAMILIES),
    # an exact allow list: every untrusted probe is refused
    Case(None, policy(lambda o: o == ORIGIN), {"credentials": True}, probe=True, families=FAMILIES),
]


# --- cookies (test_families): a credentialed answer that sets a cookie ----------------------

OTHER_SITE = "https://api.other.com/login"
CRED = (ACAO_OK, ACAC_TRUE, VARY)


def _sets(cookie: str, *headers: tuple[str, str], status: int = 200) -> dict:
    return {"*": (status, [*(headers or CRED), ("Set-Cookie", cookie)])}


COOKIE_CASES = [
    Case("CORS901", _sets("session=abc123; Path=/; HttpOnly"),
         {"credentials": True, "url": OTHER_SITE}, "cross-site", ("samesite",)),
    Case("CORS901", _sets("session=abc123; Path=/; SameSite=Lax"),
         {"credentials": True, "url": OTHER_SITE, "browser": "firefox"}, "cross-site"),
    Case("CORS902", _sets("session=abc123; Path=/; SameSite=None"), {"credentials": True},
         "without Secure", ("secure",)),
    Case("CORS903", _sets("session=abc123; Path=/; Secure", (ACAO, ECHO), ACAC_TRUE, VARY),
         {"credentials": True, "url": "http://api.example.com/login",
          "origin": "http://app.example.com"}, "over http", ("https",)),
    Case("CORS904", _sets("session=abc123; Path=/; Domain=other.com"), {"credentials": True},
         "Domain", ("domain",)),
    Case("CORS905", _sets("__Host-session=abc123; Path=/api; Secure"), {"credentials": True},
         "__Host-", ("__Host-session",)),
    Case("CORS906", _sets("session=abc123; Path=/; SameSite=None; Secure"),
         {"credentials": True, "url": OTHER_SITE, "third_party_cookies": "block"},
         "blocks those", ("partitioned",)),
    Case("CORS906", _sets("session=abc123; Path=/; SameSite=None; Secure"),
         {"credentials": True, "url": OTHER_SITE, "browser": "safari"}, "blocks those"),
    Case("CORS906", _sets("session=abc123; Path=/; SameSite=None; Secure"),
         {"credentials": True, "url": OTHER_SITE}, "only while third-party cookies"),
    Case("CORS907", _sets("session=abc123; Path=/", ACAO_OK, VARY), {"credentials": True},
         "stores cookie(s) session"),
    # correct: a same-site API with a Lax session; a Partitioned cross-site one with
    # third-party cookies blocked
    Case(None, _sets("session=abc123; Path=/; HttpOnly; Secure; SameSite=Lax"),
         {"credentials": True}, families=("cookies",)),
    Case(None, _sets("session=abc123; Path=/; Secure; SameSite=None; Partitioned"),
         {"credentials": True, "url": OTHER_SITE, "third_party_cookies": "block"},
         families=("cookies",)),
]

# --- corsprobe scan (test_scan_rules) ----------------------------------------------------


def _scan(rule, allow, proof, risk):
    return Case(rule, policy(allow), {"credentials": True}, scan=True, proof=proof, risk=risk)


SCAN_CASES = [
    _scan("CORS810", lambda o: True, "https://attacker.invalid", "critical"),
    _scan("CORS811", lambda o: o in (ORIGIN, "null"), "null", "critical"),
    _scan("CORS812", lambda o: o.startswith(ORIGIN), "https://app.example.com.attacker.invalid", "critical"),
    _scan("CORS813", lambda o: o.endswith("example.com"), "https://attackerexample.com", "critical"),
    _scan("CORS814", lambda o: re.fullmatch(r"https://app.example.com", o), "https://app.examplexcom", "critical"),
    _scan("CORS815", lambda o: o.endswith(".example.com"), "https://attacker.example.com", "medium"),
    _scan("CORS816", lambda o: o.split("://")[-1] == "app.example.com", "http://app.example.com", "high"),
    _scan("CORS817", lambda o: re.match(r"https://app\.example\.com[^.]", o) or o == ORIGIN,
          "https://app.example.com_.attacker.invalid", "critical"),
    _scan("CORS818", lambda o: o.endswith("@app.example.com") or o == ORIGIN,
          "https://attacker.invalid@app.example.com", "low"),
    _scan("CORS819", lambda o: o.startswith(ORIGIN + ":") or o == ORIGIN, "https://app.example.com:80", "medium"),
    _scan("CORS820", lambda o: o.lower() == ORIGIN, "https://APP.EXAMPLE.COM", "low"),
    _scan("CORS821", lambda o: o in (ORIGIN, "http://localhost"), "http://localhost", "medium"),
    _scan("CORS822", lambda o: o in (ORIGIN, "https://jsfiddle.net"), "https://jsfiddle.net", "critical"),
    # reflection without Allow-Credentials: readable, but only what the attacker could fetch
    Case("CORS810", policy(lambda o: True, credentials=False), scan=True, proof="https://attacker.invalid",
         risk="low"),
    # `*` is public, reported once as information
    Case("CORS823", {"*": (200, [(ACAO, "*")])}, scan=True, text="readable by every origin", risk="info"),
    # preflights that echo whatever is requested
    *(Case(rule, policy(lambda o: True, preflight_echo=True), scan=True, text=text)
      for rule, text in (("CORS824", "a made-up method"), ("CORS825", "a made-up request header"),
                         ("CORS826", "the Authorization header"))),
    # the scanned URL redirects whatever the Origin
    Case("CORS827", {"*": (302, [("Location", "/landing/")])}, scan=True, text="/landing/", risk="info"),
    # an exact allow list, even with echoing preflights
    Case(None, policy(lambda o: o == ORIGIN, preflight_echo=True), {"credentials": True}, scan=True,
         families=("scan",)),
]

ALL_CASES = ORIGIN_CASES + FAMILY_CASES + COOKIE_CASES + SCAN_CASES
