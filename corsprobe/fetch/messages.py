"""Chromium's console text for a ``Network.CorsError``
(``third_party/blink/renderer/platform/loader/cors/cors_error_string.cc``), as printed by
the Chromium the differential suite runs (156) for a fetch() initiator.
"""

from __future__ import annotations

from ..model import CorsFailure

_WILDCARD = (
    "The value of the 'Access-Control-Allow-Origin' header in the response must not be the "
    "wildcard '*' when the request's credentials mode is 'include'."
)
_MISSING = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
_MULTIPLE = (
    "The 'Access-Control-Allow-Origin' header contains multiple values '{hint}', but only one "
    "is allowed."
)
_INVALID = "The 'Access-Control-Allow-Origin' header contains the invalid value '{hint}'."
_MISMATCH = (
    "The 'Access-Control-Allow-Origin' header has a value '{hint}' that is not equal to the "
    "supplied origin."
)
_CREDENTIALS = (
    "The value of the 'Access-Control-Allow-Credentials' header in the response is '{hint}' "
    "which must be 'true' when the request's credentials mode is 'include'."
)
_VALID_VALUE = " Have the server send the header with a valid value."

REASONS: dict[str, str] = {
    "DisallowedByMode": "Cross origin requests are not allowed by request mode.",
    "InvalidResponse": "The response is invalid.",
    "WildcardOriginNotAllowed": _WILDCARD,
    "MissingAllowOriginHeader": _MISSING,
    "MultipleAllowOriginValues": _MULTIPLE + _VALID_VALUE,
    "InvalidAllowOriginValue": _INVALID + _VALID_VALUE,
    "AllowOriginMismatch": _MISMATCH + _VALID_VALUE,
    "InvalidAllowCredentials": _CREDENTIALS,
    "CorsDisabledScheme": (
        "Cross origin requests are only supported for protocol schemes: chrome, "
        "chrome-experimental-site-token-provider, chrome-extension, chrome-untrusted, data, "
        "http, https, isolated-app."
    ),
    "PreflightInvalidStatus": "It does not have HTTP ok status.",
    "PreflightDisallowedRedirect": "Redirect is not allowed for a preflight request.",
    "InvalidAllowMethodsPreflightResponse": (
        "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
    ),
    "InvalidAllowHeadersPreflightResponse": (
        "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
    ),
    "MethodDisallowedByPreflightResponse": (
        "Method {hint} is not allowed by Access-Control-Allow-Methods in preflight response."
    ),
    "HeaderDisallowedByPreflightResponse": (
        "Request header field {hint} is not allowed by Access-Control-Allow-Headers in "
        "preflight response."
    ),
    "LocalNetworkAccessPermissionDenied": (
        "Permission was denied for this request to access the `{hint}` address space."
    ),
    "InsecureLocalNetwork": (
        "The request client is not a secure context and the resource is in more-private "
        "address space `{hint}`."
    ),
    "RedirectContainsCredentials": (
        "Redirect location '{hint}' contains a username and password, which is disallowed for "
        "cross-origin requests."
    ),
}
for _name in (
    "WildcardOriginNotAllowed",
    "MissingAllowOriginHeader",
    "MultipleAllowOriginValues",
    "InvalidAllowOriginValue",
    "AllowOriginMismatch",
    "InvalidAllowCredentials",
):
    REASONS["Preflight" + _name] = REASONS[_name]

PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
_PREFIXED = {n for n in REASONS if n.startswith("Preflight")}


def _encode_hint(hint: str) -> str:
    """Non-printable and non-ASCII characters in a hint are shown as \\uXXXX."""
    return "".join(c if 0x20 <= ord(c) < 0x7F else f"\\u{ord(c):04X}" for c in hint)


def reason_text(failure: CorsFailure) -> str:
    template = REASONS.get(failure.error, failure.error)
    if failure.error == "CorsDisabledScheme":
        return template
    text = template.replace("{hint}", _encode_hint(failure.hint or ""))
    if failure.error in _PREFIXED:
        text = PREFLIGHT_PREFIX + text
    return text


# XMLHttpRequest's credentials come from withCredentials: Chromium says so after these
XHR_CREDENTIALS = (
    " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the "
    "withCredentials attribute."
)
_CREDENTIAL_ERRORS = {"WildcardOriginNotAllowed", "InvalidAllowCredentials",
                      "PreflightWildcardOriginNotAllowed", "PreflightInvalidAllowCredentials"}


def console_message(
    failure: CorsFailure, url: str, first_url: str, origin: str, word: str = "fetch"
) -> str:
    """Chromium's line; ``word`` names the initiator: fetch, XMLHttpRequest, image, font,
    script, CSS stylesheet, resource (EventSource, sendBeacon)."""
    redirected = f" (redirected from '{first_url}')" if url != first_url else ""
    text = reason_text(failure)
    if word == "XMLHttpRequest" and failure.error in _CREDENTIAL_ERRORS:
        text += XHR_CREDENTIALS
    return (
        f"Access to {word} at '{url}'{redirected} from origin '{origin}' has been blocked by "
        f"CORS policy: {text}"
    )


def request_mode_console(url: str, origin: str) -> str:
    """Chromium's line for fetch(url, {mode: "same-origin"}) to another origin."""
    return (
        f"Fetch API cannot load {url}. Request mode is \"same-origin\" but the URL's origin is "
        f"not same as the request origin {origin}."
    )
