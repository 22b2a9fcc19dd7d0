"""Rule tests replay small recorded exchanges through the real replay, probes and engine.

A server is either a table of answers or a function of the request:

- a table ``{key: (status, headers)}`` or ``{key: (status, headers, body)}``, looked up by
  ``"METHOD URL"``, then ``"* URL"``, then ``"METHOD"``, then ``"*"``; a header value
  :data:`ECHO` is replaced by the request's Origin (a server that reflects it);
- a function ``request -> Exchange``, e.g. :func:`policy`, for servers whose answer depends
  on the Origin (the probes of ``corsprobe check`` and ``corsprobe scan`` send many).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from corsprobe import core, replay
from corsprobe.engine import findings
from corsprobe.model import Exchange, Finding, HttpRequest, HttpResponse, RequestSpec, Trace, joined
from corsprobe.scan.steps import Target, steps

ORIGIN = "https://app.example.com"
URL = "https://api.example.com/users"
SCAN_URL = "https://api.example.com/me"
ECHO = "<the request's Origin>"

Table = Mapping[str, tuple[Any, ...]]
Server = Table | Callable[[HttpRequest], Exchange]


class Recorded:
    """Answers each request from a table (see the module docstring) and keeps what was sent."""

    def __init__(self, table: Table):
        self.table = table
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> Exchange:
        self.sent.append(request)
        for key in (f"{request.method} {request.url}", f"* {request.url}", request.method, "*"):
            if key in self.table:
                break
        else:
            raise AssertionError(f"the table has no answer for {request.method} {request.url}")
        status, headers, *body = self.table[key]
        origin = joined(request.headers, "origin") or ""
        headers = tuple((k, origin if v == ECHO else v) for k, v in headers)
        return Exchange(request, HttpResponse(status, "", headers, body[0] if body else b""))


class Answering:
    """A server given as a function of the request."""

    def __init__(self, answer: Callable[[HttpRequest], Exchange]):
        self.answer = answer
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> Exchange:
        self.sent.append(request)
        return self.answer(request)


def server(answers: Server) -> Recorded | Answering:
    return Answering(answers) if callable(answers) else Recorded(answers)


def policy(allow, credentials=True, preflight_echo=False):
    """A server that echoes the Origin when ``allow(origin)`` (always with Vary: Origin), with
    Allow-Credentials when ``credentials``; its preflights list fixed names, or echo the
    requested ones."""

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


def url_keyed_cache(upstream: Callable[[HttpRequest], Exchange]) -> Callable[[HttpRequest], Exchange]:
    """A shared cache in front of ``upstream`` that keys on the method and URL alone (it
    ignores Origin and Vary): the second request for a URL gets the first one's answer."""
    stored: dict[tuple[str, str], HttpResponse] = {}

    def send(request: HttpRequest) -> Exchange:
        key = (request.method, request.url)
        if key in stored:
            hit = stored[key]
            return Exchange(request, HttpResponse(hit.status, hit.reason, (
                *hit.headers, ("Age", "3"), ("X-Cache", "HIT"))))
        response = upstream(request).response
        assert response is not None
        stored[key] = response
        return Exchange(request, HttpResponse(response.status, response.reason, (
            *response.headers, ("Age", "0"), ("X-Cache", "MISS"))))

    return send


def trace(answers: Server, probe: bool = False, **spec) -> Trace:
    """What ``corsprobe check`` records: the replay, then (with ``probe``) its origin probes
    through the same server."""
    spec.setdefault("url", URL)
    spec.setdefault("origin", ORIGIN)
    spec.setdefault("send_actual", True)
    return replay.drive(core.steps(RequestSpec(**spec), probe), server(answers).send)


def scan_trace(answers: Server, **target) -> Trace:
    """What ``corsprobe scan`` records for :data:`SCAN_URL` trusted for :data:`ORIGIN`."""
    target.setdefault("trusted", ORIGIN)
    return replay.drive(steps(Target(SCAN_URL, **target)), server(answers).send)


def by_rule(trace: Trace) -> dict[str, Finding]:
    """Each rule that fired, with its first finding (a rule may fire once per probe)."""
    out: dict[str, Finding] = {}
    for f in findings(trace):
        out.setdefault(f.rule, f)
    return out


def rules_fired(answers: Server, **spec) -> dict[str, Finding]:
    return by_rule(trace(answers, **spec))
