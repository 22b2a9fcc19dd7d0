"""The actual response: error pages and layers that drop the CORS headers."""

from __future__ import annotations

import re
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
        An unsafe request (POST, PUT, PATCH, DELETE) refused by the CSRF layer behind a
        correct CORS answer. Four signatures, each recorded from the real framework in
        tests/frameworks:

        - Django's CSRF middleware: 403 "CSRF verification failed. Request aborted." (HTML).
          Django 4+ first compares the request's Origin with the server's own origin and
          CSRF_TRUSTED_ORIGINS ("Origin checking failed - https://app.example.com does not
          match any trusted origins"), then wants the csrftoken cookie and the X-CSRFToken
          header. With DEBUG = False the page does not say which check failed; a missing
          cookie has a paragraph of its own.
        - Django REST framework's SessionAuthentication (a request authenticated by the
          session cookie): 403 JSON {"detail": "CSRF Failed: Origin checking failed - ..."},
          the same checks as Django's, the reason always given.
        - Flask-WTF's CSRFProtect: 400 Bad Request (HTML) "The CSRF token is missing." (or
          "The CSRF session token is missing.", "... has expired.", "... is invalid.", "The
          CSRF tokens do not match.", and over https "The referrer header is missing." / "The
          referrer does not match the host."). It does not look at the Origin.
        - The starlette-csrf middleware (double-submit cookie): 403 text/plain "CSRF token
          verification failed" when the csrftoken cookie or the x-csrftoken header is missing
          or they differ.

    Why it matters:
        The preflight passed and the CORS headers are there, so the page reads a 403 (or 400)
        and the CORS configuration looks guilty. It is not: CORS and CSRF are two layers, and
        the CORS package does not tell the CSRF layer to trust the origins it allows.

    Example:
        POST /api/login   Origin: https://app.example.com
        HTTP/1.1 403 Forbidden
        access-control-allow-origin: https://app.example.com
        <p>CSRF verification failed. Request aborted.</p>

    Fix:
        Django (and DRF): CSRF_TRUSTED_ORIGINS = ["https://app.example.com"] (the scheme is
        required since Django 4.0), then send the CSRF token in an X-CSRFToken header.
        Flask-WTF: hand out generate_csrf() from a view and send it back in X-CSRFToken.
        starlette-csrf: hand out the csrftoken cookie's value and send it back in x-csrftoken,
        the cookie set with cookie_samesite="none", cookie_secure=True.
    """
    response = ctx.final
    if response is None or response.status not in (400, 403):
        return
    if ctx.trace.actuals[-1].request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    body = response.body.decode("utf-8", "replace")
    origin = ctx.trace.origin_sent
    found = (_django_csrf(body, origin) if response.status == 403 else None) or \
        (_drf_csrf(body, origin) if response.status == 403 else None) or \
        (_starlette_csrf(body) if response.status == 403 else None) or \
        (_flask_wtf_csrf(body) if response.status == 400 else None)
    if found is None:
        return
    msg, fix, excerpt, why, framework = found
    evidence = {"exchange": f"actual[{len(ctx.trace.actuals) - 1}]",
                "url": ctx.trace.actuals[-1].request.url, "status": response.status,
                "origin": origin, "body_excerpt": excerpt, "csrf_check": why,
                "csrf_layer": framework}
    yield Hit(msg, evidence, {"generic": fix})


# (message, fix, body excerpt, the check that failed, the layer)
_Csrf = tuple[str, str, str, str, str]


def _django_csrf(body: str, origin: str) -> _Csrf | None:
    if _DJANGO_CSRF not in body:
        return None
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
    return msg, fix, "CSRF verification failed. Request aborted.", why or "origin", "django"


_DRF_CSRF = re.compile(r'"detail"\s*:\s*"(CSRF Failed: [^"]*)"')


def _drf_csrf(body: str, origin: str) -> _Csrf | None:
    m = _DRF_CSRF.search(body)
    if m is None:
        return None
    detail = m.group(1)
    why = _csrf_reason(detail) or "token"
    trusted = f'CSRF_TRUSTED_ORIGINS = ["{origin}"]'
    layer = ("Django REST framework's SessionAuthentication refused the request (403, "
             f"\"{detail}\")")
    if why == "origin":
        msg = (f"{layer}: the Origin {origin} is not in CSRF_TRUSTED_ORIGINS. DRF checks CSRF "
               "for every request the session cookie authenticates; the CORS answer is right, "
               "the CSRF check behind it is not told about the page.")
        fix = (f"Django REST framework: {trusted} in settings.py, the scheme included; "
               f"{_CSRF_TOKEN_FIX} An API that authenticates the page by a token header "
               "(TokenAuthentication, JWT) instead of the session cookie is not CSRF-checked.")
    elif why == "referer":
        msg = (f"{layer}: the Referer check of an https request. The CORS answer is not the "
               "problem.")
        fix = f"Django REST framework: {trusted}; {_CSRF_TOKEN_FIX}"
    else:
        msg = (f"{layer}: the CSRF {why} is missing or wrong. The origin passed its check, so "
               "the CORS answer is not the problem.")
        fix = f"Django REST framework: send the CSRF token with the request; {_CSRF_TOKEN_FIX}"
    return msg, fix, detail, why, "django-rest-framework"


_FLASK_WTF = (  # Flask-WTF's CSRFError reasons (flask_wtf/csrf.py), the check each names
    ("The CSRF token is missing.", "token"),
    ("The CSRF session token is missing.", "session"),
    ("The CSRF token has expired.", "token"),
    ("The CSRF token is invalid.", "token"),
    ("The CSRF tokens do not match.", "token"),
    ("The referrer header is missing.", "referer"),
    ("The referrer does not match the host.", "referer"),
)
_FLASK_WTF_TOKEN_FIX = (
    "hand the token out from a view (return {\"csrf_token\": flask_wtf.csrf.generate_csrf()}) "
    "and send it back in an X-CSRFToken header (allow it: CORS(app, allow_headers=[..., "
    "\"X-CSRFToken\"])); the token is bound to the session, so the session cookie must reach "
    "the API too: app.config.update(SESSION_COOKIE_SAMESITE=\"None\", "
    "SESSION_COOKIE_SECURE=True) for a cross-site page. A view that authenticates by a token "
    "header and not the session may be @csrf.exempt."
)


def _flask_wtf_csrf(body: str) -> _Csrf | None:
    found = next(((text, why) for text, why in _FLASK_WTF if text in body), None)
    if found is None:
        return None
    text, why = found
    layer = f"Flask-WTF's CSRFProtect refused the request (400, \"{text}\")"
    if why == "referer":
        msg = (f"{layer}: over https it wants a Referer of the API's own host "
               "(WTF_CSRF_SSL_STRICT), and a page on another origin sends its own. The CORS "
               "answer is right.")
        fix = ("Flask-WTF: app.config[\"WTF_CSRF_SSL_STRICT\"] = False (the token still "
               f"protects the request), and {_FLASK_WTF_TOKEN_FIX}")
    elif why == "session":
        msg = (f"{layer}: the token came, but the session that holds its secret did not (the "
               "session cookie was not sent or not stored). The CORS answer is right.")
        fix = f"Flask-WTF: {_FLASK_WTF_TOKEN_FIX}"
    else:
        msg = (f"{layer}: every unsafe request needs the session's CSRF token in a form field "
               "or an X-CSRFToken header, and Flask-WTF does not look at the Origin. The CORS "
               "answer is right; the CSRF layer behind it refuses the request.")
        fix = f"Flask-WTF: {_FLASK_WTF_TOKEN_FIX}"
    return msg, fix, text, why, "flask-wtf"


_STARLETTE_CSRF = "CSRF token verification failed"


def _starlette_csrf(body: str) -> _Csrf | None:
    if body.strip() != _STARLETTE_CSRF:
        return None
    msg = ("The starlette-csrf middleware refused the request (403, \"CSRF token verification "
           "failed\"): it wants its csrftoken cookie and the same token in an x-csrftoken "
           "header (a double-submit cookie), and a page on another origin can read neither "
           "the cookie nor, by default, keep it (SameSite=Lax). The CORS answer is right.")
    fix = ("starlette-csrf: hand the token out in a JSON answer (the csrftoken cookie's value, "
           "request.cookies[\"csrftoken\"], from a GET that sets it) and send it back in an "
           "x-csrftoken header (allow it: CORSMiddleware(allow_headers=[..., \"x-csrftoken\"])); "
           "let a cross-site page keep the cookie: app.add_middleware(CSRFMiddleware, "
           "secret=..., cookie_samesite=\"none\", cookie_secure=True); keep CORSMiddleware "
           "outermost (added last) so the 403 stays readable. If the API authenticates by a "
           "header and not cookies, sensitive_cookies={\"session\"} checks only requests that "
           "carry the session cookie.")
    return msg, fix, _STARLETTE_CSRF, "token", "starlette-csrf"
