"""The CORS check of one response (Fetch #concept-cors-check, Chromium ``cors::CheckAccess``).

Chromium reads each header as one value, its lines joined with ", ", then decides in this
order: ``*`` (refused only with credentials); absent; not byte-equal to the serialized
origin, split into "several values" (a space or comma), ``null``, "not a URL" and plain
mismatch; finally, with credentials, Access-Control-Allow-Credentials must be exactly ``true``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..model import CorsFailure, HeaderList, joined

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"


def _looks_like_url(value: str) -> bool:
    """Roughly GURL's validity for an absolute URL: a scheme, then something to parse."""
    parts = urlsplit(value)
    scheme = parts.scheme
    if not scheme or not scheme[0].isalpha():
        return False
    if not all(c.isalnum() or c in "+-." for c in scheme):
        return False
    if scheme.lower() in ("http", "https", "ws", "wss", "ftp"):
        host = parts.netloc.rpartition("@")[2]
        if host.startswith("["):
            return "]" in host
        host = host.rsplit(":", 1)[0] if ":" in host else host
        if not host:
            return False
        try:
            _ = parts.port
        except ValueError:
            return False
        return all(c not in host for c in "<>\"{}|\\^`%#?/")
    return True


def cors_check(
    headers: HeaderList, origin: str, credentials: bool, https_or_http: bool = True
) -> CorsFailure | None:
    """None when the response passes; else the (non-preflight) CorsError and its hint."""
    allow_origin = joined(headers, ACAO)
    if allow_origin is not None:
        allow_origin = allow_origin.strip(" \t")
    if allow_origin == "*":
        if credentials and https_or_http:
            return CorsFailure("WildcardOriginNotAllowed")
        if not credentials:
            return None
    elif allow_origin is None:
        return CorsFailure("MissingAllowOriginHeader")
    elif allow_origin != origin:
        if " " in allow_origin or "," in allow_origin:
            return CorsFailure("MultipleAllowOriginValues", allow_origin)
        if allow_origin == "null":
            return CorsFailure("AllowOriginMismatch", allow_origin)
        if not _looks_like_url(allow_origin):
            return CorsFailure("InvalidAllowOriginValue", allow_origin)
        return CorsFailure("AllowOriginMismatch", allow_origin)
    if credentials:
        allow_credentials = joined(headers, ACAC)
        if allow_credentials is not None:
            allow_credentials = allow_credentials.strip(" \t")
        if allow_credentials != "true":
            return CorsFailure("InvalidAllowCredentials", allow_credentials or "")
    return None


PREFLIGHT_NAMES = {
    "WildcardOriginNotAllowed": "PreflightWildcardOriginNotAllowed",
    "MissingAllowOriginHeader": "PreflightMissingAllowOriginHeader",
    "MultipleAllowOriginValues": "PreflightMultipleAllowOriginValues",
    "InvalidAllowOriginValue": "PreflightInvalidAllowOriginValue",
    "AllowOriginMismatch": "PreflightAllowOriginMismatch",
    "InvalidAllowCredentials": "PreflightInvalidAllowCredentials",
}


def as_preflight(failure: CorsFailure) -> CorsFailure:
    return CorsFailure(PREFLIGHT_NAMES.get(failure.error, failure.error), failure.hint)
