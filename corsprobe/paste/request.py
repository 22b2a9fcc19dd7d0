"""Which pasted headers are the page's and which the browser's, and what they imply.

A "Copy as cURL" or "Copy as fetch" holds every header the browser sent. Only those the page
set itself decide the CORS preflight; the rest the browser adds on its own (and a check adds
them again as the browser does). Cookie means ``credentials: 'include'``; Origin, or else the
Referer, gives the page's origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..model import HeaderList

BROWSER_HEADERS = frozenset({
    "host", "connection", "keep-alive", "proxy-connection", "user-agent", "accept-encoding",
    "accept-language", "accept-charset", "referer", "origin", "cookie", "cookie2",
    "content-length", "dnt", "priority", "te", "trailer", "transfer-encoding", "upgrade", "via",
    "expect", "date", "upgrade-insecure-requests", "x-client-data", "purpose",
    "if-none-match", "if-modified-since", "referrer-policy",
    "access-control-request-method", "access-control-request-headers",
})
# DevTools' "Disable cache" (and a hard reload) adds these; a page rarely does
CACHE_BYPASS = {"pragma": "no-cache", "cache-control": "no-cache"}
FETCH_DEFAULT_ACCEPT = "*/*"


def is_browser_header(name: str, value: str) -> bool:
    lname = name.lower()
    if lname in BROWSER_HEADERS or lname.startswith("sec-") or lname.startswith(":"):
        return True
    if CACHE_BYPASS.get(lname) == value.strip().lower():
        return True
    return lname == "accept" and value.strip() == FETCH_DEFAULT_ACCEPT


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an absolute http(s) URL, else None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def header(headers: HeaderList, name: str) -> str | None:
    lname = name.lower()
    return next((v for k, v in headers if k.lower() == lname), None)


def split_headers(headers: HeaderList) -> tuple[HeaderList, HeaderList, tuple[str, ...]]:
    """(the page's headers, the Cookie lines, the names of the browser's own headers)."""
    page: list[tuple[str, str]] = []
    cookies: list[tuple[str, str]] = []
    browser: list[str] = []
    for name, value in headers:
        if name.lower() == "cookie":
            cookies.append(("Cookie", value))
        elif is_browser_header(name, value):
            browser.append(name)
        else:
            page.append((name, value))
    return tuple(page), tuple(cookies), tuple(browser)


def page_origin(headers: HeaderList, referrer: str | None = None) -> tuple[str | None, str | None]:
    """(the page's origin, how it was found) from Origin, else the Referer / referrer."""
    origin = header(headers, "origin")
    if origin:
        return origin.strip(), None
    for value, where in ((header(headers, "referer"), "Referer header"),
                         (referrer, "fetch's referrer")):
        found = origin_of(value) if value else None
        if found:
            return found, f"the origin {found} comes from the {where} (no Origin header)"
    return None, None


def browser_of(headers: HeaderList) -> str:
    """chrome, firefox or safari, from the User-Agent (chrome when it does not say)."""
    agent = header(headers, "user-agent") or ""
    if "Firefox/" in agent:
        return "firefox"
    if "Safari/" in agent and "Chrome/" not in agent and "Chromium/" not in agent:
        return "safari"
    return "chrome"


def from_preflight(method: str, headers: HeaderList) -> tuple[str, HeaderList, list[str]]:
    """A pasted preflight (OPTIONS with Access-Control-Request-Method) stands for the request
    it asked about: its method, and its header names with stand-in values."""
    asked = header(headers, "access-control-request-method")
    if method.upper() != "OPTIONS" or not asked:
        return method, (), []
    names = [n.strip() for n in (header(headers, "access-control-request-headers") or "")
             .split(",") if n.strip()]
    stand_in = tuple((n, placeholder(n)) for n in names)
    note = (f"this is the preflight: the page's request was {asked}"
            + (f" with the header(s) {', '.join(names)} (values not in the preflight: "
               "stand-ins used)" if names else ""))
    return asked, stand_in, [note]


def placeholder(name: str) -> str:
    """A stand-in value for header ``name`` that is not CORS-safelisted (the header was in
    a preflight, so the page's value was not)."""
    from ..fetch.safelist import safelist_problem

    lname = name.lower()
    value = {"content-type": "application/json", "accept": 'application/json; q="1"',
             "accept-language": "en_US", "content-language": "en_US",
             "range": "bytes=0-1,4-5", "authorization": "Bearer stand-in"}.get(lname, "x")
    if safelist_problem(lname, value) is None:  # a client hint: an invalid value is unsafe
        value = "stand-in"
    return value
