"""Security smells and layering problems visible in one exchange."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import header_index, joined
from ..stack import attributed
from . import Context, Hit, fixes, rule, stackfixes

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
            lines = header_index(exchange.response.headers)
            for name in _CORS_HEADERS:
                values = lines.get(name.lower(), ())
                if len(values) > 1:
                    shown, who = attributed(list(values), ctx.layers)
                    yield Hit(
                        f"{name} is sent {len(values)} times on the {kind} response "
                        f"({shown}): two layers add CORS headers.",
                        ctx.evidence_for(kind, index, name, **({'added_by': who} if who else {})),
                        stackfixes.for_layers(
                            {"generic": "Remove the CORS headers from one layer (proxy or app)."},
                            stackfixes.duplicate(name)),
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


def _untrusted(ctx: Context, with_credentials: bool) -> Iterator[Hit]:
    """One hit for every untrusted probe origin the server accepted (with or without
    credentials): the origins are listed once in the message, each with how it differs in
    the evidence, and the fix is given once."""
    accepted = []
    for index, probe in enumerate(ctx.trace.probes):
        response = probe.exchange.response
        if probe.purpose != "untrusted" or not probe.accepted or response is None:
            continue
        creds = (joined(response.headers, "access-control-allow-credentials") or "").strip() == "true"
        if creds == with_credentials:
            accepted.append((index, probe, response.status))
    if not accepted:
        return
    index, first, status = accepted[0]
    if len(accepted) == 1:
        what = ("with credentials: that site can read this response with the user's cookies"
                if with_credentials else "without credentials")
        message = f"The server also allows '{first.origin}' — {first.difference} — {what}."
    else:
        what = ("with credentials, so a page at any of them can read this response with the "
                "user's cookies" if with_credentials else "without credentials")
        origins = ", ".join(f"'{p.origin}'" for _, p, _ in accepted)
        message = f"The server also allows {len(accepted)} untrusted origins {what}: {origins}."
    yield Hit(
        message,
        {"exchange": f"probe[{index}]", "url": first.exchange.request.url,
         "probe_origin": first.origin, "status": status, "credentials": with_credentials,
         "origin": ctx.trace.origin_sent,
         "accepted": [{"origin": p.origin, "difference": p.difference, "exchange": f"probe[{i}]",
                       "status": code} for i, p, code in accepted]},
        fixes.allow_list(ctx.trace.origin_sent, (
            "Compare the Origin against an exact allow list (or a pattern anchored at both "
            "ends with escaped dots) before echoing it.")),
    )


@rule("CORS804", "untrusted-origin-allowed-with-credentials", "error", "An untrusted origin may read credentialed responses")
def untrusted_with_credentials(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The server echoes the page's origin, and a probe shows it also echoes an origin an
        attacker could own (any origin, `null`, the trusted host with a suffix, a look-alike
        domain, plain http) together with Access-Control-Allow-Credentials: true.

    Why it matters:
        Any page on that origin can then read this endpoint's responses with the visiting
        user's cookies: account data, CSRF tokens, API keys. Typical causes: "allow all" plus
        credentials (Starlette, django-cors-headers and flask-cors all turn it into reflection),
        and regexes anchored only at the start or with unescaped dots.

    Example:
        Origin: https://app.example.com.corsprobe.invalid
        Access-Control-Allow-Origin: https://app.example.com.corsprobe.invalid
        Access-Control-Allow-Credentials: true

    Fix:
        Allow an explicit list of origins, or a pattern anchored at both ends with escaped dots.
    """
    yield from _untrusted(ctx, True)


@rule("CORS805", "untrusted-origin-allowed", "info", "An untrusted origin may read non-credentialed responses")
def untrusted_without_credentials(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The server echoes an origin an attacker could own, without
        Access-Control-Allow-Credentials.

    Why it matters:
        Without credentials a foreign page reads only what it could fetch itself, so this is
        rarely exploitable; but the allow list does not do what its author meant, and adding
        credentials later makes it critical.

    Example:
        Origin: https://evil-example.com
        Access-Control-Allow-Origin: https://evil-example.com

    Fix:
        Tighten the allow list (exact origins, or anchored patterns with escaped dots).
    """
    yield from _untrusted(ctx, False)
