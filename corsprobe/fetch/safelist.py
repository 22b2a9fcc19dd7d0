"""Methods and request headers: what fetch() normalises, forbids and safelists.

Fetch Standard: #concept-method-normalize, #cors-safelisted-method,
#cors-safelisted-request-header, #cors-unsafe-request-header-names, #forbidden-request-header.
Chromium additions (``services/network/public/cpp/cors/cors.cc``, ``IsCorsSafelistedHeader``):
client-hint headers and ``Save-Data``/``Intervention`` are safelisted too, each with a value rule.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import HeaderList
from .browsers import CHROMIUM_CLIENT_HINTS

NORMALIZED_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT")
SAFELISTED_METHODS = ("GET", "HEAD", "POST")
FORBIDDEN_METHODS = ("CONNECT", "TRACE", "TRACK")
SAFELISTED_CONTENT_TYPES = (
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
)
VALUE_LIMIT = 128
TOTAL_LIMIT = 1024

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")

FORBIDDEN_HEADERS = frozenset(
    {
        "accept-charset", "accept-encoding", "access-control-request-headers",
        "access-control-request-method", "access-control-request-private-network",
        "connection", "content-length", "cookie", "cookie2", "date", "dnt", "expect",
        "host", "keep-alive", "origin", "referer", "set-cookie", "te", "trailer",
        "transfer-encoding", "upgrade", "via",
    }
)
METHOD_OVERRIDE_HEADERS = ("x-http-method", "x-http-method-override", "x-method-override")

# Chromium safelists these beyond the Fetch Standard's five names (client hints etc.).
_CHROMIUM_EXTRA = CHROMIUM_CLIENT_HINTS
_SPEC_NAMES = frozenset({"accept", "accept-language", "content-language", "content-type", "range"})

_UNSAFE_BYTES = frozenset(
    [chr(c) for c in range(0x20) if c != 0x09] + list('"():<>?@[\\]{}') + ["\x7f"]
)
_LANGUAGE_CHARS = frozenset(
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz *,-.;="
)
_DOUBLE = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_INT = re.compile(r"^[0-9]+$")
_RANGE = re.compile(r"^bytes=([0-9]+)-([0-9]*)$")
_ECT_VALUES = ("slow-2g", "2g", "3g", "4g")
_INT64_MAX = 2**63 - 1


def is_token(text: str) -> bool:
    return bool(_TOKEN.match(text))


def normalize_method(method: str) -> str:
    """fetch() upper-cases only the six methods it knows; ``patch`` stays ``patch``."""
    upper = method.upper()
    return upper if upper in NORMALIZED_METHODS else method


def is_forbidden_method(method: str) -> bool:
    return method.upper() in FORBIDDEN_METHODS


def is_forbidden_header(name: str, value: str = "") -> bool:
    """A header a page cannot set: fetch() silently drops it."""
    lname = name.lower()
    if lname in FORBIDDEN_HEADERS or lname.startswith(("proxy-", "sec-")):
        return True
    if lname in METHOD_OVERRIDE_HEADERS:
        methods = [m.strip().upper() for m in value.split(",")]
        return any(m in FORBIDDEN_METHODS for m in methods)
    return False


def _mime_essence(value: str) -> str | None:
    essence = value.split(";", 1)[0].strip(" \t\r\n").lower()
    if "/" not in essence:
        return None
    kind, _, sub = essence.partition("/")
    if not is_token(kind) or not is_token(sub):
        return None
    return essence


def safelist_problem(
    name: str, value: str, extra: frozenset[str] = _CHROMIUM_EXTRA
) -> str | None:
    """None when (name, value) is a CORS-safelisted request header; else why not.

    ``extra``: the names the browser safelists beyond the standard's five (Chromium's client
    hints by default; none for Firefox and WebKit).
    """
    lname = name.lower()
    if lname not in _SPEC_NAMES and lname not in extra:
        if lname in _CHROMIUM_EXTRA:
            return f"{lname} is not a CORS-safelisted request header (only Chromium safelists it)"
        return f"{lname} is not a CORS-safelisted request header"
    size = len(value.encode("utf-8", "surrogateescape"))
    if size > VALUE_LIMIT:
        return f"{lname}: the value is {size} bytes, over the {VALUE_LIMIT}-byte limit for safelisted headers"
    if lname in ("device-memory", "dpr"):
        return None if _DOUBLE.match(value) else f"{lname}: '{value}' is not a number"
    if lname in ("width", "viewport-width", "rtt"):
        return None if _INT.match(value) else f"{lname}: '{value}' is not an integer"
    if lname == "downlink":
        return None if _DOUBLE.match(value) else f"{lname}: '{value}' is not a number"
    if lname == "ect":
        return None if value in _ECT_VALUES else f"ect: only {', '.join(_ECT_VALUES)} are safelisted"
    if lname == "save-data":
        return None if value.lower() == "on" else "save-data: only the value 'on' is safelisted"
    if lname in ("accept", "content-type"):
        bad = sorted({c for c in value if c in _UNSAFE_BYTES})
        if bad:
            shown = " ".join(repr(c) for c in bad)
            return f"{lname}: the value contains bytes that are not CORS-safe ({shown})"
    if lname in ("accept-language", "content-language"):
        bad = sorted({c for c in value if c not in _LANGUAGE_CHARS})
        if bad:
            shown = " ".join(repr(c) for c in bad)
            return f"{lname}: only letters, digits, space and * , - . ; = are safelisted (got {shown})"
    if lname == "content-type":
        essence = _mime_essence(value)
        if essence not in SAFELISTED_CONTENT_TYPES:
            return (
                f"content-type: '{value}' is not one of the three CORS-safelisted types "
                "(application/x-www-form-urlencoded, multipart/form-data, text/plain)"
            )
    if lname == "range":
        m = _RANGE.match(value)
        numbers = [int(g) for g in m.groups() if g] if m else []
        if not m or any(n > _INT64_MAX for n in numbers) or (
            len(numbers) == 2 and numbers[0] > numbers[1]
        ):
            return f"range: only a single 'bytes=N-' or 'bytes=N-M' range is safelisted (got '{value}')"
    return None


def combine_values(headers: HeaderList) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The header list as a Headers object holds it: one entry per name (case-insensitive, at
    its first place, spelled as first given), repeated values joined with ", ". Also how many
    values each lower-case name had."""
    out: list[tuple[str, str]] = []
    where: dict[str, int] = {}
    count: dict[str, int] = {}
    for name, value in headers:
        lname = name.lower()
        count[lname] = count.get(lname, 0) + 1
        if lname in where:
            first, joined_value = out[where[lname]]
            out[where[lname]] = (first, f"{joined_value}, {value}")
        else:
            where[lname] = len(out)
            out.append((name, value))
    return out, count


def unsafe_header_names(
    headers: HeaderList, extra: frozenset[str] = _CHROMIUM_EXTRA, combine: bool = True
) -> tuple[list[str], list[str]]:
    """CORS-unsafe request-header names (lower-case, sorted, unique) and the reason for each.

    Forbidden headers are ignored (the browser drops them before this step). When the
    safelisted values add up to more than 1024 bytes, every safelisted name becomes unsafe.
    ``combine``: a name given several times is judged by its combined value
    ("text/plain, text/plain"), as Chromium and WebKit do; False judges each value on its own,
    as Firefox does (see browsers.py).
    """
    unsafe: dict[str, str] = {}
    safe: list[str] = []
    total = 0
    kept = [(n, v) for n, v in headers if not is_forbidden_header(n, v)]
    count: dict[str, int] = {}
    if combine:
        kept, count = combine_values(tuple(kept))
    for name, value in kept:
        problem = safelist_problem(name, value, extra)
        if problem and count.get(name.lower(), 1) > 1:
            problem += (
                f" (given {count[name.lower()]} times: the page's Headers object combines the "
                "values into one)"
            )
        if problem:
            unsafe.setdefault(name.lower(), problem)
        else:
            safe.append(name.lower())
            total += len(value.encode("utf-8", "surrogateescape"))
    if total > TOTAL_LIMIT:
        for lname in safe:
            unsafe.setdefault(
                lname,
                f"{lname}: safelisted headers total {total} bytes, over the {TOTAL_LIMIT}-byte limit",
            )
    names = sorted(unsafe)
    return names, [unsafe[n] for n in names]


def preflight_reasons(
    method: str, headers: HeaderList, extra: frozenset[str] = _CHROMIUM_EXTRA,
    combine: bool = True,
) -> tuple[list[str], list[str]]:
    """(reasons a preflight is needed, unsafe header names). No reasons: no preflight."""
    try:
        reasons, names = _preflight_reasons(method, tuple(headers), extra, combine)
    except TypeError:  # a header list that is not hashable
        reasons, names = _preflight_reasons.__wrapped__(method, headers, extra, combine)
    return list(reasons), list(names)


@lru_cache(maxsize=256)  # the checks of a config send a few method and header lists, each often
def _preflight_reasons(method: str, headers: HeaderList, extra: frozenset[str],
                       combine: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    reasons: list[str] = []
    if method not in SAFELISTED_METHODS:
        if method.upper() in SAFELISTED_METHODS:
            reasons.append(
                f"method {method} is not CORS-safelisted: fetch() keeps its case and only "
                f"{', '.join(SAFELISTED_METHODS)} are safelisted"
            )
        else:
            reasons.append(
                f"method {method} is not CORS-safelisted (only {', '.join(SAFELISTED_METHODS)})"
            )
    names, why = unsafe_header_names(headers, extra, combine)
    reasons.extend(f"header {w}" for w in why)
    return tuple(reasons), tuple(names)


# Response side: CORS-safelisted response-header names (#cors-safelisted-response-header-name).
SAFELISTED_RESPONSE_HEADERS = frozenset(
    {"cache-control", "content-language", "content-length", "content-type", "expires",
     "last-modified", "pragma"}
)
FORBIDDEN_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})
