"""The scan of one URL as a sans-I/O step generator (driven like :func:`corsprobe.replay.replay`).

1. The baseline: :func:`corsprobe.replay.replay` of ``GET URL`` from the trusted origin (or the
   target's own), with the user's headers and credentials, redirects not followed. It proves
   the target answers and gives the request a browser sends.
2. Each candidate attacker origin (:mod:`.origins`), class by class: the same GET with only the
   Origin (and Referer) changed, cookies kept, since a victim's browser would send them. A
   candidate is *accepted* when the browser's own CORS check (:func:`corsprobe.fetch.access.
   cors_check`) lets a page at that origin read the response; ``*`` is not an acceptance of
   the origin (it is reported once, as public). A class stops at its first accepted origin
   unless ``every`` (``--all``); an arbitrary origin that is reflected makes the host-pattern
   classes moot, so they are skipped too; so are the rarer special characters, and every
   other class when the URL redirects to the same place for the trusted and an arbitrary
   origin (there is no policy of its own to scan).
3. Three preflights (OPTIONS, never the unsafe method itself) from an accepted attacker origin,
   or the arbitrary one: Authorization, an arbitrary method, an arbitrary header. For an
   origin refused on GET whose first preflight gets no Allow-Origin either, the other two
   are skipped (without ``every``).

Redirect responses are recorded and never followed: another site's policy is not this one's.
The result is the baseline :class:`~corsprobe.model.Trace` with every request as a
:class:`~corsprobe.model.Probe` whose purpose is ``scan:<class>``; the rules in
:mod:`corsprobe.rules.scan` turn those into findings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .. import replay
from ..errors import UsageError
from ..fetch import access, preflight
from ..fetch.urls import InvalidInput
from ..model import (
    Exchange,
    HeaderList,
    HttpRequest,
    HttpResponse,
    Probe,
    RequestSpec,
    Trace,
    joined,
)
from ..net import BODY_CAP
from ..replay import Steps
from . import origins

GIVE_UP_AFTER = 2  # failed or stalled exchanges before the scan of a URL stops
PREFLIGHT_METHOD = "XCORSPROBE"
PREFLIGHT_HEADER = "x-corsprobe-arbitrary"
# the classes whose accepted origin an attacker can really own (used for the preflights)
ATTACKER_CLASSES = ("reflect", "null", "prefix", "suffix", "unescaped-dot", "dev-host",
                    "special-chars", "subdomain", "http", "localhost", "port")


@dataclass(frozen=True)
class Target:
    """One URL to scan and how to reach it."""

    url: str
    trusted: str | None = None  # --origin: the origin the policy is meant for
    headers: HeaderList = ()  # -H: sent on every request (e.g. a session cookie)
    credentials: bool = False  # --credentials: the endpoint is read with cookies
    every: bool = False  # --all: every candidate, not the first accepted per class
    name: str | None = None
    line: int | None = None  # where the target is declared (-i FILE)


@dataclass(frozen=True)
class Plan:
    spec: RequestSpec
    prepared: replay.Prepared
    candidates: tuple[origins.Candidate, ...]


def plan(target: Target) -> Plan:
    """Validate the target before any request; raises UsageError."""
    try:
        base = origins.base_for(target.url, target.trusted)
        cands = tuple(origins.candidates(target.url, target.trusted))
    except InvalidInput as exc:
        raise UsageError(str(exc)) from None
    if not target.credentials and any(k.lower() == "cookie" for k, _ in target.headers):
        # check drops a page-set Cookie as the browser does; a scan is given one on purpose
        raise UsageError("-H 'Cookie: ...' is the session a scan reads the endpoint with: add "
                         "--credentials (without it a browser sends no cookies cross-origin)",
                         field="headers")
    spec = RequestSpec(url=target.url, origin=target.trusted or base.origin, method="GET",
                       headers=target.headers, credentials=target.credentials, max_redirects=0)
    return Plan(spec, replay.prepare(spec), cands)


def with_origin(template: HttpRequest, origin: str) -> HttpRequest:
    """``template`` sent from ``origin``: the Origin and Referer headers changed, nothing else."""
    if template.method not in replay.SAFE_METHODS:
        raise ValueError("scan requests are never sent with an unsafe method")
    headers: list[tuple[str, str]] = []
    for name, value in template.headers:
        low = name.lower()
        if low == "origin":
            value = origin
        elif low == "referer":
            if not origins.sendable(origin) or origin == "null":
                continue
            value = origin + "/"
        headers.append((name, value))
    return HttpRequest(template.method, template.url, tuple(headers), None)


def accepted(exchange: Exchange, origin: str) -> bool:
    """A page at ``origin`` may read the response (``*`` does not count: it accepts no one)."""
    r = exchange.response
    if r is None or preflight.is_redirect(r):
        return False
    if (joined(r.headers, access.ACAO) or "").strip(" \t") == "*":
        return False
    return access.cors_check(r.headers, origin, False) is None


def preflight_request(url: str, origin: str, method: str, unsafe: list[str]) -> HttpRequest:
    referer = origin + "/" if origin != "null" and origins.sendable(origin) else None
    return HttpRequest("OPTIONS", url, preflight.request_headers(method, unsafe, origin, referer))


def unreachable(trace: Trace) -> bool:
    return trace.net_error is not None and trace.net_error.kind != "too_many_redirects"


def steps(target: Target, planned: Plan | None = None, nonce: str | None = None) -> Steps[Trace]:
    """Yield each request of the scan, receive its exchange; return the trace with the probes.

    Every request after the first goes to a URL of its own (``corsprobe=<nonce>-N`` added to
    the query, :func:`corsprobe.probe.fresh_url`): a shared cache in front stores an
    attacker origin's answer under a key no real page asks for."""
    import secrets

    from ..probe import fresh_url

    nonce = nonce or secrets.token_hex(6)
    count = iter(range(1_000_000))

    def own(request: HttpRequest) -> HttpRequest:
        return HttpRequest(request.method, fresh_url(request.url, f"{nonce}-{next(count)}"),
                           request.headers, request.body)

    p = planned or plan(target)
    trace: Trace = yield from replay.replay(p.spec)
    if unreachable(trace):
        return trace
    if trace.net_error is not None:  # the baseline answered with a redirect: not followed
        trace = replace(trace, net_error=None, allowed=None, notes=(
            *trace.notes, "the response is a redirect; corsprobe scan does not follow it"))
    template = replay.actual_request(p.prepared, p.spec, p.prepared.page.serialize())
    probes: list[Probe] = []
    found: dict[str, str] = {}
    baseline = trace.actuals[0].response if trace.actuals else None
    bad = 0
    for cls, group in origins.by_class(list(p.candidates)).items():
        if not target.every and "reflect" in found and cls in origins.IMPLIED_BY_REFLECTION:
            continue
        for cand in group:
            if cand.rare and not target.every:
                continue
            exchange = yield own(with_origin(template, cand.origin))
            bad += _failing(exchange)
            ok = accepted(exchange, cand.origin)
            probes.append(Probe(cand.origin, cand.why, exchange, ok, f"scan:{cls}"))
            if ok:
                found.setdefault(cls, cand.origin)
                if not target.every:
                    break
            if bad >= GIVE_UP_AFTER:
                break
        if bad >= GIVE_UP_AFTER:
            note = (f"the scan stopped after {len(probes)} origins: {bad} requests failed or "
                    "their body stalled")
            return replace(trace, probes=tuple(probes), notes=(*trace.notes, note))
        if len(probes) == 1 and not target.every and _same_redirect(baseline, probes[0].exchange):
            break  # redirected whatever the Origin: there is no policy of its own to scan
    origin = next((found[c] for c in ATTACKER_CLASSES
                   if c in found and origins.sendable(found[c])),
                  p.candidates[0].origin)
    url = template.url
    refused_on_get = origin not in found.values()
    for purpose, method, unsafe, why in (
        ("preflight-authorization", "GET", ["authorization"],
         "a preflight for the Authorization header"),
        ("preflight-methods", PREFLIGHT_METHOD, [],
         f"a preflight for the made-up method {PREFLIGHT_METHOD}"),
        ("preflight-headers", "GET", [PREFLIGHT_HEADER],
         f"a preflight for the made-up header {PREFLIGHT_HEADER}"),
    ):
        exchange = yield own(preflight_request(url, origin, method, unsafe))
        r = exchange.response
        ok = r is not None and preflight.check(r, method, unsafe, origin, False) is None
        probes.append(Probe(origin, why, exchange, ok, f"scan:{purpose}"))
        if refused_on_get and not target.every and (
                r is None or joined(r.headers, access.ACAO) is None):
            # refused on GET and no Allow-Origin on a preflight with a safelisted method:
            # the preflight layer refuses this origin too, whatever is requested
            break
    return replace(trace, probes=tuple(probes))


def _failing(exchange: Exchange) -> bool:
    """No answer, or a body that stalled (cut off by the wait, not by the size cap): each
    further request would cost the same wait."""
    r = exchange.response
    return r is None or (r.body_truncated and len(r.body) < BODY_CAP)


def _same_redirect(baseline: HttpResponse | None, exchange: Exchange) -> bool:
    """Both responses redirect to the same place (so the Origin changes nothing)."""
    r = exchange.response
    if r is None or baseline is None or not preflight.is_redirect(r):
        return False
    import re

    def where(response: HttpResponse) -> str:  # the probe's own query parameter aside
        return re.sub(r"[?&]corsprobe=[0-9a-f]+-\d+", "", joined(response.headers, "location") or "")

    return preflight.is_redirect(baseline) and where(baseline) == where(r)
