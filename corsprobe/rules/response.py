"""The actual response: error pages and layers that drop the CORS headers."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import joined
from ..stack import KNOWN, house_style
from . import Context, Hit, fixes, rule, stackfixes

ACAO = "Access-Control-Allow-Origin"


@rule("CORS401", "error-response-without-cors", "error", "An error response has no CORS headers")
def error_without_cors(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The actual request got an error status (4xx/5xx) without Access-Control-Allow-Origin.

    Why it matters:
        The browser reports a CORS error (MissingAllowOriginHeader) and hides the status from
        the page, so the real problem (a crash, a failed auth check, a missing route) looks
        like a CORS problem. Typical: FastAPI/Starlette renders unhandled exceptions outside
        CORSMiddleware; proxies answer 502/504 on their own.

    Example:
        GET /api/boom   Origin: https://app.example.com
        HTTP/1.1 500 Internal Server Error
        content-type: text/plain          <- no Access-Control-Allow-Origin

    Fix:
        Fix the error itself, and make the CORS layer wrap error responses so the page sees the
        status instead of a CORS failure.
    """
    if ctx.trace.blocked_at != "actual" or ctx.error != "MissingAllowOriginHeader":
        return
    response = ctx.final
    if response is None or response.status < 400:
        return
    body = response.body.decode("utf-8", "replace").strip().replace("\n", " ")[:120]
    made_by = house_style(response)
    if made_by:
        label = KNOWN[made_by][0]
        msg = (f"{label} answered {response.status} {response.reason}".rstrip()
               + f" itself, in its own error page, without CORS headers: the app behind "
               f"{label} never answered. The browser reports a CORS error, but the real "
               f"problem is the {response.status}.")
        fix = {"generic": (f"{label} answered for the app: fix why the app did not answer "
                           f"(see {label}'s error log), and let {label} add CORS headers to "
                           "its own error pages if the page must read the status."),
               **stackfixes.proxy_error(made_by, response.status)}
    else:
        msg = (
            f"The server answered {response.status} {response.reason}".rstrip()
            + " without CORS headers: the browser reports a CORS error, but the real problem is the "
            f"{response.status}."
        )
        fix = stackfixes.for_layers(fixes.server_error(response.status),
                                    stackfixes.always(response.status))
    if body:
        msg += f" Body starts: {body!r}."
    yield Hit(msg, ctx.evidence(ACAO, body_excerpt=body, **({"made_by": made_by} if made_by else {})),
              fix)


@rule("CORS402", "cors-only-on-preflight", "error", "The preflight allows the origin but the response does not")
def cors_only_on_preflight(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The preflight passed with Access-Control-Allow-Origin, but the actual response (status
        2xx) has no Access-Control-Allow-Origin.

    Why it matters:
        Both responses are checked. A preflight answered by a proxy or an OPTIONS-only handler,
        while the application's real response lacks the headers, fails at the second step
        (MissingAllowOriginHeader) after the preflight looked fine.

    Example:
        OPTIONS /api/users -> 204, Access-Control-Allow-Origin: https://app.example.com
        POST /api/users    -> 201, no Access-Control-Allow-Origin

    Fix:
        Add the CORS headers to the actual responses too (one CORS layer for all methods).
    """
    if ctx.trace.blocked_at != "actual" or ctx.error != "MissingAllowOriginHeader":
        return
    response = ctx.final
    pre = ctx.last_preflight
    if response is None or response.status >= 300 or pre is None:
        return
    if joined(pre.headers, ACAO) is None:
        return
    yield Hit(
        "The preflight allowed the origin, but the actual response carries no "
        "Access-Control-Allow-Origin: the two are answered by different layers.",
        ctx.evidence(ACAO),
        fixes.allow_origin(ctx.origin, "Send the CORS headers on the actual response as well."),
    )


# Django's CSRF failure page (django.views.csrf.csrf_failure): its title line always, the
# reason only with DEBUG = True, a paragraph of its own for a missing cookie or Referer.
_DJANGO_CSRF = "CSRF verification failed"
_CSRF_REASONS = (  # (text in the body, what failed); the first found wins
    ("Origin checking failed", "origin"),
    ("CSRF cookie not set", "cookie"),
    ("requires a CSRF cookie", "cookie"),
    ("Referer checking failed", "referer"),
    ("Referer header", "referer"),
    ("CSRF token missing", "token"),
    ("CSRF token incorrect", "token"),
    ("CSRF token from", "token"),
)
_CSRF_TOKEN_FIX = (
    "then the token: a page on another origin cannot read the csrftoken cookie, so hand it "
    "out from a view (return django.middleware.csrf.get_token(request) in a JSON answer) and "
    "send it back in an X-CSRFToken header (django-cors-headers allows that header by "
    "default); a cross-site page also needs CSRF_COOKIE_SAMESITE = \"None\" and "
    "CSRF_COOKIE_SECURE = True. Do not csrf_exempt a view that trusts the session cookie."
)


def _csrf_reason(body: str) -> str | None:
    return next((why for text, why in _CSRF_REASONS if text in body), None)


@rule("CORS403", "csrf-rejected", "error", "The CORS answer is right, the CSRF check refuses the request")
def csrf_rejected(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        An unsafe request (POST, PUT, PATCH, DELETE) answered 403 by Django's CSRF middleware:
        its "CSRF verification failed. Request aborted." page. Django 4+ first compares the
        request's Origin with the server's own origin and CSRF_TRUSTED_ORIGINS ("Origin
        checking failed - https://app.example.com does not match any trusted origins"), then
        wants the csrftoken cookie and the X-CSRFToken header. With DEBUG = False the page
        does not say which check failed; a missing cookie has a paragraph of its own.

    Why it matters:
        The preflight passed and the CORS headers are there, so the page reads a 403 and the
        CORS configuration looks guilty. It is not: CORS and CSRF are two layers, and
        django-cors-headers does not tell the CSRF middleware to trust the origins it allows.

    Example:
        POST /api/login   Origin: https://app.example.com
        HTTP/1.1 403 Forbidden
        access-control-allow-origin: https://app.example.com
        <p>CSRF verification failed. Request aborted.</p>

    Fix:
        CSRF_TRUSTED_ORIGINS = ["https://app.example.com"] (the scheme is required since
        Django 4.0), then send the CSRF token in an X-CSRFToken header.
    """
    response = ctx.final
    if response is None or response.status != 403:
        return
    if ctx.trace.actuals[-1].request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    body = response.body.decode("utf-8", "replace")
    if _DJANGO_CSRF not in body:
        return
    origin = ctx.trace.origin_sent
    why = _csrf_reason(body)
    trusted = f'CSRF_TRUSTED_ORIGINS = ["{origin}"]'
    if why in ("cookie", "token"):
        msg = (f"Django's CSRF middleware refused the request (403, \"CSRF verification failed\": "
               f"the CSRF {why} is missing or wrong). The origin passed its check, so the CORS "
               "answer is not the problem.")
        fix = f"Django: send the CSRF token with the request; {_CSRF_TOKEN_FIX}"
    elif why == "referer":
        msg = ("Django's CSRF middleware refused the request (403, \"CSRF verification "
               "failed\": the Referer check of an https request). The CORS answer is not the "
               "problem.")
        fix = (f"Django: {trusted} (Django trusts a Referer from those origins too); "
               f"{_CSRF_TOKEN_FIX}")
    else:
        seen = ("the page says so" if why == "origin" else
                "with DEBUG = False the page does not say which check failed; Django 4+ checks "
                "the Origin first")
        msg = (f"Django's CSRF middleware refused the request (403, \"CSRF verification "
               f"failed\"): the Origin {origin} is not in CSRF_TRUSTED_ORIGINS ({seen}). The "
               "CORS answer is right; the CSRF layer behind it is not told about the page.")
        fix = (f"Django: {trusted} in settings.py, the scheme included (Django 4.0 and "
               f"later); {_CSRF_TOKEN_FIX}")
    excerpt = "CSRF verification failed. Request aborted."
    evidence = {"exchange": f"actual[{len(ctx.trace.actuals) - 1}]",
                "url": ctx.trace.actuals[-1].request.url, "status": 403,
                "origin": origin, "body_excerpt": excerpt, "csrf_check": why or "origin"}
    yield Hit(msg, evidence, {"generic": fix})
