"""Security smells and layering problems visible in one exchange."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import header_values, joined
from . import Context, Hit, rule

_CORS_HEADERS = (
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
)


@rule("CORS801", "duplicate-cors-headers", "warning", "A CORS header is sent twice")
def duplicate_cors_headers(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A CORS response header other than Allow-Origin (which has its own rule) appears on
        more than one header line of a response.

    Why it matters:
        Two layers (a reverse proxy's add_header and the application's middleware, or an API
        gateway and the app) both add CORS headers. Browsers join the lines with ", ": a
        doubled `true, true` fails, doubled lists happen to work until one layer changes.

    Example:
        Access-Control-Allow-Methods: GET, POST
        Access-Control-Allow-Methods: GET, POST, PUT

    Fix:
        Let exactly one layer handle CORS; remove the headers from the other.
    """
    for kind, exchanges in (("preflight", ctx.trace.preflights), ("actual", ctx.trace.actuals)):
        for index, exchange in enumerate(exchanges):
            if exchange.response is None:
                continue
            for name in _CORS_HEADERS:
                values = header_values(exchange.response.headers, name)
                if len(values) > 1:
                    yield Hit(
                        f"{name} is sent {len(values)} times on the {kind} response "
                        f"({', '.join(repr(v) for v in values)}): two layers add CORS headers.",
                        ctx.evidence_for(kind, index, name),
                        {"generic": "Remove the CORS headers from one layer (proxy or app)."},
                    )


@rule("CORS802", "null-origin-allowed", "warning", "The server allows the null origin")
def null_origin_allowed(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A request from the opaque origin `null` is allowed because the server answers
        `Access-Control-Allow-Origin: null` (worse with credentials).

    Why it matters:
        Any page can produce `Origin: null` (a sandboxed iframe, a data: URL), so allowing it is
        allowing everyone; with Access-Control-Allow-Credentials: true any site can read the
        user's data.

    Example:
        Origin: null
        Access-Control-Allow-Origin: null
        Access-Control-Allow-Credentials: true

    Fix:
        Never allow `null`; remove it from the allow list (and stop reflecting unknown origins).
    """
    final = ctx.final
    if ctx.trace.allowed is not True or final is None:
        return
    if (joined(final.headers, "access-control-allow-origin") or "").strip() != "null":
        return
    creds = (joined(final.headers, "access-control-allow-credentials") or "").strip() == "true"
    yield Hit(
        "The response allows the opaque origin `null`"
        + (" with credentials: any site can read it with the user's cookies." if creds else "."),
        ctx.evidence_for("actual", len(ctx.trace.actuals) - 1, "Access-Control-Allow-Origin"),
        {"generic": "Do not allow the origin null."},
    )


@rule("CORS803", "private-network-header-obsolete", "info", "Access-Control-Allow-Private-Network is obsolete")
def private_network_obsolete(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A response that sends Access-Control-Allow-Private-Network.

    Why it matters:
        Private Network Access preflights were never enforced and are superseded by Local
        Network Access (a permission prompt, no headers) since Chrome 142; the header does
        nothing today.

    Example:
        Access-Control-Allow-Private-Network: true

    Fix:
        Drop it; for pages on public origins calling local servers, plan for the Local Network
        Access permission prompt instead.
    """
    for index, exchange in enumerate(ctx.trace.preflights):
        if exchange.response and joined(exchange.response.headers, "access-control-allow-private-network"):
            yield Hit(
                "The preflight answers Access-Control-Allow-Private-Network, which no browser "
                "uses any more.",
                ctx.evidence_for("preflight", index, "Access-Control-Allow-Private-Network"),
                {"generic": "Remove Access-Control-Allow-Private-Network."},
            )
            return
