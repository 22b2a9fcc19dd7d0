"""Which response headers the page's JavaScript can read (Fetch: CORS-filtered response).

Readable: the CORS-safelisted response headers (Cache-Control, Content-Language,
Content-Length, Content-Type, Expires, Last-Modified, Pragma) plus the names listed in
Access-Control-Expose-Headers. ``*`` there exposes every header only when the request is
not credentialed; with credentials it names a header literally called ``*``.
Set-Cookie and Set-Cookie2 are never readable. Chromium parses the list strictly: one item
that is not a token and no name is exposed.
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


def readable_headers(headers: HeaderList, credentials: bool) -> tuple[str, ...]:
    """Lower-case, sorted, unique names the page can read, as ``[...response.headers.keys()]``."""
    present = {name.lower() for name, _ in headers}
    exposed = set(exposed_names(headers))
    allowed: set[str] = set(present)
    if "*" not in exposed or credentials:
        allowed &= SAFELISTED_RESPONSE_HEADERS | exposed
    return tuple(sorted(allowed - FORBIDDEN_RESPONSE_HEADERS))
