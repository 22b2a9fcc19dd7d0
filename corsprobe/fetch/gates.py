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
from functools import lru_cache

from ..model import CorsFailure
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

@lru_cache(maxsize=256)  # asked for each check's page and target: a config names a few hosts
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


# -- Local Network Access ---------------------------------------------------------------------
#
# Chrome 142+ (recorded in headless Chromium 156 with --ip-address-space-overrides): a page
# served from a *public* address fetching a *private* or *loopback* address needs the user's
# permission. Headless answers the prompt itself with "deny": a secure page gets the CorsError
# LocalNetworkAccessPermissionDenied, an insecure (http) page InsecureLocalNetwork; the server
# sees nothing. A private page fetching loopback is allowed (no permission asked). Chromium
# names the spaces public / local (private addresses) / loopback. Firefox ESR 153 (page marked
# public with network.lna.address_space.public.override) asks too, for http pages as well;
# nobody answers headless, and after network.lna.prompt.timeout the fetch fails with
# CORSDidNotSucceed. WebKit has no Local Network Access.

SPACES = ("public", "private", "local")  # corsprobe's words (--page-space, --target-space)
CHROMIUM_SPACE = {"public": "public", "private": "local", "local": "loopback"}
LNA_PERMISSION_DENIED = "LocalNetworkAccessPermissionDenied"
LNA_INSECURE = "InsecureLocalNetwork"

_PRIVATE_NETS = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
    "198.18.0.0/15", "fc00::/7", "fe80::/10",
))


@lru_cache(maxsize=256)
def space_of_address(address: str) -> str:
    """The address space of an IP address: local (loopback, 0.0.0.0), private (RFC 1918,
    link-local, CGNAT, benchmarking, IPv6 ULA) or public."""
    ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:
        return "local"
    if any(ip in net for net in _PRIVATE_NETS if net.version == ip.version):
        return "private"
    return "public"


@lru_cache(maxsize=256)  # a run asks for the same few hosts once per check; for a name
def space_of_host(host: str) -> str | None:  # the failed parse as an address costs the most
    """The space a host names by itself: localhost names and IP literals; None for a name."""
    if loopback_host(host):
        return "local"
    try:
        return space_of_address(host)
    except ValueError:
        return None


def secure_context(page: Origin) -> bool:
    """A page at an https origin, or at a loopback host (potentially trustworthy)."""
    return not page.opaque and (page.scheme == "https" or loopback_host(page.host))


def lna_failure(lna: str, page_space: str | None, target_space: str | None,
                secure: bool) -> CorsFailure | None:
    """The browser's refusal of a request from ``page_space`` to ``target_space`` (None: not
    gated). ``lna`` is the browser's model: "permission" (Chromium: a secure page is denied
    the permission, headless; an insecure one is refused outright), "prompt" (Firefox: a prompt
    nobody answers, then a failure), "none" (WebKit)."""
    if lna == "none" or page_space != "public" or target_space in (None, "public"):
        return None
    hint = CHROMIUM_SPACE[target_space]
    if lna == "permission" and not secure:
        return CorsFailure(LNA_INSECURE, hint)
    return CorsFailure(LNA_PERMISSION_DENIED, hint)


def unknown_page_note(host: str, target_space: str, label: str) -> str:
    """What was assumed when the page's address space is not known."""
    return (
        f"Local Network Access: the target is in the {target_space} address space, and where "
        f"the page is served from is unknown ({host} is a name corsprobe could not resolve); "
        f"corsprobe assumed it is not public. If it is, {label} asks the user's permission "
        "before sending this request (refused when nobody answers): pass --page-space public "
        "to check that"
    )
