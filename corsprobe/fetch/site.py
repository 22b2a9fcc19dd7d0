"""Site and origin: the two relationships a credentialed request depends on.

Same-origin (scheme, host and port) decides CORS; same-site decides SameSite cookies. A site
is "schemeful" as in the HTML Standard and Chromium since M89: the scheme plus the registrable
domain (eTLD+1) of the host, found with the Public Suffix List (the ``publicsuffixlist``
package ships the list and needs no network; it is read on first use and looked up here, one
host at a time; an unknown top-level label such as ``.test`` counts as a public suffix, as
browsers treat it). The port does not count. A host with no
registrable domain (an IP address, ``localhost``, a bare public suffix) is its own site.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from .urls import InvalidInput, Origin, parse_origin, parse_url


@lru_cache(maxsize=1)
def _rules() -> frozenset[str]:
    """Every line of the list, lower-cased: its rules (``co.uk``, ``*.ck``, ``!www.ck``), in
    the list's own Unicode spelling. Read on first use (a run whose hosts are all addresses
    never reads it); comment lines are kept, as they can never equal a domain."""
    from publicsuffixlist import PSLFILE

    with open(PSLFILE, encoding="utf-8") as f:
        return frozenset(f.read().lower().split("\n"))


def _unicode(label: str) -> str:
    """A punycode label (``xn--...``) in the list's Unicode spelling; others as they are."""
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna")
    except (UnicodeError, ValueError):
        return label


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1024)
def _public_labels(host: str, accept_unknown: bool) -> int:
    """How many trailing labels of ``host`` (lower case, no trailing dot) are a public
    suffix, by the list's algorithm: the longest matching rule wins, a wildcard rule
    (``*.ck``) covers one more label and names its own parent, an exception rule
    (``!www.ck``) takes one label off; an unlisted top-level label counts as a suffix when
    ``accept_unknown`` (as browsers treat ``.test``), else nothing matches (0)."""
    labels = host.split(".")
    if "" in labels:
        return 0
    spelled = {host, ".".join(_unicode(label) for label in labels)}
    rules = _rules()
    count = len(labels)
    for i in range(count):  # from the longest candidate suffix to the shortest
        for name in {".".join(h.split(".")[i:]) for h in spelled}:
            depth = count - i
            if "!" + name in rules:
                return depth - 1
            if "*." + name in rules:
                return depth + 1 if i > 0 else depth
            if name in rules:
                return depth
    return 1 if accept_unknown else 0


def _registrable(host: str, accept_unknown: bool) -> str | None:
    public = _public_labels(host, accept_unknown)
    labels = host.split(".")
    if public == 0 or public >= len(labels):
        return None
    return ".".join(labels[-public - 1:])


@lru_cache(maxsize=1024)  # a run asks for the same few hosts once per check
def registrable_domain(host: str) -> str:
    """The host's eTLD+1, or the host itself when it has none (IP, localhost, a suffix)."""
    host = host.lower().rstrip(".")
    if not host or _is_ip(host):
        return host
    return _registrable(host, True) or host


def is_public_suffix(host: str) -> bool:
    """Whether ``host`` is itself a public suffix (``com``, ``co.uk``, ``github.io``)."""
    host = host.lower().rstrip(".")
    return (bool(host) and not _is_ip(host)
            and _public_labels(host, True) == len(host.split(".")))


def listed_registrable_domain(host: str) -> str | None:
    """The eTLD+1 under a suffix the list itself names; None for an unlisted TLD (``.test``),
    an IP address or a bare suffix (what libsoup, under WebKitGTK, can work with)."""
    host = host.lower().rstrip(".")
    if not host or _is_ip(host):
        return None
    return _registrable(host, False)


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
