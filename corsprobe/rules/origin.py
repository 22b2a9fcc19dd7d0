"""Origin matching: why Access-Control-Allow-Origin did not equal the page's origin.

The browser compares the header with the serialized origin byte for byte, so each rule
here names the exact difference between what the server sent and what it had to send.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from ..fetch.urls import DEFAULT_PORTS
from ..model import header_values
from ..stack import attributed
from . import Context, Hit, fixes, rule, stackfixes

ACAO = "Access-Control-Allow-Origin"
_MISMATCH = ("AllowOriginMismatch", "PreflightAllowOriginMismatch")


def _parts(value: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of an Allow-Origin value that looks like an origin, else None."""
    try:
        p = urlsplit(value)
        port = p.port
    except ValueError:
        return None
    if not p.scheme or not p.hostname:
        return None
    return p.scheme, p.hostname, port


def _mismatch(ctx: Context) -> tuple[str, tuple[str, str, int | None], tuple[str, str, int]] | None:
    """The refused Allow-Origin value and both sides parsed, when the error is a mismatch."""
    if ctx.error not in _MISMATCH or ctx.origin == "null" or ctx.cache_explains:
        return None  # a cache that mixes origins up: CORS705
    value = (ctx.header(ACAO) or "").strip()
    sent = _parts(value)
    mine = urlsplit(ctx.origin)
    if sent is None or mine.hostname is None:
        return None
    port = mine.port or DEFAULT_PORTS.get(mine.scheme, 0)
    return value, sent, (mine.scheme, mine.hostname, port)


@rule("CORS101", "allow-origin-missing", "error", "No Access-Control-Allow-Origin on the response")
def allow_origin_missing(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The response the browser checked carries no Access-Control-Allow-Origin header at all.

    Why it matters:
        Without it the browser refuses to hand the response to the page
        (MissingAllowOriginHeader). The server usually did answer: either the origin is not on
        its allow list (many CORS layers then simply omit the header), or the response was
        produced by something that runs before or outside the CORS layer (an auth check, an
        error page, a redirect, a proxy).

    Example:
        GET /users  Origin: https://app.example.com
        HTTP/1.1 200 OK
        Content-Type: application/json          <- no Access-Control-Allow-Origin

    Fix:
        Allow the origin in the server's CORS configuration, and make sure the CORS layer
        handles this path and this status (it must wrap error pages and redirects too).
    """
    if ctx.error not in ("MissingAllowOriginHeader", "PreflightMissingAllowOriginHeader"):
        return
    response = ctx.response
    # An error status, a redirect or a tainted origin has a more precise rule.
    if response is None or response.status >= 300 or ctx.trace.tainted:
        return
    if any(p.accepted and p.purpose == "variant" for p in ctx.trace.probes):
        return  # CORS111 names the configured variant
    if ctx.cache_explains:
        return  # CORS705: a cache served another origin's refusal
    if ctx.trace.blocked_at == "actual" and ctx.last_preflight is not None and (
        header_values(ctx.last_preflight.headers, ACAO)
    ):
        return  # CORS402: the preflight had it
    where = "preflight" if ctx.trace.blocked_at == "preflight" else "response"
    msg = (
        f"The {where} (status {response.status}) has no Access-Control-Allow-Origin header: the "
        f"server does not allow the origin '{ctx.origin}' for this request."
    )
    fix = fixes.allow_origin(ctx.trace.origin_sent)
    if any(layer.role == "proxy" for layer in ctx.layers):
        fix = stackfixes.for_layers(fix, stackfixes.dropped())
    yield Hit(msg, ctx.evidence(ACAO), fix)


@rule("CORS102", "allow-origin-trailing-slash", "error", "Allowed origin has a trailing slash")
def allow_origin_trailing_slash(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Origin is the page's origin followed by a slash (or a path).

    Why it matters:
        A serialized origin never ends with a slash, and the browser compares byte for byte:
        `https://app.example.com/` is not `https://app.example.com` (AllowOriginMismatch).
        Usually the allow list was written with a trailing slash copied from the address bar.

    Example:
        Origin: https://app.example.com
        Access-Control-Allow-Origin: https://app.example.com/

    Fix:
        Remove the trailing slash from the configured origin.
    """
    found = _mismatch(ctx)
    if found and found[0].rstrip("/") == ctx.origin and found[0] != ctx.origin:
        yield Hit(
            f"The server allows '{found[0]}' — with a trailing slash — but browsers never send "
            f"one: the Origin is '{ctx.origin}'.",
            ctx.evidence(ACAO),
            fixes.allow_origin(ctx.origin, "Remove the trailing slash."),
        )


@rule("CORS103", "allow-origin-scheme-mismatch", "error", "Allowed origin has the other scheme")
def allow_origin_scheme(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Origin names the right host but the other scheme (http vs https).

    Why it matters:
        The scheme is part of the origin: `http://app.example.com` and
        `https://app.example.com` are different origins, so the browser refuses
        (AllowOriginMismatch). Common after moving a site to HTTPS.

    Example:
        Origin: https://app.example.com
        Access-Control-Allow-Origin: http://app.example.com

    Fix:
        Allow the scheme the page is really served from (both, during a migration).
    """
    found = _mismatch(ctx)
    if found:
        value, (scheme, host, _), (my_scheme, my_host, _) = found
        if scheme.lower() != my_scheme and host.lower() == my_host:
            yield Hit(
                f"The server allows '{value}' ({scheme}) but the page is served over {my_scheme}: "
                f"'{ctx.origin}'.",
                ctx.evidence(ACAO),
                fixes.allow_origin(ctx.origin, f"Allow the {my_scheme} origin."),
            )


@rule("CORS104", "allow-origin-port-mismatch", "error", "Allowed origin differs by port")
def allow_origin_port(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Origin names the right scheme and host but another port, or spells
        out the default port (`:443` for https, `:80` for http).

    Why it matters:
        The port is part of the origin, and the browser omits a default port when it
        serializes the origin, so `https://app.example.com:443` never equals the Origin header
        (AllowOriginMismatch). Dev servers that change port (Vite 5173 vs 3000) hit this often.

    Example:
        Origin: http://localhost:5173
        Access-Control-Allow-Origin: http://localhost:3000

    Fix:
        Allow the port the page is really served from, and never write a default port.
    """
    found = _mismatch(ctx)
    if not found:
        return
    value, (scheme, host, port), (my_scheme, my_host, my_port) = found
    if scheme.lower() != my_scheme or host.lower() != my_host:
        return
    if port is not None and port == my_port == DEFAULT_PORTS.get(my_scheme):
        yield Hit(
            f"The server allows '{value}', spelling out the default port {port}; the browser "
            f"omits it and sends '{ctx.origin}'.",
            ctx.evidence(ACAO),
            fixes.allow_origin(ctx.origin, f"Drop ':{port}' from the allowed origin."),
        )
    elif (port or DEFAULT_PORTS.get(scheme.lower())) != my_port:
        yield Hit(
            f"The server allows '{value}' but the page's origin is on port {my_port}: "
            f"'{ctx.origin}'.",
            ctx.evidence(ACAO),
            fixes.allow_origin(ctx.origin, f"Allow port {my_port}."),
        )


@rule("CORS105", "allow-origin-case-mismatch", "error", "Allowed origin differs only in letter case")
def allow_origin_case(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Origin equals the origin except for upper-case letters.

    Why it matters:
        Browsers lower-case the scheme and host when they serialize an origin and then compare
        byte for byte, so `https://App.Example.com` never matches (AllowOriginMismatch).

    Example:
        Origin: https://app.example.com
        Access-Control-Allow-Origin: https://App.Example.com

    Fix:
        Write the allowed origin in lower case, or echo the Origin header after matching it.
    """
    found = _mismatch(ctx)
    if found and found[0] != ctx.origin and found[0].lower() == ctx.origin:
        yield Hit(
            f"The server allows '{found[0]}', which differs from '{ctx.origin}' only in letter "
            "case; browsers compare byte for byte.",
            ctx.evidence(ACAO),
            fixes.allow_origin(ctx.origin, "Use the lower-case origin."),
        )


def _subdomain_related(a: str, b: str) -> bool:
    return a != b and (a.endswith("." + b) or b.endswith("." + a))


@rule("CORS106", "allow-origin-subdomain-mismatch", "error", "Allowed origin is another subdomain")
def allow_origin_subdomain(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Origin names a parent domain, a subdomain (`www.`) or a sibling
        subdomain of the page's host.

    Why it matters:
        An origin is one exact host: allowing `https://example.com` does not allow
        `https://www.example.com` or `https://app.example.com` (AllowOriginMismatch).

    Example:
        Origin: https://www.example.com
        Access-Control-Allow-Origin: https://example.com

    Fix:
        List every host that serves the page, or match subdomains with an anchored pattern.
    """
    found = _mismatch(ctx)
    if not found:
        return
    value, (scheme, host, _), (my_scheme, my_host, _) = found
    host = host.lower()
    siblings = host.split(".", 1)[-1] == my_host.split(".", 1)[-1] and host.count(".") >= 2
    if scheme.lower() == my_scheme and host != my_host and (
        _subdomain_related(host, my_host) or siblings
    ):
        yield Hit(
            f"The server allows '{value}', another host than the page's '{ctx.origin}'; an "
            "origin covers exactly one host, not its subdomains or parent.",
            ctx.evidence(ACAO),
            fixes.allow_origin(ctx.origin, f"Allow '{ctx.origin}' as well."),
        )


_LOOPBACK = {"localhost", "127.0.0.1", "[::1]", "::1"}


@rule("CORS107", "allow-origin-loopback-alias", "error", "localhost and 127.0.0.1 are different origins")
def allow_origin_loopback(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Origin uses `localhost` where the page uses `127.0.0.1` (or `[::1]`),
        or the other way round.

    Why it matters:
        They reach the same machine but are different hosts, hence different origins
        (AllowOriginMismatch). A dev server opened as http://127.0.0.1:3000 is refused by an
        API that allows http://localhost:3000.

    Example:
        Origin: http://127.0.0.1:3000
        Access-Control-Allow-Origin: http://localhost:3000

    Fix:
        Allow both spellings in development, or open the page under the allowed one.
    """
    found = _mismatch(ctx)
    if found:
        value, (_, host, _), (_, my_host, _) = found
        if host.lower() != my_host and host.lower() in _LOOPBACK and my_host in _LOOPBACK:
            yield Hit(
                f"The server allows '{value}' but the page is '{ctx.origin}': localhost, "
                "127.0.0.1 and [::1] are different origins.",
                ctx.evidence(ACAO),
                fixes.allow_origin(ctx.origin, "Allow both loopback spellings."),
            )


@rule("CORS108", "allow-origin-multiple-values", "error", "Access-Control-Allow-Origin holds several values")
def allow_origin_multiple(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Origin holds a list (`a, b` or `a b`), or is sent on two header
        lines, which the browser reads joined as one list.

    Why it matters:
        The header may carry exactly one origin or `*` (MultipleAllowOriginValues). Two lines
        usually mean two layers add CORS headers (a proxy and the app); a list usually means the
        whole allow list was pasted into the header instead of echoing the matching origin.

    Example:
        Access-Control-Allow-Origin: https://app.example.com
        Access-Control-Allow-Origin: *

    Fix:
        Send one value: check the Origin against the allow list and echo it (with Vary: Origin),
        and let exactly one layer (the proxy or the app) add CORS headers.
    """
    if ctx.error not in ("MultipleAllowOriginValues", "PreflightMultipleAllowOriginValues"):
        return
    response = ctx.response
    lines = header_values(response.headers, ACAO) if response else []
    if len(lines) > 1:
        shown, who = attributed(lines, ctx.layers)
        if who:
            msg = (f"Access-Control-Allow-Origin is sent on {len(lines)} header lines: two layers "
                   f"add it, {shown}.")
        else:
            msg = (
                f"Access-Control-Allow-Origin is sent on {len(lines)} header lines "
                f"({shown}); two layers (e.g. a proxy and the app) both add it."
            )
        note = "Remove the header from one layer (proxy or app)."
        yield Hit(msg, ctx.evidence(ACAO, lines=len(lines), **({'added_by': who} if who else {})),
                  stackfixes.for_layers(fixes.allow_origin(ctx.origin, note),
                                        stackfixes.duplicate(ACAO)))
        return
    msg = (
        f"Access-Control-Allow-Origin holds several values in one line ('{lines[0] if lines else ''}'); "
        "only one origin is allowed."
    )
    note = "Echo the one matching origin instead of the whole list."
    yield Hit(msg, ctx.evidence(ACAO, lines=len(lines)), fixes.allow_origin(ctx.origin, note))


@rule("CORS109", "allow-origin-null", "error", "Access-Control-Allow-Origin is null")
def allow_origin_null(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Origin is the string `null` while the page has a real origin.

    Why it matters:
        `null` matches only an opaque origin (sandboxed iframes, file: pages, requests after a
        cross-origin redirect). For a normal page it is a mismatch, and allowing `null` at all
        lets any sandboxed iframe read the response.

    Example:
        Origin: https://app.example.com
        Access-Control-Allow-Origin: null

    Fix:
        Echo the page's origin; never put `null` on the allow list.
    """
    if ctx.error in _MISMATCH and (ctx.header(ACAO) or "").strip() == "null":
        yield Hit(
            f"The server answered Access-Control-Allow-Origin: null to the origin '{ctx.origin}'.",
            ctx.evidence(ACAO),
            fixes.allow_origin(ctx.origin, "Do not send null."),
        )


@rule("CORS110", "allow-origin-other-origin", "error", "Access-Control-Allow-Origin names another origin")
def allow_origin_other(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Origin names an origin unrelated to the page's (not a slash, scheme,
        port, case, subdomain or loopback variant), or a value that is not an origin at all.

    Why it matters:
        The browser refuses any value that is not byte-equal to the page's origin
        (AllowOriginMismatch, InvalidAllowOriginValue). A fixed value in the server or proxy
        configuration, or a cached response for another origin (see Vary: Origin), is typical.

    Example:
        Origin: https://app.example.com
        Access-Control-Allow-Origin: https://admin.example.org

    Fix:
        Echo the request's Origin when it is on the allow list; do not hard-code one origin for
        every caller.
    """
    invalid = ("InvalidAllowOriginValue", "PreflightInvalidAllowOriginValue")
    if ctx.error not in _MISMATCH + invalid:
        return
    value = (ctx.header(ACAO) or "").strip()
    if ctx.trace.tainted:
        return  # CORS502 explains the null origin
    if ctx.cache_explains and ctx.error in _MISMATCH:
        return  # CORS705: a cache served another origin's answer
    if ctx.error in invalid:
        yield Hit(
            f"Access-Control-Allow-Origin holds '{value}', which is not an origin.",
            ctx.evidence(ACAO),
            fixes.allow_origin(ctx.origin),
        )
        return
    specific = (
        allow_origin_trailing_slash, allow_origin_scheme, allow_origin_port, allow_origin_case,
        allow_origin_subdomain, allow_origin_loopback, allow_origin_null,
    )
    if any(next(iter(r(ctx)), None) for r in specific):
        return
    msg = f"The server allows '{value}', not the page's origin '{ctx.origin}'."
    yield Hit(msg, ctx.evidence(ACAO), fixes.allow_origin(ctx.origin))


@rule("CORS111", "allowed-origin-variant", "error", "The server allows a variant of the origin, not the origin")
def allowed_origin_variant(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The origin was refused, and a probe with a close variant of it (a trailing slash, the
        other scheme, an explicit or other port, with or without `www.`, `localhost` vs
        `127.0.0.1`, upper case) was accepted: the allow list holds that variant.

    Why it matters:
        Many CORS layers omit Access-Control-Allow-Origin for an origin they do not know, so the
        exchange alone cannot say what is configured. The accepted variant names the typo in the
        configuration exactly; the browser will never send that variant.

    Example:
        Origin: https://app.example.com    -> no Access-Control-Allow-Origin
        Origin: https://app.example.com/   -> Access-Control-Allow-Origin: https://app.example.com/

    Fix:
        Write the allowed origin exactly as the browser sends it.
    """
    for index, probe in enumerate(ctx.trace.probes):
        if probe.accepted and probe.purpose == "variant":
            yield Hit(
                f"Your server allows '{probe.origin}' — {probe.difference} — but browsers send "
                f"'{ctx.trace.origin_sent}'.",
                {"exchange": f"probe[{index}]", "url": probe.exchange.request.url,
                 "probe_origin": probe.origin, "difference": probe.difference,
                 "status": probe.exchange.response.status if probe.exchange.response else None,
                 "origin": ctx.trace.origin_sent},
                fixes.allow_origin(ctx.trace.origin_sent, f"The configuration has it {probe.difference}."),
            )
