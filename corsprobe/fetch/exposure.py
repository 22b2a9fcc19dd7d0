"""Which response headers the page's JavaScript can read (Fetch: CORS-filtered response).

Readable: the CORS-safelisted response headers (Cache-Control, Content-Language,
Content-Length, Content-Type, Expires, Last-Modified, Pragma) plus the names listed in
Access-Control-Expose-Headers. ``*`` there exposes every header only when the request is
not credentialed; with credentials it names a header literally called ``*``.
Set-Cookie and Set-Cookie2 are never readable. Chromium parses the list strictly: one item
that is not a token and no name is exposed.

A same-origin response (the page's own origin, never redirected through another origin) has
no CORS filter: every header but Set-Cookie/Set-Cookie2 is readable (observed in Chromium,
Firefox and WebKit: ``same-origin-*`` in tests/browser).
"""

from __future__ import annotations

from ..model import HeaderList, joined
from .safelist import FORBIDDEN_RESPONSE_HEADERS, SAFELISTED_RESPONSE_HEADERS, is_token

ACEH = "access-control-expose-headers"


def exposed_names(headers: HeaderList) -> list[str]:
    """The exposed names; a list with an item that is not a token exposes nothing."""
    value = joined(headers, ACEH)
    if value is None:
        return []
    items = [item.strip(" \t").lower() for item in value.split(",") if item.strip(" \t")]
    return items if all(is_token(i) for i in items) else []


def readable_headers(
    headers: HeaderList, credentials: bool, cors: bool = True
) -> tuple[str, ...]:
    """Lower-case, sorted, unique names the page can read, as ``[...response.headers.keys()]``.

    ``cors``: the response is CORS-filtered (a cross-origin or tainted request); False for a
    same-origin response, whose headers are all readable but Set-Cookie/Set-Cookie2.
    """
    present = {name.lower() for name, _ in headers}
    exposed = set(exposed_names(headers)) if cors else set()
    allowed: set[str] = set(present)
    if cors and ("*" not in exposed or credentials):
        allowed &= SAFELISTED_RESPONSE_HEADERS | exposed
    return tuple(sorted(allowed - FORBIDDEN_RESPONSE_HEADERS))
