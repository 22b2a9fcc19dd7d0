"""Caching: Vary: Origin for shared caches, and the browser's preflight cache."""

from __future__ import annotations

from collections.abc import Iterator

from ..fetch.browsers import limits
from ..model import joined
from ..stack import cache_hit, cache_indicators
from . import Context, Hit, fixes, rule, stackfixes

MAX_AGE = "Access-Control-Max-Age"


@rule("CORS701", "vary-origin-missing", "warning", "An echoed origin without Vary: Origin")
def vary_origin_missing(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The actual response to a GET or HEAD (the answers caches store) echoes a specific
        origin in Access-Control-Allow-Origin but its Vary header does not list Origin.

    Why it matters:
        A shared cache (CDN, proxy) or the browser's HTTP cache may store this response and
        serve it to a page of another origin, which then fails with AllowOriginMismatch — or a
        response cached without CORS headers breaks this origin. The failures look random.

    Example:
        Access-Control-Allow-Origin: https://app.example.com
        Cache-Control: max-age=600              <- and no Vary: Origin

    When the cache probe ran against a cache in front and found the origins kept apart
    (the cache keys on Origin itself), the finding is only info.

    Fix:
        Send `Vary: Origin` whenever Access-Control-Allow-Origin depends on the request.
    """
    final = ctx.final
    if final is None or ctx.trace.blocked_at == "redirect":
        return
    if ctx.trace.actuals[-1].request.method.upper() not in ("GET", "HEAD"):
        return  # caches store GET and HEAD answers, not those of PUT, POST or DELETE
    acao = (joined(final.headers, "access-control-allow-origin") or "").strip()
    if acao != ctx.origin or acao == "null":
        return
    vary = {v.strip().lower() for v in (joined(final.headers, "vary") or "").split(",")}
    if "origin" in vary or "*" in vary:
        return
    probed = [p for p in ctx.trace.probes if p.purpose == "cache"]
    if len(probed) >= 4 and ctx.cache_crossed is None and any(
            cache_indicators(p.exchange.response) for p in probed if p.exchange.response):
        yield Hit(
            f"Access-Control-Allow-Origin is '{acao}' without Vary: Origin. The cache in front "
            "keeps the origins apart (the cache probe found no crossed answer), but any other "
            "cache (a CDN added later, the browser's) would not.",
            ctx.evidence_for("actual", len(ctx.trace.actuals) - 1, "Vary"),
            fixes.vary_origin(), severity="info")
        return
    yield Hit(
        f"Access-Control-Allow-Origin is '{acao}' but Vary does not list Origin: a cache may serve "
        "this response to another origin.",
        ctx.evidence_for("actual", len(ctx.trace.actuals) - 1, "Vary"),
        fixes.vary_origin(),
    )


@rule("CORS705", "cache-serves-other-origin", "error", "A cache serves one origin's answer to another")
def cache_serves_other_origin(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The cache probe proved that a shared cache in front of the app (Varnish, nginx's
        proxy_cache, a CDN) handed the answer it stored for one origin to a request from
        another. corsprobe asks for a fresh URL from the page's origin and then from a
        second, harmless origin, and for another fresh URL in the opposite order; each origin
        gets a different answer from the app, yet one of them received the other's.

    Why it matters:
        The cache keys on the URL alone, while the answer depends on Origin (the app echoes it
        without `Vary: Origin`, or answers a refused origin without it). Whoever comes first
        decides what every other site gets for the cache's lifetime: "works on first load,
        fails for the second site", or a refusal cached for an untrusted origin that blocks
        the real page. The browser only reports AllowOriginMismatch or
        MissingAllowOriginHeader, naming an origin that is in fact allowed.

    Example:
        GET /api/users?corsprobe=c1   Origin: https://app.example.com
          Access-Control-Allow-Origin: https://app.example.com     Age: 0
        GET /api/users?corsprobe=c1   Origin: https://corsprobe-cache-check.invalid
          Access-Control-Allow-Origin: https://app.example.com     Age: 3   X-Varnish: 5 3

    Fix:
        Make the cache keep one copy per Origin: the app sends `Vary: Origin` on every answer
        whose CORS headers depend on Origin (refusals included), or the cache puts Origin in
        its key (Varnish `vcl_hash`, nginx `proxy_cache_key`, the CDN's cache policy).
    """
    crossed = ctx.cache_crossed
    if crossed is None:
        return
    from ..stack import cache_indicators

    probes = ctx.trace.probes
    served = probes[crossed.served]

    def shown(probe_index: int) -> dict[str, object]:
        p = probes[probe_index]
        r = p.exchange.response
        assert r is not None
        acao = joined(r.headers, "access-control-allow-origin")
        return {"exchange": f"probe[{probe_index}]", "url": p.exchange.request.url,
                "origin": p.origin, "status": r.status, "allow_origin": acao,
                "cache": cache_indicators(r)}

    def said(probe_index: int) -> str:
        r = probes[probe_index].exchange.response
        acao = joined(r.headers, "access-control-allow-origin") if r else None
        return f"Access-Control-Allow-Origin: {acao}" if acao else "no Access-Control-Allow-Origin"

    served_r = served.exchange.response
    assert served_r is not None
    marks = cache_indicators(served_r)
    msg = (f"A cache answered {crossed.served_to} with the answer stored for "
           f"{crossed.stored_for} ({said(crossed.served)}"
           + (f"; {', '.join(marks)}" if marks else "")
           + f"), while the app itself answers {crossed.served_to} with {said(crossed.fresh)}. "
           "The cache keys on the URL alone, so the first origin to ask decides what every "
           "other site gets.")
    if ctx.trace.failure is not None and crossed.page_allowed:
        msg += (f" The app does allow {ctx.trace.origin_sent}: this request failed because of "
                "the cache, not the allow list.")
        own = ctx.response
        if own is not None and cache_hit(own):
            msg += f" Its answer came out of the cache ({', '.join(cache_indicators(own))})."
    preflight = served.exchange.request.method == "OPTIONS"
    fix = stackfixes.for_layers({
        **fixes.vary_origin(),
        "generic": ("Keep one cached copy per Origin: send Vary: Origin on every answer whose "
                    "CORS headers depend on Origin, refusals included, or put Origin in the "
                    "cache's key."),
    }, stackfixes.vary(preflight))
    yield Hit(msg, {"exchange": f"probe[{crossed.served}]", "url": served.exchange.request.url,
                    "status": served_r.status, "origin": ctx.trace.origin_sent,
                    "stored_for": crossed.stored_for, "served_to": crossed.served_to,
                    "answers": [shown(crossed.fresh), shown(crossed.served)]}, fix)


def _max_age(ctx: Context) -> tuple[int, str | None] | None:
    """(index, raw Max-Age) of the last preflight that passed, or None."""
    t = ctx.trace
    if not t.preflights or t.blocked_at == "preflight":
        return None
    index = len(t.preflights) - 1
    response = t.preflights[index].response
    if response is None:
        return None
    return index, joined(response.headers, MAX_AGE)


@rule("CORS702", "max-age-missing", "info", "No Access-Control-Max-Age: the preflight is cached 5 s")
def max_age_missing(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A successful preflight without Access-Control-Max-Age.

    Why it matters:
        Browsers then cache the preflight for 5 seconds only, so nearly every call costs an
        extra round trip.

    Example:
        HTTP/1.1 204 No Content
        Access-Control-Allow-Origin: https://app.example.com
        Access-Control-Allow-Methods: PUT          <- no Access-Control-Max-Age

    Fix:
        Send Access-Control-Max-Age (600 suits every browser; Chrome honours up to 7200).
    """
    found = _max_age(ctx)
    if found and found[1] is None:
        b = limits(ctx.trace.spec.browser)
        yield Hit(
            f"The preflight has no Access-Control-Max-Age: {b.label} "
            + (f"caches it for {b.max_age_default} s" if b.max_age_default
               else "does not cache it at all")
            + ", so most requests pay for an extra OPTIONS round trip.",
            ctx.evidence_for("preflight", found[0], MAX_AGE),
            fixes.max_age(600),
        )


@rule("CORS703", "max-age-above-cap", "info", "Access-Control-Max-Age exceeds the browser's cap")
def max_age_above_cap(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Max-Age larger than the chosen browser honours (Chrome 7200 s,
        Firefox 86400 s, Safari 600 s).

    Why it matters:
        The browser silently clamps it: a configured 86400 s (a common tutorial value) means
        2 hours in Chrome and 10 minutes in Safari.

    Example:
        Access-Control-Max-Age: 86400

    Fix:
        Use a value within the cap, or accept the clamp knowingly.
    """
    found = _max_age(ctx)
    if not found or found[1] is None or not found[1].strip().isdigit():
        return
    value = int(found[1].strip())
    b = limits(ctx.trace.spec.browser)
    if value > b.max_age_cap:
        yield Hit(
            f"Access-Control-Max-Age is {value} s; {b.label} caps it at {b.max_age_cap} s.",
            ctx.evidence_for("preflight", found[0], MAX_AGE, cap=b.max_age_cap),
            fixes.max_age(b.max_age_cap),
        )


@rule("CORS704", "max-age-invalid", "warning", "Access-Control-Max-Age is not a non-negative integer")
def max_age_invalid(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Max-Age that is negative, fractional, empty, or not a number, or sent twice.

    Why it matters:
        Browsers ignore it (Chrome falls back to 5 s, Firefox does not cache at all): the
        intended caching never happens.

    Example:
        Access-Control-Max-Age: 1h

    Fix:
        Send a single non-negative integer number of seconds.
    """
    found = _max_age(ctx)
    if not found or found[1] is None or found[1].strip().isdigit():
        return
    yield Hit(
        f"Access-Control-Max-Age is '{found[1]}', not a non-negative integer; browsers ignore it.",
        ctx.evidence_for("preflight", found[0], MAX_AGE),
        fixes.max_age(600),
    )
