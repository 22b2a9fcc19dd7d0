"""Hand-written CORS policies on a raw loopback server (tests/browser/scenario_server.py),
each answering ``/s/<name>/...``; the framework policies (flask-cors, Starlette) are the real
apps of tests/frameworks. Every policy trusts APP; most also trust more than they mean to.

Each handler is one typical piece of hand-written middleware; the docstring says which
origins it lets through, which is what the scan must find (and nothing else).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.browser.scenario_server import Request, Response

APP = "https://app.example.com"
JSON = ("Content-Type", "application/json")


def _allow(req: Request, ok: bool, credentials: bool = True) -> Response:
    """Echo the Origin when ``ok``; preflights get a fixed method and header list."""
    origin = req.header("origin")
    headers = [("Vary", "Origin"), JSON]
    if ok and origin is not None:
        headers.append(("Access-Control-Allow-Origin", origin))
        if credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if req.method == "OPTIONS":
            headers += [("Access-Control-Allow-Methods", "GET, POST"),
                        ("Access-Control-Allow-Headers", "content-type")]
    status = 204 if req.method == "OPTIONS" else 200
    return Response(status, headers, b"" if status == 204 else b'{"user": "alice"}')


def reflect(req: Request) -> Response:
    """Echoes any Origin with credentials, and on preflights echoes the requested method and
    headers: the 'make CORS errors go away' middleware."""
    origin = req.header("origin") or "*"
    headers = [("Access-Control-Allow-Origin", origin),
               ("Access-Control-Allow-Credentials", "true"), JSON]
    if req.method == "OPTIONS":
        headers += [("Access-Control-Allow-Methods", req.header("access-control-request-method")
                     or "GET"),
                    ("Access-Control-Allow-Headers", req.header("access-control-request-headers")
                     or "")]
        return Response(204, headers)
    return Response(200, headers, b'{"user": "alice"}')


def null(req: Request) -> Response:
    """Allow list [APP, "null"] (null added for local file:// testing)."""
    return _allow(req, req.header("origin") in (APP, "null"))


def http(req: Request) -> Response:
    """Allow list [APP, "http://app.example.com"] (the http origin kept from before TLS)."""
    return _allow(req, req.header("origin") in (APP, "http://app.example.com"))


def suffix(req: Request) -> Response:
    """origin.endswith("example.com"): meant for subdomains, lets any *example.com in."""
    return _allow(req, (req.header("origin") or "").endswith("example.com"))


def loose(req: Request) -> Response:
    """Parses the Origin and compares only the host name: any port, any case, a user@ part,
    but https only."""
    try:
        parts = urlsplit(req.header("origin") or "")
        ok = parts.scheme == "https" and parts.hostname == "app.example.com"
    except ValueError:
        ok = False
    return _allow(req, ok)


def devlist(req: Request) -> Response:
    """Allow list [APP, "http://localhost:3000", "https://codepen.io"] (left from development)."""
    return _allow(req, req.header("origin") in (APP, "http://localhost:3000", "https://codepen.io"))


SPECIAL = re.compile(r"https://app\.example\.com([^.:/][^:/]*)?")


def special(req: Request) -> Response:
    """fullmatch of https://app\\.example\\.com([^.:/][^:/]*)? (meant for app.example.com-beta):
    not a dot after the host, but any other character."""
    return _allow(req, SPECIAL.fullmatch(req.header("origin") or "") is not None)


def exact(req: Request) -> Response:
    """Safe: exactly APP, with credentials."""
    return _allow(req, req.header("origin") == APP)


def wildcard(req: Request) -> Response:
    """Safe: `*`, no credentials (public data)."""
    headers = [("Access-Control-Allow-Origin", "*"), JSON]
    if req.method == "OPTIONS":
        return Response(204, headers + [("Access-Control-Allow-Methods", "GET")])
    return Response(200, headers, b"[]")


def redirect(req: Request) -> Response:
    """Every request is redirected to /s/landing/ (which must never be requested)."""
    return Response(302, [("Location", "/s/landing/"), ("Access-Control-Allow-Origin", "*")])


def landing(req: Request) -> Response:
    return reflect(req)


HANDLERS = {"reflect": reflect, "null": null, "http": http, "suffix": suffix, "loose": loose,
            "devlist": devlist, "special": special, "exact": exact, "wildcard": wildcard,
            "redirect": redirect, "landing": landing}
