"""The CORS preflight: the request Chromium sends and the order in which it judges the answer.

Chromium (``preflight_controller.cc``, ``preflight_result.cc``) checks, in order:
1. a redirect                      -> PreflightDisallowedRedirect
2. Allow-Origin / Allow-Credentials -> Preflight* twins of the CORS check errors
3. an ok status (200-299)          -> PreflightInvalidStatus
4. Allow-Methods / Allow-Headers are lists of tokens -> Invalid*PreflightResponse
5. the method is allowed           -> MethodDisallowedByPreflightResponse (case-sensitive)
6. each unsafe header is allowed   -> HeaderDisallowedByPreflightResponse (case-insensitive)
So a 401 preflight without CORS headers is a missing Allow-Origin, not a bad status.
``*`` counts in the lists only without credentials; Chromium still lets ``*`` cover
Authorization (the spec does not; ``CorsNonWildcardRequestHeadersSupport`` is off).
"""

from __future__ import annotations

from ..model import CorsFailure, HeaderList, HttpResponse, joined
from . import access
from .safelist import SAFELISTED_METHODS, is_token

ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
MAX_AGE = "access-control-max-age"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
USER_AGENT = "corsprobe (Chromium CORS replay)"
ACCEPT_LANGUAGE = "en-US,en;q=0.9"


def request_headers(
    method: str, unsafe_names: list[str], origin: str, referer: str | None = None
) -> HeaderList:
    """The headers of Chromium's preflight, in its order (as Chromium 156 sends them over
    plain http: Sec-Fetch-Mode only). No credentials, no body."""
    headers: list[tuple[str, str]] = [
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", method),
    ]
    if unsafe_names:
        headers.append(("Access-Control-Request-Headers", ",".join(sorted(unsafe_names))))
    headers.append(("Origin", origin))
    headers.append(("User-Agent", USER_AGENT))
    headers.append(("Sec-Fetch-Mode", "cors"))
    if referer:
        headers.append(("Referer", referer))
    headers.append(("Accept-Language", ACCEPT_LANGUAGE))
    return tuple(headers)


def parse_list(value: str | None) -> list[str] | None:
    """A comma-separated token list; empty items are skipped. None when an item is not a token."""
    if value is None:
        return []
    items = [item.strip(" \t") for item in value.split(",")]
    items = [item for item in items if item]
    if not all(is_token(item) for item in items):
        return None
    return items


def is_redirect(response: HttpResponse) -> bool:
    return response.status in REDIRECT_STATUSES and joined(response.headers, "location") is not None


def check(
    response: HttpResponse,
    method: str,
    unsafe_names: list[str],
    origin: str,
    credentials: bool,
) -> CorsFailure | None:
    """Chromium's verdict on a preflight response, or None when the actual request may go."""
    if is_redirect(response):
        return CorsFailure("PreflightDisallowedRedirect")
    failure = access.cors_check(response.headers, origin, credentials)
    if failure:
        return access.as_preflight(failure)
    if not 200 <= response.status <= 299:
        return CorsFailure("PreflightInvalidStatus")
    methods = parse_list(joined(response.headers, ACAM))
    if methods is None:
        return CorsFailure("InvalidAllowMethodsPreflightResponse")
    allowed_headers = parse_list(joined(response.headers, ACAH))
    if allowed_headers is None:
        return CorsFailure("InvalidAllowHeadersPreflightResponse")
    if not method_allowed(method, methods, credentials):
        return CorsFailure("MethodDisallowedByPreflightResponse", method)
    lowered = {h.lower() for h in allowed_headers}
    for name in sorted(unsafe_names):
        if name in lowered:
            continue
        if "*" in lowered and not credentials:
            continue
        return CorsFailure("HeaderDisallowedByPreflightResponse", name)
    return None


def method_allowed(method: str, methods: list[str], credentials: bool) -> bool:
    if method in SAFELISTED_METHODS or method in methods:
        return True
    return "*" in methods and not credentials


def max_age(headers: HeaderList) -> str | None:
    return joined(headers, MAX_AGE)
