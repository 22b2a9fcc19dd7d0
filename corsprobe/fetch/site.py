"""Site and origin: the two relationships a credentialed request depends on.

Same-origin (scheme, host and port) decides CORS; same-site decides SameSite cookies. A site
is "schemeful" as in the HTML Standard and Chromium since M89: the scheme plus the registrable
domain (eTLD+1) of the host, found with the Public Suffix List (the ``publicsuffixlist``
package ships the list and needs no network; an unknown top-level label such as ``.test``
counts as a public suffix, as browsers treat it). The port does not count. A host with no
registrable domain (an IP address, ``localhost``, a bare public suffix) is its own site.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .urls import InvalidInput, Origin, parse_origin, parse_url

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList


@lru_cache(maxsize=2)
def _psl(accept_unknown: bool = True) -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(accept_unknown=accept_unknown)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1024)
@lru_cache(maxsize=1024)  # a run asks for the same few hosts once per check
def registrable_domain(host: str) -> str:
    """The host's eTLD+1, or the host itself when it has none (IP, localhost, a suffix)."""
    host = host.lower().rstrip(".")
    if not host or _is_ip(host):
        return host
    found = _psl().privatesuffix(host)
    return found if found else host


def is_public_suffix(host: str) -> bool:
    """Whether ``host`` is itself a public suffix (``com``, ``co.uk``, ``github.io``)."""
    host = host.lower().rstrip(".")
    return bool(host) and not _is_ip(host) and _psl().is_public(host)


def listed_registrable_domain(host: str) -> str | None:
    """The eTLD+1 under a suffix the list itself names; None for an unlisted TLD (``.test``),
    an IP address or a bare suffix (what libsoup, under WebKitGTK, can work with)."""
    host = host.lower().rstrip(".")
    if not host or _is_ip(host):
        return None
    return _psl(accept_unknown=False).privatesuffix(host)


def site_of_origin(origin: Origin) -> str:
    """``scheme://registrable-domain``, or ``null`` for an opaque origin."""
    if origin.opaque:
        return "null"
    host = registrable_domain(origin.host)
    return f"{origin.scheme}://{f'[{host}]' if ':' in host else host}"


def site_of(text: str) -> str:
    """The site of an origin (``--origin``) or a URL; ``null`` for the opaque origin."""
    if "/" in text.partition("//")[2]:  # a path: a URL, never an origin
        return site_of_origin(parse_url(text).origin)
    try:
        return site_of_origin(parse_origin(text))
    except InvalidInput:
        return site_of_origin(parse_url(text).origin)


def same_site(a: str, b: str) -> bool:
    """Whether two origins or URLs are schemeful same-site (an opaque origin is no site's)."""
    sa, sb = site_of(a), site_of(b)
    return sa != "null" and sa == sb


@dataclass(frozen=True)
class SiteRelation:
    page: str  # the page's site
    target: str  # the target URL's site
    same_site: bool
    same_origin: bool


def relation(page_origin: str, target_url: str) -> SiteRelation:
    """Both relationships of a page and the URL it fetches."""
    page = site_of(page_origin)
    target = site_of(target_url)
    try:
        same_origin = (page_origin != "null"
                       and parse_origin(page_origin) == parse_url(target_url).origin)
    except InvalidInput:
        same_origin = False
    return SiteRelation(page, target, page != "null" and page == target, same_origin)
