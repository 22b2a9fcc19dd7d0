"""The browser differential scenarios, as data.

A scenario is one ``fetch()`` from the page ``http://app.test:PORT/page`` (or
``http://app.test/page`` on port 80 for ``page="app80"``) plus the server's
answers.  Answers are a small routing table keyed by request kind and hop::

    "PREFLIGHT /start"   an OPTIONS with Access-Control-Request-Method, at /s/<name>/start
    "OPTIONS /start"     any OPTIONS (so also the preflight, unless a PREFLIGHT key matched)
    "GET /end"           a GET at /s/<name>/end
    "* /start"           any method at /s/<name>/start
    "GET", "OPTIONS", "*"  any hop

The first key that matches wins, in that order (PREFLIGHT, method, "*"; with
the hop before without).  A request no key matches gets a bare 404.

``page="https"`` serves the page over https (``https://app.test:TLSPORT/page``, the
server's TLS listener with a self-signed certificate the engines are told to accept): the
mixed-content scenarios.

Header values are templates: ``{origin}`` (the page's origin), ``{app}``,
``{api}``, ``{other}`` (``http://<host>.test:PORT``), ``{apis}``
(``https://api.test:TLSPORT``), ``{loopback}`` (``http://127.0.0.1:PORT``),
``{localhost}`` (``http://localhost:PORT``), ``{wwws}`` and ``{apps}``
(``https://www.app.test:TLSPORT``, ``https://app.test:TLSPORT``), ``{port}``, ``{port2}``
(a closed port), ``{name}`` (scenario name) and ``{q}`` (the request's
query string, which carries the nonce ``n=...``; redirects must keep it so the
server log can tie every hop to its run).  Headers go out exactly as listed:
order, case and duplicates are preserved.

The fetch URL is ``url`` (default ``{api}/s/{name}/start``) with ``n=<nonce>``
appended.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .scenario_server import Request, Response

# --------------------------------------------------------------------------
# building blocks


@dataclass(frozen=True)
class R:
    """A canned response."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b"ok\n"
    reason: str | None = None


def r(
    status: int = 200, *headers: tuple[str, str], body: bytes = b"ok\n", reason: str | None = None
) -> R:
    return R(status, tuple(headers), body, reason)


def h(name: str, value: str) -> tuple[str, str]:
    return (name, value)


def acao(value: str = "{origin}") -> tuple[str, str]:
    return ("Access-Control-Allow-Origin", value)


def acac(value: str = "true") -> tuple[str, str]:
    return ("Access-Control-Allow-Credentials", value)


def acam(value: str) -> tuple[str, str]:
    return ("Access-Control-Allow-Methods", value)


def acah(value: str) -> tuple[str, str]:
    return ("Access-Control-Allow-Headers", value)


def aceh(value: str) -> tuple[str, str]:
    return ("Access-Control-Expose-Headers", value)


def loc(value: str) -> tuple[str, str]:
    return ("Location", value)


ACAO = acao()
ACAC = acac()
TEXT = h("Content-Type", "text/plain")
OK = r(200, ACAO, TEXT)  # a plain allowed answer
OK_CRED = r(200, ACAO, ACAC, TEXT)


@dataclass(frozen=True)
class Vars:
    """Template variables for one request."""

    origin: str
    port: int
    name: str
    q: str
    port2: int = 0
    tls_port: int = 0

    def sub(self, s: str) -> str:
        p = self.port
        for key, val in (
            ("{origin}", self.origin),
            ("{app}", f"http://app.test:{p}"),
            ("{apis}", f"https://api.test:{self.tls_port}"),
            ("{wwws}", f"https://www.app.test:{self.tls_port}"),
            ("{apps}", f"https://app.test:{self.tls_port}"),
            ("{api}", f"http://api.test:{p}"),
            ("{loopback}", f"http://127.0.0.1:{p}"),
            ("{private}", f"http://127.0.0.1:{TLS['private']}"),
            ("{apipublic}", f"https://api.test:{TLS['public_tls']}"),
            ("{localhost}", f"http://localhost:{p}"),
            ("{other}", f"http://other.test:{p}"),
            ("{port2}", str(self.port2)),
            ("{port}", str(p)),
            ("{name}", self.name),
            ("{q}", self.q),
        ):
            s = s.replace(key, val)
        return s


DynHandler = Callable[[Request, Vars], R]


@dataclass(frozen=True)
class Scenario:
    name: str
    group: str
    routes: Mapping[str, R | DynHandler]
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False
    body: str | None = None
    url: str = "{api}/s/{name}/start"
    page: str = "app"  # "app": http://app.test:PORT ; "app80": http://app.test (port 80);
    # "https": https://app.test:TLSPORT; "public", "public-https", "private": served from a port
    # the engines count as a public / private address (Local Network Access)
    page_space: str | None = None  # corsprobe --page-space (what the engines were told)
    target_space: str | None = None  # corsprobe --target-space
    note: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    # the kind of request (corsprobe --kind): fetch, xhr, eventsource, img, font, script,
    # module, stylesheet, beacon; with fetch's --mode and an element's --crossorigin
    kind: str = "fetch"
    mode: str | None = None
    crossorigin: str = "none"
    beacon_type: str | None = None  # sendBeacon's Blob type (None: a string body)


# The scenario server's TLS port, set by make_handlers (one server per session).
TLS: dict[str, Any] = {"port": 0, "cert": None, "public": 0, "public_tls": 0, "private": 0}


def origin_for(sc: Scenario, port: int) -> str:
    if sc.page == "https":
        return f"https://app.test:{TLS['port']}"
    if sc.page == "public":
        return f"http://app.test:{TLS['public']}"
    if sc.page == "public-https":
        return f"https://app.test:{TLS['public_tls']}"
    if sc.page == "private":
        return f"http://app.test:{TLS['private']}"
    return "http://app.test" if sc.page == "app80" else f"http://app.test:{port}"


def page_url_for(sc: Scenario, port: int) -> str:
    return origin_for(sc, port) + "/page"


def fetch_url_for(sc: Scenario, port: int, nonce: str) -> str:
    base = Vars(origin_for(sc, port), port, sc.name, "", tls_port=TLS["port"]).sub(sc.url)
    return f"{base}{'&' if '?' in base else '?'}n={nonce}"


def _route(sc: Scenario, req: Request) -> R | DynHandler | None:
    rest = req.rest or "/"
    keys = []
    if req.method == "OPTIONS" and req.header("access-control-request-method") is not None:
        keys += [f"PREFLIGHT {rest}", "PREFLIGHT"]
    keys += [f"{req.method} {rest}", f"* {rest}", req.method, "*"]
    for k in keys:
        if k in sc.routes:
            return sc.routes[k]
    return None


def make_handler(sc: Scenario, port: int, port2: int) -> Callable[[Request], Response]:
    origin = origin_for(sc, port)

    def handle(req: Request) -> Response:
        v = Vars(origin, port, sc.name, req.query, port2, TLS["port"])
        route = _route(sc, req)
        if route is None:
            return Response(404, [("Content-Type", "text/plain")], b"no route in scenario\n")
        ans = route if isinstance(route, R) else route(req, v)
        return Response(
            ans.status, [(v.sub(k), v.sub(val)) for k, val in ans.headers], ans.body, ans.reason
        )

    return handle


def make_handlers(scenarios: list[Scenario], server) -> dict[str, Callable[[Request], Response]]:
    TLS["port"] = getattr(server, "tls_port", 0)
    TLS["cert"] = getattr(server, "cert_file", None)
    TLS["public"] = getattr(server, "public_port", 0)
    TLS["public_tls"] = getattr(server, "public_tls_port", 0)
    TLS["private"] = getattr(server, "private_port", 0)
    return {sc.name: make_handler(sc, server.port, server.closed_port) for sc in scenarios}


# --------------------------------------------------------------------------
# the scenarios

SCENARIOS: list[Scenario] = []


def S(name: str, group: str, routes: Mapping[str, R | DynHandler], **kw) -> Scenario:
    sc = Scenario(name=name, group=group, routes=dict(routes), **kw)
    SCENARIOS.append(sc)
    return sc


# ---- simple GET: Access-Control-Allow-Origin matching ---------------------
G = "simple"
S("get-acao-exact", G, {"GET": OK})
S("get-acao-star", G, {"GET": r(200, acao("*"), TEXT)})
S("get-acao-missing", G, {"GET": r(200, TEXT)})
S("get-acao-trailing-slash", G, {"GET": r(200, acao("{origin}/"))})
S("get-acao-path", G, {"GET": r(200, acao("{origin}/page"))})
S("get-acao-other-scheme", G, {"GET": r(200, acao("https://app.test:{port}"))})
S("get-acao-other-port", G, {"GET": r(200, acao("http://app.test:{port2}"))})
S(
    "get-acao-no-port",
    G,
    {"GET": r(200, acao("http://app.test"))},
    note="origin has a port, ACAO omits it",
)
S(
    "get-acao-default-port-explicit",
    G,
    {"GET": r(200, acao("http://app.test:80"))},
    page="app80",
    note="page origin http://app.test (port 80); ACAO spells the default port",
)
S(
    "get-acao-default-port-plain",
    G,
    {"GET": r(200, acao("http://app.test"))},
    page="app80",
    note="control for the explicit default port case",
)
S("get-acao-upper-host", G, {"GET": r(200, acao("http://APP.test:{port}"))})
S("get-acao-upper-scheme", G, {"GET": r(200, acao("HTTP://app.test:{port}"))})
S("get-acao-subdomain", G, {"GET": r(200, acao("http://www.app.test:{port}"))})
S("get-acao-null", G, {"GET": r(200, acao("null"))})
S("get-acao-two-values-comma", G, {"GET": r(200, acao("{origin}, {other}"))})
S("get-acao-two-values-space", G, {"GET": r(200, acao("{origin} {other}"))})
S("get-acao-two-lines-same", G, {"GET": r(200, ACAO, ACAO)})
S("get-acao-two-lines-star-origin", G, {"GET": r(200, acao("*"), ACAO)})
S("get-acao-two-lines-star-star", G, {"GET": r(200, acao("*"), acao("*"))})
S("get-acao-invalid-foo", G, {"GET": r(200, acao("foo"))})
S("get-acao-empty", G, {"GET": r(200, acao(""))})
S(
    "get-acao-padded-spaces",
    G,
    {"GET": r(200, acao("   {origin}   "))},
    note="surrounding whitespace is not part of a field value (HTTP strips OWS)",
)
S("get-acao-lowercase-name", G, {"GET": r(200, h("access-control-allow-origin", "{origin}"))})
S("get-acao-star-quoted", G, {"GET": r(200, acao('"*"'))})
S("get-500-no-acao", G, {"GET": r(500, TEXT, body=b"boom\n")})
S("get-500-acao", G, {"GET": r(500, ACAO, TEXT, body=b"boom\n")})
S("get-404-no-acao", G, {"GET": r(404, TEXT, body=b"nope\n")})
S("get-404-acao", G, {"GET": r(404, ACAO, TEXT, body=b"nope\n")})
S("head-acao-exact", G, {"HEAD": OK}, method="HEAD")
S("head-acao-missing", G, {"HEAD": r(200, TEXT)}, method="HEAD")

# ---- credentials ---------------------------------------------------------
G = "credentials"
S("cred-star-include", G, {"GET": r(200, acao("*"), TEXT)}, credentials=True)
S("cred-star-acac-include", G, {"GET": r(200, acao("*"), ACAC, TEXT)}, credentials=True)
S("cred-exact-acac-true", G, {"GET": OK_CRED}, credentials=True)
S("cred-exact-acac-missing", G, {"GET": OK}, credentials=True)
S("cred-exact-acac-True", G, {"GET": r(200, ACAO, acac("True"))}, credentials=True)
S("cred-exact-acac-false", G, {"GET": r(200, ACAO, acac("false"))}, credentials=True)
S("cred-exact-acac-empty", G, {"GET": r(200, ACAO, acac(""))}, credentials=True)
S("cred-exact-acac-two-lines", G, {"GET": r(200, ACAO, ACAC, ACAC)}, credentials=True)
S("cred-missing-acao-include", G, {"GET": r(200, ACAC)}, credentials=True)
S(
    "cred-star-acac-without-include",
    G,
    {"GET": r(200, acao("*"), ACAC)},
    note="credentials mode same-origin: * and ACAC are fine",
)
S("cred-exact-acac-True-without-include", G, {"GET": r(200, ACAO, acac("True"))})

# ---- preflight triggers and the safelist ----------------------------------
G = "preflight-trigger"
for m in ("PUT", "DELETE", "PATCH"):
    S(f"pf-{m.lower()}-allowed", G, {"OPTIONS": r(204, ACAO, acam(m)), m: OK}, method=m)
    S(f"pf-{m.lower()}-acam-missing", G, {"OPTIONS": r(204, ACAO), m: OK}, method=m)
S(
    "pf-patch-lower-vs-PATCH",
    G,
    {"OPTIONS": r(204, ACAO, acam("PATCH")), "patch": OK},
    method="patch",
    note="patch is not normalised; ACAM compared case-sensitively",
)
S(
    "pf-patch-lower-vs-patch",
    G,
    {"OPTIONS": r(204, ACAO, acam("patch")), "patch": OK},
    method="patch",
)
S(
    "pf-delete-lower-normalized",
    G,
    {"OPTIONS": r(204, ACAO, acam("DELETE")), "DELETE": OK},
    method="delete",
    note="fetch() upper-cases delete",
)
S("pf-put-acam-star", G, {"OPTIONS": r(204, ACAO, acam("*")), "PUT": OK}, method="PUT")
S(
    "pf-put-acam-star-cred",
    G,
    {"OPTIONS": r(204, ACAO, ACAC, acam("*")), "PUT": OK_CRED},
    method="PUT",
    credentials=True,
)
S(
    "pf-put-acam-star-and-put-cred",
    G,
    {"OPTIONS": r(204, ACAO, ACAC, acam("*, PUT")), "PUT": OK_CRED},
    method="PUT",
    credentials=True,
)
S(
    "pf-options-method",
    G,
    {"PREFLIGHT": r(204, ACAO, acam("OPTIONS")), "OPTIONS": r(200, ACAO, TEXT)},
    method="OPTIONS",
)
S(
    "pf-custom-method",
    G,
    {"OPTIONS": r(204, ACAO, acam("PROPFIND")), "PROPFIND": OK},
    method="PROPFIND",
)

# POST bodies and Content-Type
S(
    "simple-post-text-plain",
    G,
    {"POST": OK},
    method="POST",
    headers=(("Content-Type", "text/plain"),),
    body="hello",
)
S(
    "simple-post-form-urlencoded",
    G,
    {"POST": OK},
    method="POST",
    headers=(("Content-Type", "application/x-www-form-urlencoded"),),
    body="a=1",
)
S(
    "simple-post-multipart-boundary",
    G,
    {"POST": OK},
    method="POST",
    headers=(("Content-Type", "multipart/form-data; boundary=x"),),
    body="--x--\r\n",
)
S(
    "simple-post-text-plain-charset",
    G,
    {"POST": OK},
    method="POST",
    headers=(("Content-Type", "text/plain; charset=utf-8"),),
    body="hello",
)
S(
    "simple-post-Text-Plain-case",
    G,
    {"POST": OK},
    method="POST",
    headers=(("Content-Type", "Text/Plain"),),
    body="hello",
)
S(
    "simple-post-no-content-type",
    G,
    {"POST": OK},
    method="POST",
    body="hello",
    note="a string body gets text/plain;charset=UTF-8 from fetch()",
)
S(
    "pf-post-json-acah-missing",
    G,
    {"OPTIONS": r(204, ACAO), "POST": OK},
    method="POST",
    headers=(("Content-Type", "application/json"),),
    body="{}",
)
S(
    "pf-post-json-allowed",
    G,
    {"OPTIONS": r(204, ACAO, acah("Content-Type")), "POST": OK},
    method="POST",
    headers=(("Content-Type", "application/json"),),
    body="{}",
)
S(
    "pf-post-ctype-quote-byte",
    G,
    {"OPTIONS": r(204, ACAO), "POST": OK},
    method="POST",
    headers=(("Content-Type", 'text/plain; charset="utf-8"'),),
    body="hello",
    note='" is a CORS-unsafe request-header byte',
)
S(
    "pf-post-ctype-unparsable",
    G,
    {"OPTIONS": r(204, ACAO), "POST": OK},
    method="POST",
    headers=(("Content-Type", "text/plain/x"),),
    body="hello",
)

# custom / unsafe headers
XC = (("X-Custom", "1"),)
S("pf-xcustom-exact", G, {"OPTIONS": r(204, ACAO, acah("X-Custom")), "GET": OK}, headers=XC)
S("pf-xcustom-other-case", G, {"OPTIONS": r(204, ACAO, acah("x-CUSTOM")), "GET": OK}, headers=XC)
S("pf-xcustom-star", G, {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK}, headers=XC)
S(
    "pf-xcustom-star-cred",
    G,
    {"OPTIONS": r(204, ACAO, ACAC, acah("*")), "GET": OK_CRED},
    headers=XC,
    credentials=True,
)
S("pf-xcustom-acah-missing", G, {"OPTIONS": r(204, ACAO), "GET": OK}, headers=XC)
S(
    "pf-two-custom-one-allowed",
    G,
    {"OPTIONS": r(204, ACAO, acah("X-B")), "GET": OK},
    headers=(("X-B", "1"), ("X-A", "1")),
    note="which name is reported when several fail",
)
S(
    "pf-two-custom-both-fail",
    G,
    {"OPTIONS": r(204, ACAO, acah("X-C")), "GET": OK},
    headers=(("X-B", "1"), ("X-A", "1")),
    note="two names fail: which one is reported",
)
S(
    "pf-three-custom-all-fail",
    G,
    {"OPTIONS": r(204, ACAO, acah("X-Other")), "GET": OK},
    headers=(("X-Zeta", "1"), ("X-Alpha", "1"), ("X-Mid", "1")),
    note="three names fail: which one is reported",
)
S(
    "pf-authorization-acah-star",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("Authorization", "Bearer abc"),),
    note="spec: * never covers Authorization; Chromium still allows it",
)
S(
    "pf-authorization-explicit",
    G,
    {"OPTIONS": r(204, ACAO, acah("Authorization")), "GET": OK},
    headers=(("Authorization", "Bearer abc"),),
)
S(
    "pf-authorization-missing",
    G,
    {"OPTIONS": r(204, ACAO, acah("X-Other")), "GET": OK},
    headers=(("Authorization", "Bearer abc"),),
)

# safelisted names with safe / unsafe values
S("simple-accept-safe", G, {"GET": OK}, headers=(("Accept", "application/json"),))
S(
    "pf-accept-unsafe-byte",
    G,
    {"OPTIONS": r(204, ACAO), "GET": OK},
    headers=(("Accept", "text/html(x)"),),
)
S("simple-accept-language-safe", G, {"GET": OK}, headers=(("Accept-Language", "en-US,en;q=0.9"),))
S(
    "pf-accept-language-unsafe",
    G,
    {"OPTIONS": r(204, ACAO), "GET": OK},
    headers=(("Accept-Language", "en_US"),),
)
S("simple-content-language-safe", G, {"GET": OK}, headers=(("Content-Language", "de-DE"),))
S(
    "pf-content-language-unsafe",
    G,
    {"OPTIONS": r(204, ACAO), "GET": OK},
    headers=(("Content-Language", "de/DE"),),
)
S("simple-range-bytes", G, {"GET": r(206, ACAO, TEXT)}, headers=(("Range", "bytes=0-100"),))
S("simple-range-open", G, {"GET": r(206, ACAO, TEXT)}, headers=(("Range", "bytes=5-"),))
S(
    "pf-range-suffix",
    G,
    {"OPTIONS": r(204, ACAO, acah("range")), "GET": r(206, ACAO, TEXT)},
    headers=(("Range", "bytes=-500"),),
)
S(
    "pf-range-multi",
    G,
    {"OPTIONS": r(204, ACAO, acah("range")), "GET": r(206, ACAO, TEXT)},
    headers=(("Range", "bytes=0-1,5-6"),),
)
S("simple-accept-128-bytes", G, {"GET": OK}, headers=(("Accept", "a/" + "b" * 126),))
S(
    "pf-accept-129-bytes",
    G,
    {"OPTIONS": r(204, ACAO, acah("accept")), "GET": OK},
    headers=(("Accept", "a/" + "b" * 127),),
)

# client hints (Chromium-only safelist entries) and the 1024-byte total
HINTS = (
    ("DPR", "2"),
    ("Width", "100"),
    ("Viewport-Width", "100"),
    ("Device-Memory", "4"),
    ("RTT", "50"),
    ("Downlink", "1.5"),
    ("ECT", "4g"),
    ("Save-Data", "on"),
)
for hname, hval in HINTS:
    S(
        f"hint-{hname.lower()}",
        G,
        {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
        headers=((hname, hval),),
        note="Chromium safelists some client hints (value rules apply)",
    )
S(
    "hint-dpr-not-a-number",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("DPR", "abc"),),
)
S(
    "hint-save-data-off",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("Save-Data", "off"),),
)
S(
    "hint-intervention",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("Intervention", "<https://example.invalid/x>"),),
)

S(
    "hint-save-data-upper",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("Save-Data", "ON"),),
)
S(
    "hint-ect-5g",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("ECT", "5g"),),
    note="ECT must be one of the effective connection types",
)
S(
    "hint-rtt-fraction",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("RTT", "50.5"),),
    note="RTT must be an integer",
)
S(
    "hint-width-128-digits",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("Width", "1" * 128),),
)
S(
    "hint-sec-ch-ua",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("Sec-CH-UA", '"x";v="1"'),),
    note="Sec- headers are forbidden: fetch() drops them silently",
)
S(
    "pf-range-huge-number",
    G,
    {"OPTIONS": r(204, ACAO, acah("range")), "GET": r(206, ACAO, TEXT)},
    headers=(("Range", "bytes=0-" + "1" * 120),),
    note="Chromium parses the range; a number that overflows is not safelisted",
)

# The 1024-byte total of safelisted values (spec and Chromium): over it, every
# safelisted name is listed in Access-Control-Request-Headers.
_SPEC4 = (
    ("Accept", "a/" + "b" * 126),  # 128 bytes each
    ("Accept-Language", "e" * 128),
    ("Content-Language", "d" * 128),
    ("Content-Type", "text/plain;a=" + "x" * 115),
)
_HINT4 = (
    ("DPR", "1." + "0" * 126),
    ("Width", "1" * 128),
    ("Viewport-Width", "2" * 128),
    ("Downlink", "1." + "5" * 126),
)
S(
    "total-safelisted-512",
    G,
    {"GET": OK},
    headers=_SPEC4,
    note="four 128-byte safelisted values: 512 bytes",
)
S(
    "total-safelisted-1024",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=_SPEC4 + _HINT4,
    note="exactly 1024 bytes of safelisted values (client hints count)",
)
S(
    "total-safelisted-1025",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=_SPEC4 + _HINT4 + (("Device-Memory", "4"),),
    note="1025 bytes: every safelisted name becomes CORS-unsafe",
)
S(
    "total-safelisted-1025-acah-partial",
    G,
    {"OPTIONS": r(204, ACAO, acah("accept")), "GET": OK},
    headers=_SPEC4 + _HINT4 + (("Device-Memory", "4"),),
    note="which name is reported when the over-1024 names are not allowed",
)

# ---- preflight check order -----------------------------------------------
G = "preflight-order"
PUT = {"method": "PUT"}
for st in (401, 403, 404, 500):
    S(f"pf-{st}-bare", G, {"OPTIONS": r(st, TEXT, body=b"no\n"), "PUT": OK}, **PUT)
    S(
        f"pf-{st}-acao",
        G,
        {"OPTIONS": r(st, ACAO, acam("PUT"), TEXT, body=b"no\n"), "PUT": OK},
        **PUT,
    )
S("pf-200-ok", G, {"OPTIONS": r(200, ACAO, acam("PUT")), "PUT": OK}, **PUT)
S("pf-204-ok", G, {"OPTIONS": r(204, ACAO, acam("PUT")), "PUT": OK}, **PUT)
S("pf-206-ok", G, {"OPTIONS": r(206, ACAO, acam("PUT")), "PUT": OK}, **PUT)
S("pf-299-ok", G, {"OPTIONS": r(299, ACAO, acam("PUT"), reason="Odd"), "PUT": OK}, **PUT)
for st in (301, 302, 307):
    S(f"pf-{st}-bare", G, {"OPTIONS": r(st, loc("{api}/s/{name}/end?{q}")), "PUT": OK}, **PUT)
    S(
        f"pf-{st}-acao",
        G,
        {"OPTIONS": r(st, ACAO, acam("PUT"), loc("{api}/s/{name}/end?{q}")), "PUT": OK},
        **PUT,
    )
S(
    "pf-acao-mismatch",
    G,
    {"OPTIONS": r(204, acao("http://evil.test"), acam("PUT")), "PUT": OK},
    **PUT,
)
S(
    "pf-acao-star-no-cred",
    G,
    {"OPTIONS": r(204, acao("*"), acam("PUT")), "PUT": r(200, acao("*"))},
    **PUT,
)
S(
    "pf-acao-star-cred",
    G,
    {"OPTIONS": r(204, acao("*"), ACAC, acam("PUT")), "PUT": OK_CRED},
    credentials=True,
    **PUT,
)
S(
    "pf-acac-missing-cred",
    G,
    {"OPTIONS": r(204, ACAO, acam("PUT")), "PUT": OK_CRED},
    credentials=True,
    **PUT,
)
S(
    "pf-acac-missing-cred-401",
    G,
    {"OPTIONS": r(401, ACAO, acam("PUT")), "PUT": OK_CRED},
    credentials=True,
    note="ACAC is checked before the status",
    **PUT,
)
S("pf-acao-two-lines", G, {"OPTIONS": r(204, ACAO, ACAO, acam("PUT")), "PUT": OK}, **PUT)
S("pf-acao-invalid", G, {"OPTIONS": r(204, acao("foo"), acam("PUT")), "PUT": OK}, **PUT)
S("pf-acao-null", G, {"OPTIONS": r(204, acao("null"), acam("PUT")), "PUT": OK}, **PUT)
S("pf-acam-invalid-semicolon", G, {"OPTIONS": r(204, ACAO, acam("PUT;")), "PUT": OK}, **PUT)
S("pf-acam-invalid-paren", G, {"OPTIONS": r(204, ACAO, acam("(bad), PUT")), "PUT": OK}, **PUT)
S("pf-acam-empty-items", G, {"OPTIONS": r(204, ACAO, acam("PUT,,GET")), "PUT": OK}, **PUT)
S("pf-acam-trailing-comma", G, {"OPTIONS": r(204, ACAO, acam("PUT,")), "PUT": OK}, **PUT)
S("pf-acam-empty-value", G, {"OPTIONS": r(204, ACAO, acam("")), "PUT": OK}, **PUT)
S("pf-acam-lower-put", G, {"OPTIONS": r(204, ACAO, acam("put")), "PUT": OK}, **PUT)
S("pf-acam-spaces", G, {"OPTIONS": r(204, ACAO, acam("GET , PUT ,DELETE")), "PUT": OK}, **PUT)
S("pf-acam-two-lines", G, {"OPTIONS": r(204, ACAO, acam("GET"), acam("PUT")), "PUT": OK}, **PUT)
S(
    "pf-acam-invalid-status-401",
    G,
    {"OPTIONS": r(401, ACAO, acam("PUT;")), "PUT": OK},
    note="status before ACAM parse",
    **PUT,
)
S(
    "pf-acam-invalid-method-ok",
    G,
    {"OPTIONS": r(204, ACAO, acam("(bad)")), "POST": OK},
    method="POST",
    headers=(("Content-Type", "application/json"),),
    body="{}",
    note="ACAM unparsable although POST needs no ACAM entry",
)
S("pf-acah-invalid-paren", G, {"OPTIONS": r(204, ACAO, acah("(bad)")), "GET": OK}, headers=XC)
S(
    "pf-acah-empty-items",
    G,
    {"OPTIONS": r(204, ACAO, acah("x-other,,x-custom")), "GET": OK},
    headers=XC,
)
S(
    "pf-acah-invalid-acam-missing",
    G,
    {"OPTIONS": r(204, ACAO, acah("a b")), "PUT": OK},
    headers=XC,
    note="both method and header fail: which is reported",
    **PUT,
)
S("pf-method-and-header-fail", G, {"OPTIONS": r(204, ACAO), "PUT": OK}, headers=XC, **PUT)
S("pf-actual-acao-missing", G, {"OPTIONS": r(204, ACAO, acam("PUT")), "PUT": r(200, TEXT)}, **PUT)
S(
    "pf-actual-acao-mismatch",
    G,
    {"OPTIONS": r(204, ACAO, acam("PUT")), "PUT": r(200, acao("http://evil.test"))},
    **PUT,
)
S(
    "pf-actual-cred-acac-missing",
    G,
    {"OPTIONS": r(204, ACAO, ACAC, acam("PUT")), "PUT": r(200, ACAO)},
    credentials=True,
    **PUT,
)
S(
    "pf-max-age-huge",
    G,
    {"OPTIONS": r(204, ACAO, acam("PUT"), h("Access-Control-Max-Age", "86400")), "PUT": OK},
    **PUT,
)


# ---- redirects -----------------------------------------------------------
G = "redirect"
END_API = "{api}/s/{name}/end?{q}"
END_OTHER = "{other}/s/{name}/end?{q}"
END_APP = "{app}/s/{name}/end?{q}"


def hop(status: int, to: str, *headers: tuple[str, str]) -> R:
    return r(status, *headers, loc(to), body=b"")


S("redir-same-host-acao-both", G, {"GET /start": hop(302, END_API, ACAO), "GET /end": OK})
S("redir-relative-location", G, {"GET /start": hop(302, "/s/{name}/end?{q}", ACAO), "GET /end": OK})
S("redir-hop-acao-missing", G, {"GET /start": hop(302, END_API), "GET /end": OK})
S("redir-final-acao-missing", G, {"GET /start": hop(302, END_API, ACAO), "GET /end": r(200)})
S(
    "redir-final-acao-mismatch",
    G,
    {"GET /start": hop(302, END_API, ACAO), "GET /end": r(200, acao("http://evil.test"))},
)
S("redir-301-acao-both", G, {"GET /start": hop(301, END_API, ACAO), "GET /end": OK})
S("redir-308-acao-both", G, {"GET /start": hop(308, END_API, ACAO), "GET /end": OK})
S(
    "redir-cross-final-acao-origin",
    G,
    {"GET /start": hop(302, END_OTHER, ACAO), "GET /end": OK},
    note="api -> other taints the origin: the final hop is checked against 'null'",
)
S(
    "redir-cross-final-acao-null",
    G,
    {"GET /start": hop(302, END_OTHER, ACAO), "GET /end": r(200, acao("null"))},
)
S(
    "redir-cross-final-acao-star",
    G,
    {"GET /start": hop(302, END_OTHER, ACAO), "GET /end": r(200, acao("*"))},
)
S(
    "redir-cross-final-acao-missing",
    G,
    {"GET /start": hop(302, END_OTHER, ACAO), "GET /end": r(200)},
)
S(
    "redir-cross-two-hops-null",
    G,
    {
        "GET /start": hop(302, END_OTHER, ACAO),
        "GET /end": hop(302, "{api}/s/{name}/last?{q}", acao("null")),
        "GET /last": r(200, acao("null")),
    },
    note="api -> other -> api: still tainted",
)
S(
    "redir-to-initiator-origin",
    G,
    {"GET /start": hop(302, END_APP, ACAO), "GET /end": r(200, TEXT)},
    note="api -> app (the page's own origin) without ACAO",
)
S(
    "redir-to-initiator-origin-acao-null",
    G,
    {"GET /start": hop(302, END_APP, ACAO), "GET /end": r(200, acao("null"))},
)
S(
    "redir-two-hops-final-acao-missing",
    G,
    {
        "GET /start": hop(302, "{api}/s/{name}/mid?{q}", ACAO),
        "GET /mid": hop(302, END_API, ACAO),
        "GET /end": r(200),
    },
    note="which URL does '(redirected from ...)' name after two hops",
)
S(
    "redir-first-hop-from-other",
    G,
    {"GET /start": hop(302, END_API, ACAO), "GET /end": OK},
    url="{other}/s/{name}/start",
    note="other -> api: taints too",
)
S(
    "redir-userinfo-other",
    G,
    {
        "GET /start": hop(302, "http://user:pass@other.test:{port}/s/{name}/end?{q}", ACAO),
        "GET /end": r(200, acao("*")),
    },
)
S(
    "redir-userinfo-same-host",
    G,
    {
        "GET /start": hop(302, "http://user:pass@api.test:{port}/s/{name}/end?{q}", ACAO),
        "GET /end": OK,
    },
)
S(
    "redir-username-only",
    G,
    {"GET /start": hop(302, "http://user@api.test:{port}/s/{name}/end?{q}", ACAO), "GET /end": OK},
)
S("redir-ftp-scheme", G, {"GET /start": hop(302, "ftp://api.test:{port}/s/{name}/end", ACAO)})
S("redir-data-scheme", G, {"GET /start": hop(302, "data:text/plain,hi", ACAO)})
S("redir-javascript-scheme", G, {"GET /start": hop(302, "javascript:alert(1)", ACAO)})
S(
    "redir-closed-port",
    G,
    {"GET /start": hop(302, "http://api.test:{port2}/s/{name}/end?{q}", ACAO)},
    note="redirect to a closed port: a network error, no CORS error",
)
S("redir-loop-self", G, {"GET /start": hop(302, "{api}/s/{name}/start?{q}", ACAO)})


def _counting(limit: int) -> DynHandler:
    """/start -> /hop/1 -> ... -> /hop/limit -> 200 with ACAO."""

    def handler(req: Request, v: Vars) -> R:
        i = 0 if req.rest == "/start" else int(req.rest.rsplit("/", 1)[1])
        if i >= limit:
            return OK
        return hop(302, f"{{api}}/s/{{name}}/hop/{i + 1}?{{q}}", ACAO)

    return handler


S("redir-20-hops", G, {"GET": _counting(20)}, note="20 redirects are allowed")
S("redir-21-hops", G, {"GET": _counting(21)}, note="the 21st redirect fails")
S(
    "redir-303-after-post",
    G,
    {"POST /start": hop(303, END_API, ACAO), "GET /end": OK},
    method="POST",
    headers=(("Content-Type", "text/plain"),),
    body="hello",
)
S(
    "redir-302-post",
    G,
    {"POST /start": hop(302, END_API, ACAO), "GET /end": OK, "POST /end": OK},
    method="POST",
    headers=(("Content-Type", "text/plain"),),
    body="hello",
)
S(
    "redir-307-post",
    G,
    {"POST /start": hop(307, END_API, ACAO), "POST /end": OK},
    method="POST",
    headers=(("Content-Type", "text/plain"),),
    body="hello",
)
S(
    "redir-302-star-cred",
    G,
    {"GET /start": hop(302, END_API, acao("*"), ACAC), "GET /end": OK_CRED},
    credentials=True,
)
S(
    "redir-302-cred-exact",
    G,
    {"GET /start": hop(302, END_API, ACAO, ACAC), "GET /end": OK_CRED},
    credentials=True,
)
S(
    "redir-302-cred-acac-missing-hop",
    G,
    {"GET /start": hop(302, END_API, ACAO), "GET /end": OK_CRED},
    credentials=True,
)
S(
    "redir-cross-cred-null",
    G,
    {"GET /start": hop(302, END_OTHER, ACAO, ACAC), "GET /end": r(200, acao("null"), ACAC)},
    credentials=True,
)
# preflighted requests that get redirected
PF_PUT_OK = r(204, ACAO, acam("PUT"))
S(
    "redir-pf-307-same-host",
    G,
    {
        "OPTIONS /start": PF_PUT_OK,
        "PUT /start": hop(307, END_API, ACAO),
        "OPTIONS /end": PF_PUT_OK,
        "PUT /end": OK,
    },
    method="PUT",
    note="a redirected preflighted request is restarted: a second preflight?",
)
S(
    "redir-pf-307-cross-null-ok",
    G,
    {
        "OPTIONS /start": PF_PUT_OK,
        "PUT /start": hop(307, END_OTHER, ACAO),
        "OPTIONS /end": r(204, acao("null"), acam("PUT")),
        "PUT /end": r(200, acao("null")),
    },
    method="PUT",
    note="the second preflight goes to other.test with Origin: null?",
)
S(
    "redir-pf-307-cross-origin-acao",
    G,
    {
        "OPTIONS /start": PF_PUT_OK,
        "PUT /start": hop(307, END_OTHER, ACAO),
        "OPTIONS /end": r(204, ACAO, acam("PUT")),
        "PUT /end": OK,
    },
    method="PUT",
)
S(
    "redir-pf-302-put",
    G,
    {
        "OPTIONS /start": PF_PUT_OK,
        "PUT /start": hop(302, END_API, ACAO),
        "OPTIONS /end": PF_PUT_OK,
        "PUT /end": OK,
        "GET /end": OK,
    },
    method="PUT",
    note="302 keeps PUT (only POST becomes GET)",
)
S(
    "redir-pf-hop-acao-missing",
    G,
    {
        "OPTIONS /start": PF_PUT_OK,
        "PUT /start": hop(307, END_API),
        "OPTIONS /end": PF_PUT_OK,
        "PUT /end": OK,
    },
    method="PUT",
)
S(
    "redir-pf-json-303",
    G,
    {
        "OPTIONS /start": r(204, ACAO, acah("content-type")),
        "POST /start": hop(303, END_API, ACAO),
        "GET /end": OK,
        "OPTIONS /end": r(204, ACAO, acah("content-type")),
    },
    method="POST",
    headers=(("Content-Type", "application/json"),),
    body="{}",
    note="303 turns POST into GET and drops Content-Type: does the new hop need a preflight?",
)
S(
    "redir-pf-xcustom-cross",
    G,
    {
        "OPTIONS /start": r(204, ACAO, acah("x-custom")),
        "GET /start": hop(302, END_OTHER, ACAO),
        "OPTIONS /end": r(204, acao("null"), acah("x-custom")),
        "GET /end": r(200, acao("null")),
    },
    headers=XC,
)

# ---- response header exposure ------------------------------------------------
G = "expose"
XH = (h("X-Custom", "1"), h("X-Other", "2"), TEXT)
S("expose-none", G, {"GET": r(200, ACAO, *XH)})
S("expose-aceh-names", G, {"GET": r(200, ACAO, aceh("X-Custom, X-Other"), *XH)})
S("expose-aceh-one-name-case", G, {"GET": r(200, ACAO, aceh("x-CUSTOM"), *XH)})
S("expose-aceh-two-lines", G, {"GET": r(200, ACAO, aceh("X-Custom"), aceh("X-Other"), *XH)})
S("expose-aceh-star", G, {"GET": r(200, ACAO, aceh("*"), *XH)})
S("expose-aceh-star-cred", G, {"GET": r(200, ACAO, ACAC, aceh("*"), *XH)}, credentials=True)
S(
    "expose-aceh-star-and-name-cred",
    G,
    {"GET": r(200, ACAO, ACAC, aceh("*, X-Other"), *XH)},
    credentials=True,
)
S(
    "expose-set-cookie-listed",
    G,
    {"GET": r(200, ACAO, aceh("Set-Cookie, X-Custom"), h("Set-Cookie", "a=b"), *XH)},
)
S("expose-set-cookie-star", G, {"GET": r(200, ACAO, aceh("*"), h("Set-Cookie", "a=b"), *XH)})
S("expose-aceh-invalid-token", G, {"GET": r(200, ACAO, aceh("X-Custom, (bad)"), *XH)})
S(
    "expose-safelisted-all",
    G,
    {
        "GET": r(
            200,
            ACAO,
            h("Cache-Control", "no-cache"),
            h("Content-Language", "en"),
            h("Content-Type", "text/plain"),
            h("Expires", "0"),
            h("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT"),
            h("Pragma", "no-cache"),
            h("X-Hidden", "1"),
            h("Date", "Mon, 01 Jan 2024 00:00:00 GMT"),
            h("Server", "scenario"),
            h("Vary", "Origin"),
        )
    },
    note="Content-Length is appended by the server",
)
S("expose-star-acao", G, {"GET": r(200, acao("*"), aceh("X-Custom"), *XH)})
S(
    "expose-after-redirect",
    G,
    {
        "GET /start": hop(302, END_API, ACAO, aceh("X-Custom"), h("X-Custom", "hop")),
        "GET /end": r(200, ACAO, aceh("X-Other"), *XH),
    },
)
S("expose-error-status", G, {"GET": r(500, ACAO, aceh("X-Custom"), *XH)})

# ---- same-origin requests: no preflight, no CORS filter on the response ----------
G = "same-origin"
_SO_HEADERS = (
    h("ETag", '"v1"'),
    h("X-Request-ID", "abc-123"),
    h("X-Custom", "1"),
    TEXT,
    h("Set-Cookie", "so=1; Path=/"),
    h("Set-Cookie2", "so2=1"),
)
S(
    "same-origin-put-json",
    G,
    {"PUT": r(200, *_SO_HEADERS)},
    url="{app}/s/{name}/start",
    method="PUT",
    headers=(("X-Request-ID", "abc-123"), ("Content-Type", "application/json")),
    body="{}",
    note="the page's own origin: no preflight, every response header readable but Set-Cookie",
)
S(
    "same-origin-get",
    G,
    {"GET": r(200, *_SO_HEADERS)},
    url="{app}/s/{name}/start",
    note="a same-origin GET: no CORS filter on the response headers",
)

# ---- a header given twice: the Headers object combines the values ----------------
G = "combined-headers"
_CT2 = (("Content-Type", "text/plain"), ("Content-Type", "text/plain"))
S(
    "combined-content-type-twice",
    G,
    {"OPTIONS": r(204, ACAO), "POST": OK},
    method="POST",
    headers=_CT2,
    body="hello",
    note="Content-Type: text/plain, text/plain is not a safelisted value (spec: parse fails)",
)
S(
    "combined-content-type-twice-allowed",
    G,
    {"OPTIONS": r(204, ACAO, acah("content-type")), "POST": OK},
    method="POST",
    headers=_CT2,
    body="hello",
)
S(
    "combined-content-type-text-json",
    G,
    {"OPTIONS": r(204, ACAO), "POST": OK},
    method="POST",
    headers=(("Content-Type", "text/plain"), ("Content-Type", "application/json")),
    body="hello",
    note="text/plain, application/json: which type does each engine judge?",
)
S(
    "combined-content-type-json-text",
    G,
    {"OPTIONS": r(204, ACAO), "POST": OK},
    method="POST",
    headers=(("Content-Type", "application/json"), ("Content-Type", "text/plain")),
    body="hello",
    note="application/json, text/plain: which type does each engine judge?",
)
S(
    "combined-content-type-text-charset",
    G,
    {"OPTIONS": r(204, ACAO), "POST": OK},
    method="POST",
    headers=(("Content-Type", "text/plain"), ("Content-Type", "text/plain;charset=utf-8")),
    body="hello",
    note="two different safelisted values: judged one by one or combined?",
)
S(
    "combined-accept-two-long",
    G,
    {"OPTIONS": r(204, ACAO), "GET": OK},
    headers=(("Accept", "a/" + "b" * 98), ("Accept", "c/" + "d" * 98)),
    note="each value is 100 bytes, the combined value 202: over the 128-byte limit?",
)
S(
    "combined-accept-twice",
    G,
    {"OPTIONS": r(204, ACAO), "GET": OK},
    headers=(("Accept", "application/json"), ("Accept", "text/plain")),
    note="Accept: application/json, text/plain stays safelisted",
)

# ---- a page-set User-Agent ---------------------------------------------------------
G = "user-agent"
_UA = (("User-Agent", "corsprobe-page/1.0"),)
S(
    "ua-page-set",
    G,
    {"OPTIONS": r(204, ACAO, acah("user-agent")), "GET": OK},
    headers=_UA,
    note="User-Agent set by the page: preflighted, dropped or sent as is?",
)
S(
    "ua-page-set-acah-missing",
    G,
    {"OPTIONS": r(204, ACAO), "GET": OK},
    headers=_UA,
)

# ---- forbidden request headers: fetch() drops them silently ------------------------
G = "forbidden-header"
S("forbidden-origin", G, {"OPTIONS": r(204, ACAO), "GET": OK},
  headers=(("Origin", "http://evil.test"),))
S("forbidden-cookie", G, {"OPTIONS": r(204, ACAO), "GET": OK}, headers=(("Cookie", "sid=abc"),),
  note="Cookie without credentials: 'include'")
S("forbidden-host", G, {"OPTIONS": r(204, ACAO), "GET": OK},
  headers=(("Host", "evil.test"),))
S(
    "forbidden-many",
    G,
    {"OPTIONS": r(204, ACAO, acah("x-custom")), "GET": OK},
    headers=(
        ("Accept-Charset", "utf-8"),
        ("Accept-Encoding", "br"),
        ("Connection", "close"),
        ("DNT", "1"),
        ("Keep-Alive", "timeout=5"),
        ("Referer", "http://evil.test/"),
        ("Via", "1.1 evil"),
        ("Proxy-Foo", "1"),
        ("Sec-Foo", "1"),
        ("X-Custom", "1"),
    ),
    note="only X-Custom survives: the preflight names x-custom alone",
)
S(
    "forbidden-method-override-trace",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("X-HTTP-Method-Override", "TRACE"),),
    note="spec: X-HTTP-Method-Override naming a forbidden method is a forbidden header",
)
S(
    "forbidden-method-override-put",
    G,
    {"OPTIONS": r(204, ACAO, acah("*")), "GET": OK},
    headers=(("X-HTTP-Method-Override", "PUT"),),
    note="control: naming an ordinary method it is just an unsafe header",
)


# ---- the preflight cache: tests/browser/test_engines.py runs these twice in a row ------
G = "preflight-cache"
for _suffix, _max_age in (("default", None), ("600", "600"), ("zero", "0"),
                          ("unparsable", "1h"), ("negative", "-5")):
    S(
        f"cache-max-age-{_suffix}",
        G,
        {
            "OPTIONS": r(204, ACAO, acam("PUT"), *((h("Access-Control-Max-Age", _max_age),)
                                                   if _max_age is not None else ())),
            "PUT": OK,
        },
        method="PUT",
        note=f"Access-Control-Max-Age: {_max_age}; is the second PUT preflighted again?",
    )


# ---- cookies: tests/browser/test_cookies.py runs these twice in a row ---------------------
# A credentialed fetch whose answer sets cookies, then the same fetch again: the Cookie header
# of the second request says which cookies the engine stored and sends back (Chromium also
# names each refusal through CDP).  Every cookie is scoped to its scenario (Path=/s/<name>,
# or a name of its own where the prefix needs Path=/), so the engines' jars, kept across
# scenarios in Firefox and WebKit, do not mix them.  The page is http://app.test:PORT;
# {api} is cross-site, www.app.test same-site (another origin on the same site).
G = "cookies"
SAME_SITE_URL = "http://www.app.test:{port}/s/{name}/start"


def _ck(text: str) -> tuple[str, str]:
    return h("Set-Cookie", text)


_P = "Path=/s/{name}"
COOKIE_CASES: dict[str, tuple[tuple[str, ...], dict]] = {
    "ck-cross-unspecified": ((f"ck_plain=1; {_P}",), {}),
    "ck-cross-lax": ((f"ck_lax=1; {_P}; SameSite=Lax",), {}),
    "ck-cross-strict": ((f"ck_strict=1; {_P}; SameSite=Strict",), {}),
    "ck-cross-none-insecure": ((f"ck_none=1; {_P}; SameSite=None",), {}),
    "ck-cross-none-secure-http": ((f"ck_nonesec=1; {_P}; SameSite=None; Secure",), {}),
    "ck-cross-none-partitioned-http": (
        (f"ck_chips=1; {_P}; SameSite=None; Secure; Partitioned",), {}),
    "ck-cross-domain-other": ((f"ck_dom=1; {_P}; Domain=other.test; SameSite=None",), {}),
    "ck-cross-many": ((f"ck_a=1; {_P}", f"ck_b=1; {_P}; SameSite=None",
                       f"ck_c=1; {_P}; SameSite=Lax; HttpOnly"), {}),
    "ck-same-unspecified": ((f"ck_plain=1; {_P}",), {"url": SAME_SITE_URL}),
    "ck-same-lax": ((f"ck_lax=1; {_P}; SameSite=Lax",), {"url": SAME_SITE_URL}),
    "ck-same-strict": ((f"ck_strict=1; {_P}; SameSite=Strict",), {"url": SAME_SITE_URL}),
    "ck-same-none-insecure": ((f"ck_none=1; {_P}; SameSite=None",), {"url": SAME_SITE_URL}),
    "ck-same-secure-http": ((f"ck_sec=1; {_P}; Secure",), {"url": SAME_SITE_URL}),
    "ck-same-domain-site": ((f"ck_dom=1; {_P}; Domain=app.test",), {"url": SAME_SITE_URL}),
    "ck-same-domain-other": ((f"ck_dom=1; {_P}; Domain=other.test",), {"url": SAME_SITE_URL}),
    "ck-same-host-prefix-insecure": (("__Host-ck_{name}=1; Path=/",), {"url": SAME_SITE_URL}),
    "ck-same-secure-prefix-insecure": ((f"__Secure-ck=1; {_P}",), {"url": SAME_SITE_URL}),
    # WebKit keeps a cookie from www.app.test only when its domain covers the page's host
    # (see test_cookies.py), so these carry Domain=app.test to show its other checks
    "ck-same-dom-lax": ((f"ck_lax=1; {_P}; Domain=app.test; SameSite=Lax",),
                        {"url": SAME_SITE_URL}),
    "ck-same-dom-none-insecure": ((f"ck_none=1; {_P}; Domain=app.test; SameSite=None",),
                                  {"url": SAME_SITE_URL}),
    "ck-same-dom-secure-http": ((f"ck_sec=1; {_P}; Domain=app.test; Secure",),
                                {"url": SAME_SITE_URL}),
    "ck-same-cors-fails": ((f"ck_nocors=1; {_P}",),
                           {"url": SAME_SITE_URL, "acac": False}),
}
# The same over https: the page is https://app.test:TLSPORT, {apis} cross-site, {wwws}
# same-site, {apps} same-origin (where WebKit keeps a host-only cookie too).
_XS, _SS, _SO = {"page": "https", "url": "{apis}/s/{name}/start"}, \
    {"page": "https", "url": "{wwws}/s/{name}/start"}, \
    {"page": "https", "url": "{apps}/s/{name}/start"}
COOKIE_CASES.update({
    "ck-https-cross-unspecified": ((f"ck_plain=1; {_P}",), _XS),
    "ck-https-cross-lax": ((f"ck_lax=1; {_P}; SameSite=Lax",), _XS),
    "ck-https-cross-none-insecure": ((f"ck_none=1; {_P}; SameSite=None",), _XS),
    "ck-https-cross-none-secure": ((f"ck_nonesec=1; {_P}; SameSite=None; Secure",), _XS),
    "ck-https-cross-partitioned": (
        (f"ck_chips=1; {_P}; SameSite=None; Secure; Partitioned",), _XS),
    "ck-https-cross-partitioned-nosamesite": ((f"ck_chips2=1; {_P}; Secure; Partitioned",),
                                              _XS),
    "ck-https-cross-host-prefix": (
        ("__Host-ck_{name}=1; Path=/; Secure; SameSite=None",), _XS),
    "ck-https-cross-host-prefix-partitioned": (
        ("__Host-ck_{name}=1; Path=/; Secure; SameSite=None; Partitioned",), _XS),
    "ck-https-same-unspecified": ((f"ck_plain=1; {_P}",), _SS),
    "ck-https-same-secure": ((f"ck_sec=1; {_P}; Secure",), _SS),
    "ck-https-same-none-secure": ((f"ck_nonesec=1; {_P}; SameSite=None; Secure",), _SS),
    "ck-https-same-dom-secure": ((f"ck_sec=1; {_P}; Domain=app.test; Secure",), _SS),
    "ck-https-same-dom-none-secure": (
        (f"ck_nonesec=1; {_P}; Domain=app.test; SameSite=None; Secure",), _SS),
    "ck-https-same-partitioned": ((f"ck_chips=1; {_P}; SameSite=None; Secure; Partitioned",),
                                  _SS),
    "ck-https-same-host-prefix": (("__Host-ck_{name}=1; Path=/; Secure",), _SS),
    "ck-https-same-host-prefix-nosecure": (("__Host-ck_{name}=1; Path=/",), _SS),
    "ck-https-same-host-prefix-domain": (
        ("__Host-ck_{name}=1; Path=/; Secure; Domain=app.test",), _SS),
    "ck-https-same-secure-prefix": ((f"__Secure-ck=1; {_P}; Secure",), _SS),
    "ck-https-same-secure-prefix-dom": ((f"__Secure-ck=1; {_P}; Secure; Domain=app.test",),
                                        _SS),
    "ck-https-same-secure-prefix-nosecure": ((f"__Secure-ck=1; {_P}",), _SS),
    "ck-https-sameorigin-host-prefix": (("__Host-ck_{name}=1; Path=/; Secure",), _SO),
    "ck-https-sameorigin-secure-prefix": ((f"__Secure-ck=1; {_P}; Secure",), _SO),
    # prefixes done wrong where WebKit keeps the cookie otherwise (its domain covers the page)
    "ck-https-same-secure-prefix-dom-nosecure": ((f"__Secure-ck=1; {_P}; Domain=app.test",),
                                                 _SS),
    "ck-https-same-host-prefix-domain-nosecure": (
        ("__Host-ck_{name}=1; Path=/; Domain=app.test",), _SS),
    "ck-https-sameorigin-host-prefix-nosecure": (("__Host-ck_{name}=1; Path=/",), _SO),
    "ck-https-sameorigin-host-prefix-path": (("__Host-ck_{name}=1; Path=/s/{name}; Secure",),
                                             _SO),
    "ck-https-sameorigin-host-prefix-domain": (
        ("__Host-ck_{name}=1; Path=/; Secure; Domain=app.test",), _SO),
    "ck-https-sameorigin-secure-prefix-nosecure": ((f"__Secure-ck=1; {_P}",), _SO),
})
for _name, (_cookies, _kw) in COOKIE_CASES.items():
    _kw = dict(_kw)
    _answer = (ACAO, ACAC, TEXT) if _kw.pop("acac", True) else (ACAO, TEXT)
    S(_name, G, {"GET": r(200, *_answer, *(_ck(c) for c in _cookies))}, credentials=True,
      note="Set-Cookie: " + " | ".join(_cookies), **_kw)


# ---- mixed content: the page is served over https ---------------------------------
G = "mixed-content"
S("mixed-http-api", G, {"GET": OK}, page="https",
  note="https page, http://api.test: blocked before anything is sent?")
S("mixed-https-api", G, {"GET": OK}, page="https", url="{apis}/s/{name}/start",
  note="control: https to https")
S("mixed-http-loopback-ip", G, {"GET": OK}, page="https", url="{loopback}/s/{name}/start",
  note="http://127.0.0.1 is potentially trustworthy: exempt?")
S("mixed-http-localhost", G, {"GET": OK}, page="https", url="{localhost}/s/{name}/start",
  note="http://localhost is potentially trustworthy: exempt?")
S("mixed-redirect-to-http", G,
  {"GET /start": r(302, ACAO, loc("{api}/s/{name}/end?{q}")), "GET /end": OK},
  page="https", url="{apis}/s/{name}/start",
  note="https -> 302 -> http: the http hop blocked as mixed content?")


# ---- Local Network Access: the page is served from a public (or private) address -------
# The engines are told which ports count as public or private (scenario_server.lna_overrides);
# corsprobe is told the same with --page-space / --target-space.
G = "local-network-access"
_PUB = {"page_space": "public"}
S("lna-public-https-to-loopback", G, {"GET": OK}, page="public-https",
  url="{loopback}/s/{name}/start", **_PUB)
S("lna-public-https-to-localhost", G, {"GET": OK}, page="public-https",
  url="{localhost}/s/{name}/start", **_PUB)
S("lna-public-https-to-private", G, {"GET": OK}, page="public-https",
  url="{private}/s/{name}/start", target_space="private", **_PUB)
S("lna-public-http-to-loopback", G, {"GET": OK}, page="public",
  url="{loopback}/s/{name}/start", **_PUB, note="an insecure page: InsecureLocalNetwork?")
S("lna-public-http-to-private", G, {"GET": OK}, page="public",
  url="{private}/s/{name}/start", target_space="private", **_PUB)
S("lna-public-https-to-public", G, {"GET": OK}, page="public-https",
  url="{apipublic}/s/{name}/start", target_space="public", **_PUB, note="control")
S("lna-private-to-loopback", G, {"GET": OK}, page="private", url="{loopback}/s/{name}/start",
  page_space="private", note="a private page may fetch loopback without a permission?")
S("lna-public-https-to-loopback-preflight", G,
  {"OPTIONS": r(204, ACAO, acam("PUT")), "PUT": OK}, method="PUT", page="public-https",
  url="{loopback}/s/{name}/start", **_PUB, note="is the preflight sent before the refusal?")


# ---- every kind of cross-origin request: against a correct server, a missing Allow-Origin,
# and `*` with credentials (where the kind sends credentials) -------------------------------
G = "kinds"
_GIF = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
try:  # a real font: Chromium's sanitiser refuses anything else
    with open("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "rb") as _fh:
        _FONT = _fh.read()
except OSError:  # pragma: no cover - fonts-dejavu-core is a Chromium dependency on Debian
    _FONT = b""
_BODIES: dict[str, tuple[str, bytes]] = {
    "img": ("image/gif", _GIF),
    "font": ("font/ttf", _FONT),
    "script": ("text/javascript", b"window.__ran = true;\n"),
    "module": ("text/javascript", b"window.__ran = true;\n"),
    "stylesheet": ("text/css", b"body { color: black; }\n"),
    "eventsource": ("text/event-stream", b"data: hi\n\n"),
}


def _kind_ok(kind: str, *headers: tuple[str, str]) -> R:
    ctype, body = _BODIES.get(kind, ("text/plain", b"ok\n"))
    return r(200, *headers, h("Content-Type", ctype), body=body)


def K(name: str, kind: str, answer: str, https: bool = False, **kw) -> Scenario:
    """A kind scenario; ``answer``: "ok" (the right Allow-Origin, and -Credentials when the
    request is credentialed), "missing" (no CORS header), "star" (`*` and -Credentials)."""
    cred = (kw.get("credentials") or kw.get("crossorigin") == "use-credentials"
            or kind == "beacon")  # a beacon always sends credentials
    hdrs = {"ok": (ACAO, ACAC) if cred else (ACAO,), "missing": (), "star": (acao("*"), ACAC)}
    routes: dict[str, R | DynHandler] = {"*": _kind_ok(kind, *hdrs[answer])}
    pf_hdrs = (*hdrs[answer], acam("PUT, POST"), acah("x-custom, content-type"))
    routes["PREFLIGHT"] = r(204, *pf_hdrs)
    if https:
        kw["url"] = "{apis}/s/{name}/start"
    return S(name, G, routes, kind=kind, **kw)


for _kind in ("img", "script", "stylesheet"):
    K(f"kind-{_kind}-none-missing", _kind, "missing", note="no crossorigin: no-cors, opaque")
    K(f"kind-{_kind}-none-ok", _kind, "ok", note="no crossorigin, CORS headers present")
    K(f"kind-{_kind}-anon-ok", _kind, "ok", crossorigin="anonymous")
    K(f"kind-{_kind}-anon-missing", _kind, "missing", crossorigin="anonymous")
    K(f"kind-{_kind}-cred-ok", _kind, "ok", crossorigin="use-credentials")
    K(f"kind-{_kind}-cred-star", _kind, "star", crossorigin="use-credentials")
    K(f"kind-{_kind}-anon-ok-https", _kind, "ok", https=True, crossorigin="anonymous")
    K(f"kind-{_kind}-none-missing-https", _kind, "missing", https=True)
for _kind in ("font", "module"):
    K(f"kind-{_kind}-ok", _kind, "ok")
    K(f"kind-{_kind}-missing", _kind, "missing")
    K(f"kind-{_kind}-star", _kind, "star", note="same-origin credentials: `*` is fine")
    K(f"kind-{_kind}-ok-https", _kind, "ok", https=True)
K("kind-module-cred-star", "module", "star", crossorigin="use-credentials")
K("kind-module-cred-ok", "module", "ok", crossorigin="use-credentials")
for _kind in ("xhr", "eventsource"):
    K(f"kind-{_kind}-ok", _kind, "ok")
    K(f"kind-{_kind}-missing", _kind, "missing")
    K(f"kind-{_kind}-cred-ok", _kind, "ok", credentials=True)
    K(f"kind-{_kind}-cred-star", _kind, "star", credentials=True)
    K(f"kind-{_kind}-ok-https", _kind, "ok", https=True)
K("kind-xhr-put-custom", "xhr", "ok", method="PUT", headers=XC)
K("kind-xhr-put-custom-missing", "xhr", "missing", method="PUT", headers=XC)
K("kind-fetch-nocors-missing", "fetch", "missing", mode="no-cors")
K("kind-fetch-nocors-ok", "fetch", "ok", mode="no-cors")
K("kind-fetch-nocors-post", "fetch", "missing", mode="no-cors", method="POST", body="x=1")
K("kind-fetch-nocors-custom-header", "fetch", "missing", mode="no-cors", headers=XC,
  note="a header not safelisted in no-cors mode: dropped or thrown?")
K("kind-fetch-nocors-put", "fetch", "missing", mode="no-cors", method="PUT",
  note="no-cors allows only GET/HEAD/POST: TypeError before anything is sent?")
K("kind-fetch-nocors-missing-https", "fetch", "missing", mode="no-cors", https=True)
K("kind-fetch-sameorigin", "fetch", "ok", mode="same-origin")
K("kind-fetch-cors-ok-https", "fetch", "ok", mode="cors", https=True)
K("kind-beacon-text-missing", "beacon", "missing", method="POST", body="x=1")
K("kind-beacon-text-ok", "beacon", "ok", method="POST", body="x=1")
K("kind-beacon-json-ok", "beacon", "ok", method="POST", body='{"a":1}',
  beacon_type="application/json")
K("kind-beacon-json-missing", "beacon", "missing", method="POST", body='{"a":1}',
  beacon_type="application/json")
K("kind-beacon-json-star", "beacon", "star", method="POST", body='{"a":1}',
  beacon_type="application/json")
K("kind-beacon-text-missing-https", "beacon", "missing", https=True, method="POST", body="x=1")


BY_NAME: dict[str, Scenario] = {}
for _sc in SCENARIOS:
    assert _sc.name not in BY_NAME, f"duplicate scenario name {_sc.name}"
    assert "/" not in _sc.name and "?" not in _sc.name
    BY_NAME[_sc.name] = _sc
