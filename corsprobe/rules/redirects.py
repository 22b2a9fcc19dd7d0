"""Redirects: answered before the CORS layer, or crossing origins."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from ..model import joined
from ..stack import KNOWN, house_style
from . import Context, Hit, fixes, rule, stackfixes


def _shape(url: str, location: str) -> tuple[str, bool, bool]:
    target = urljoin(url, location)
    a, b = urlsplit(url), urlsplit(target)
    slash = a.netloc == b.netloc and a.scheme == b.scheme and (
        a.path.rstrip("/") == b.path.rstrip("/") and a.path != b.path
    )
    upgrade = a.scheme == "http" and b.scheme == "https" and a.path == b.path
    return target, slash, upgrade


@rule("CORS501", "redirect-without-cors", "error", "A redirect was answered before the CORS layer")
def redirect_without_cors(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A 3xx response on the way to the resource carries no (or the wrong)
        Access-Control-Allow-Origin, or a preflight was redirected at all. Names the usual
        cause: a missing or extra trailing slash (Django's APPEND_SLASH, Flask's canonical
        URLs), an http -> https upgrade, a login redirect.

    Why it matters:
        Each redirect response is CORS-checked like a final one, and a preflight may not
        redirect at all (PreflightDisallowedRedirect). The redirect usually comes from a layer
        that runs before the CORS middleware.

    Example:
        GET /api/slash   Origin: https://app.example.com
        HTTP/1.1 301 Moved Permanently
        Location: /api/slash/                 <- no Access-Control-Allow-Origin

    Fix:
        Request the final URL directly, and let the CORS layer run before whatever redirects
        (django-cors-headers: CorsMiddleware before CommonMiddleware).
    """
    if ctx.error == "PreflightDisallowedRedirect":
        exchange = ctx.trace.preflights[-1]
        kind, index = "preflight", len(ctx.trace.preflights) - 1
        what = "The preflight was redirected"
    elif ctx.trace.blocked_at == "redirect" and ctx.error != "RedirectContainsCredentials":
        exchange = ctx.trace.actuals[-1]
        kind, index = "actual", len(ctx.trace.actuals) - 1
        what = "A redirect has no valid CORS headers"
    else:
        return
    response = exchange.response
    if response is None:
        return
    location = joined(response.headers, "location") or ""
    target, slash, upgrade = _shape(exchange.request.url, location)
    made_by = house_style(response)
    msg = f"{what}: {response.status} to {target}."
    if made_by:
        msg += (f" {KNOWN[made_by][0]} issued it itself (its own redirect page), before the "
                "request reached the app or its CORS layer.")
        if slash:
            msg += " The only difference is the trailing slash."
    elif slash:
        msg += " The only difference is the trailing slash (Django APPEND_SLASH or a framework's canonical URL)."
    elif upgrade:
        msg += " The redirect upgrades http to https: call the https URL."
    if upgrade and made_by:
        msg += " It upgrades http to https: call the https URL."
    if kind == "preflight":
        msg += " A preflight may not redirect."
    layer_fixes = stackfixes.redirect(target, slash, upgrade)
    if made_by:
        fix = {"generic": fixes.redirect_before_cors(target, slash, upgrade)["generic"],
               **{k: v for k, v in layer_fixes.items() if k == made_by}}
    else:
        fix = stackfixes.for_layers(fixes.redirect_before_cors(target, slash, upgrade), layer_fixes)
    yield Hit(
        msg,
        ctx.evidence_for(kind, index, "Location", location=target,
                         **({"made_by": made_by} if made_by else {})),
        fix,
    )


@rule("CORS502", "redirect-taints-origin", "error", "A cross-origin redirect turned the origin into null")
def redirect_taints_origin(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The request was redirected from one foreign origin to another, so the browser now sends
        `Origin: null`, and the final response does not allow `null` (or `*`).

    Why it matters:
        After such a hop the request's origin is "tainted": the browser serializes it as `null`
        and checks Access-Control-Allow-Origin against `null` (AllowOriginMismatch with origin
        'null' in the console). Allowing `null` is unsafe (any sandboxed iframe is `null`).

    Example:
        GET https://api.example.com/file -> 302 Location: https://cdn.example.net/file
        GET https://cdn.example.net/file  Origin: null
        Access-Control-Allow-Origin: https://app.example.com

    Fix:
        Let the page request the final URL directly, or have the final server send
        `Access-Control-Allow-Origin: *` for public, non-credentialed resources.
    """
    if not ctx.trace.tainted or ctx.trace.allowed is not False or ctx.trace.failure is None:
        return
    yield Hit(
        "A cross-origin redirect made the request's origin `null`; the final response does not "
        f"allow it ({ctx.trace.failure.error}). Request {ctx.trace.final_url} directly.",
        ctx.evidence("Access-Control-Allow-Origin", final_url=ctx.trace.final_url),
        fixes.allow_origin(ctx.trace.origin_sent, "Avoid the cross-origin redirect."),
    )


@rule("CORS503", "redirect-contains-credentials", "error", "A redirect Location contains user:password")
def redirect_credentials(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A redirect's Location holds `user:password@` and points to another origin.

    Why it matters:
        Browsers refuse to follow such a redirect in CORS mode (RedirectContainsCredentials):
        credentials in URLs are never sent cross-origin.

    Example:
        HTTP/1.1 302 Found
        Location: https://user:secret@files.example.net/report

    Fix:
        Redirect to a URL without credentials and authenticate another way.
    """
    if ctx.error == "RedirectContainsCredentials":
        yield Hit(
            "A redirect points to a URL with user:password, which browsers refuse to follow "
            "cross-origin.",
            ctx.evidence("Location"),
            {"generic": "Remove user:password from the redirect Location."},
        )
