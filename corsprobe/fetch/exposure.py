"""Which response headers the page's JavaScript can read (Fetch: CORS-filtered response).

Readable: the CORS-safelisted response headers (Cache-Control, Content-Language,
Content-Length, Content-Type, Expires, Last-Modified, Pragma) plus the names listed in
Access-Control-Expose-Headers. ``*`` there exposes every header only when the request is
not credentialed; with credentials it names a header literally called ``*``.
Set-Cookie and Set-Cookie2 are never readable.
"""

from __future__ import annotations

from ..model import HeaderList, joined
from .safelist import FORBIDDEN_RESPONSE_HEADERS, SAFELISTED_RESPONSE_HEADERS

ACEH = "access-control-expose-headers"


def exposed_names(headers: HeaderList) -> list[str]:
    value = joined(headers, ACEH)
    if value is None:
        return []
    return [item.strip(" \t").lower() for item in value.split(",") if item.strip(" \t")]


def readable_headers(headers: HeaderList, credentials: bool) -> tuple[str, ...]:
    """Lower-case, sorted, unique names the page can read, as ``[...response.headers.keys()]``."""
    present = {name.lower() for name, _ in headers}
    exposed = set(exposed_names(headers))
    if "*" in exposed and not credentials:
        allowed = present
    else:
        allowed = (SAFELISTED_RESPONSE_HEADERS | exposed) & present
    return tuple(sorted(allowed - FORBIDDEN_RESPONSE_HEADERS))
