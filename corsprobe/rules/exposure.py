"""Exposed response headers: what the page's JavaScript can read."""

from __future__ import annotations

from collections.abc import Iterator

from ..fetch.exposure import exposed_names
from ..model import header_values
from . import Context, Hit, fixes, rule

ACEH = "Access-Control-Expose-Headers"


@rule("CORS601", "expected-header-not-readable", "error", "A response header the page needs is not readable")
def expected_not_readable(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A header named with `--expect-header` (or `readable` in a config) that JavaScript
        cannot read on the final response: not listed in Access-Control-Expose-Headers, hidden
        by `*` under credentials, or not sent at all.

    Why it matters:
        Outside the CORS-safelisted response headers (Cache-Control, Content-Language,
        Content-Length, Content-Type, Expires, Last-Modified, Pragma) a cross-origin page reads
        only the headers the server exposes. No browser reports this: `response.headers.get()`
        simply returns null.

    Example:
        X-Total-Count: 42                      <- present on the wire
        (no Access-Control-Expose-Headers)      -> headers.get('X-Total-Count') === null

    Fix:
        Expose the header: Access-Control-Expose-Headers: X-Total-Count.
    """
    if ctx.trace.allowed is not True or not ctx.trace.spec.expect_headers:
        return
    final = ctx.final
    if final is None:
        return
    index = len(ctx.trace.actuals) - 1
    for name in ctx.trace.spec.expect_headers:
        if name.lower() in ctx.trace.readable_headers:
            continue
        if name.lower() == "set-cookie":
            msg = "Set-Cookie is never readable from JavaScript, exposed or not."
            fix = {"generic": "Read the value another way (a response body field)."}
        elif not header_values(final.headers, name):
            msg = f"The response does not contain {name} at all, so the page cannot read it."
            fix = {"generic": f"Make the server send {name} on this response (and expose it)."}
        elif "*" in exposed_names(final.headers) and ctx.credentials:
            msg = (
                f"{name} is on the response, but Access-Control-Expose-Headers: * exposes nothing "
                "for a credentialed request: list it by name."
            )
            fix = fixes.expose([name])
        else:
            msg = f"{name} is on the response but not listed in Access-Control-Expose-Headers."
            fix = fixes.expose([name])
        yield Hit(msg, ctx.evidence_for("actual", index, ACEH, expected=name), fix)


@rule("CORS602", "expose-wildcard-with-credentials", "warning", "Expose-Headers * does nothing with credentials")
def expose_wildcard_credentials(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A credentialed request whose response sends `Access-Control-Expose-Headers: *`.

    Why it matters:
        With credentials, `*` is the name of a header called "*", not a wildcard: no extra
        header becomes readable.

    Example:
        fetch(url, {credentials: 'include'})
        Access-Control-Expose-Headers: *

    Fix:
        List the headers the page reads by name.
    """
    final = ctx.final
    if ctx.trace.allowed is not True or not ctx.credentials or final is None:
        return
    if "*" in exposed_names(final.headers):
        yield Hit(
            "Access-Control-Expose-Headers: * exposes nothing on a credentialed request.",
            ctx.evidence_for("actual", len(ctx.trace.actuals) - 1, ACEH),
            fixes.expose(["X-Request-ID"]),
        )
