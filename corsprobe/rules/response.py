"""The actual response: error pages and layers that drop the CORS headers."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import joined
from . import Context, Hit, fixes, rule

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
    msg = (
        f"The server answered {response.status} {response.reason}".rstrip()
        + " without CORS headers: the browser reports a CORS error, but the real problem is the "
        f"{response.status}."
    )
    if body:
        msg += f" Body starts: {body!r}."
    yield Hit(msg, ctx.evidence(ACAO, body_excerpt=body), fixes.server_error(response.status))


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
