"""Gates the browser applies before CORS: mixed content (and, with the page's address space,
Local Network Access). Pure: decisions on URLs and origins, the console texts each engine
prints, as recorded by the differential suite (``tests/browser``, ``mixed-*`` scenarios).

Mixed content: a page served over https may not fetch an ``http://`` URL. The request is
blocked before it leaves (the server sees nothing), on the first hop and on any redirect hop
to http. Chromium and Firefox exempt potentially trustworthy hosts (``localhost`` and its
subdomains, ``127.0.0.0/8``, ``[::1]``); WebKitGTK 2.50 exempts none of them (recorded:
``http://127.0.0.1`` and ``http://localhost`` are blocked from an https page). Chromium
reports it as ``Network.BlockedReason`` ``mixed-content`` (``loadingFailed.blockedReason``, no
``corsErrorStatus``) and a ``MixedContentIssue``; fetch() rejects with a TypeError. Firefox
prints "Blocked loading mixed active content", WebKit a ``[blocked]`` security warning, then
its "Fetch API cannot load ... due to access control checks." line.
"""

from __future__ import annotations

import ipaddress

from .urls import Origin, Url, parse_url

MIXED_CONTENT = "mixed-content"  # the CDP Network.BlockedReason name Chromium reports

CHROMIUM_MIXED = (
    "Mixed Content: The page at '{page}' was loaded over HTTPS, but requested an insecure "
    "resource '{url}'. This request has been blocked; the content must be served over HTTPS."
)
FIREFOX_MIXED = "Blocked loading mixed active content “{url}”"
# Firefox adds its CORS "did not succeed" line when the blocked hop followed a redirect
FIREFOX_AFTER_REDIRECT = (
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource "
    "at {url}. (Reason: CORS request did not succeed). Status code: (null)."
)

WEBKIT_MIXED = (
    "[blocked] The page at {page} requested insecure content from {url}. This content was "
    "blocked and must be served over HTTPS."
)
# recorded (WebKitGTK 2.50.6): for a loopback host (127.0.0.1, localhost) the sentence stops
# after "must"; WebKit prints it so
WEBKIT_MIXED_LOOPBACK = (
    "[blocked] The page at {page} requested insecure content from {url}. This content was "
    "blocked and must"
)
WEBKIT_NOT_ALLOWED = "Not allowed to request resource"
WEBKIT_CANNOT_LOAD = "Fetch API cannot load {url} due to access control checks."

def loopback_host(host: str) -> bool:
    """``localhost`` (and ``*.localhost``), 127.0.0.0/8 or ::1: a potentially trustworthy
    host by the Secure Contexts spec."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

def mixed_content(page: Origin, url: Url, trusts_loopback: bool = True) -> bool:
    """Whether a page at ``page`` is refused ``url`` as mixed content (blocked, not
    upgraded: fetch() is never auto-upgraded)."""
    if page.opaque or page.scheme != "https" or url.scheme != "http":
        return False
    return not (trusts_loopback and loopback_host(url.host))

def mixed_content_console(engine: str, page: str, url: str, redirected_from: str | None) -> list[str]:
    """The console lines ``engine`` prints for a fetch of ``url`` refused as mixed content.

    ``page`` is the page's URL; corsprobe knows only its origin, so it names the origin
    (Chromium and WebKit print the full page URL).
    """
    if engine == "chromium":
        return [CHROMIUM_MIXED.format(page=page, url=url)]
    if engine == "gecko":
        lines = [FIREFOX_MIXED.format(url=url)]
        if redirected_from is not None:
            lines.append(FIREFOX_AFTER_REDIRECT.format(url=redirected_from))
        return lines
    if engine == "webkit":

        text = WEBKIT_MIXED_LOOPBACK if loopback_host(parse_url(url).host) else WEBKIT_MIXED
        if redirected_from is not None:
            return [text.format(page=page, url=url),
                    WEBKIT_CANNOT_LOAD.format(url=redirected_from)]
        return [text.format(page=page, url=url), WEBKIT_NOT_ALLOWED,
                WEBKIT_CANNOT_LOAD.format(url=url)]
    return []
