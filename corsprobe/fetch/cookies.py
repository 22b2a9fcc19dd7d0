"""The cookies a browser keeps from a credentialed cross-origin answer, and sends back.

Every ``Set-Cookie`` on each hop of the actual request (never the preflight, which carries no
credentials) is judged as the chosen browser judges it, with Chromium's DevTools names
(``Network.SetCookieBlockedReason``) for every refusal, whichever the browser: they are the
vocabulary of the report, as ``Network.CorsError`` names are for CORS. Only names and
attributes are kept here: a cookie's value never reaches a report.

The per-browser branches are data (:class:`corsprobe.fetch.browsers.Browser`, the
``cookie_*`` fields), recorded from the engines by ``tests/browser/test_cookies.py``.
Chromium's refusals come in three steps, in the order the engine reports them:

1. the line itself: ``InvalidDomain`` (Domain does not cover the host, or is a public suffix),
   ``InvalidPrefix`` (``__Secure-`` without Secure; ``__Host-`` without Secure, with Domain,
   or with a Path other than ``/``; WebKitGTK does not check prefixes); a ``Partitioned``
   cookie without Secure over https is dropped without a reason;
2. the third-party setting: cross-site, with third-party cookies blocked, a cookie that is
   not ``Partitioned`` is refused with ``UserPreferences`` alone;
3. the context: ``SecureOnly`` (Secure over http), ``SameSiteNoneInsecure``, and cross-site
   ``SchemefulSameSiteUnspecifiedTreatedAsLax`` / ``SchemefulSameSiteLax`` /
   ``SchemefulSameSiteStrict``: Chromium 156 names every cross-site SameSite refusal with
   its ``Schemeful`` variant, http and https, same scheme or not (recorded; the plain
   ``SameSiteLax`` family is what older builds reported).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ..model import Trace, header_values
from .browsers import Browser
from .site import is_public_suffix, listed_registrable_domain, same_site

THIRD_PARTY_SETTINGS = ("allow", "block")
DEFAULT_THIRD_PARTY = "allow"  # shipping Chrome's default setting; headless contexts block
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


@dataclass(frozen=True)
class SetCookie:
    """The attributes of one Set-Cookie line (its value is not kept)."""

    name: str
    domain: str | None  # the Domain attribute, lower case, without a leading dot
    path: str | None
    secure: bool
    http_only: bool
    same_site: str | None  # "lax" | "strict" | "none" | None (absent or unrecognised)
    partitioned: bool

    def attributes(self) -> list[str]:
        out = []
        if self.domain is not None:
            out.append(f"Domain={self.domain}")
        if self.path is not None:
            out.append(f"Path={self.path}")
        out += [a for a, on in (("Secure", self.secure), ("HttpOnly", self.http_only),
                                ("Partitioned", self.partitioned)) if on]
        if self.same_site:
            out.append(f"SameSite={self.same_site.capitalize()}")
        return out


def parse_set_cookie(line: str) -> SetCookie | None:
    """The attributes of a Set-Cookie line (RFC 6265bis), or None when it sets nothing."""
    pair, *attrs = line.split(";")
    name = pair.split("=", 1)[0].strip(" \t") if "=" in pair else ""
    if "=" not in pair and not pair.strip():
        return None
    domain = path = same = None
    secure = http_only = partitioned = False
    for attr in attrs:
        key, _, value = attr.partition("=")
        key, value = key.strip(" \t").lower(), value.strip(" \t")
        if key == "domain" and value:
            domain = value.lstrip(".").lower()
        elif key == "path":
            path = value if value.startswith("/") else None
        elif key == "secure":
            secure = True
        elif key == "httponly":
            http_only = True
        elif key == "partitioned":
            partitioned = True
        elif key == "samesite":
            low = value.lower()
            same = low if low in ("lax", "strict", "none") else None
    return SetCookie(name, domain, path, secure, http_only, same, partitioned)


@dataclass(frozen=True)
class CookieVerdict:
    name: str
    url: str  # the hop that set it
    attributes: tuple[str, ...]
    stored: bool
    blocked_reasons: tuple[str, ...]
    partitioned: bool
    sent_on_next: bool
    cross_site: bool


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _secure_url(url: str) -> bool:
    return urlsplit(url).scheme == "https" or _host(url) in _LOOPBACK


def _domain_matches(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _default_path(url: str) -> str:
    path = urlsplit(url).path or "/"
    if not path.startswith("/") or path.count("/") == 1:
        return "/"
    return path[: path.rfind("/")]


def _path_matches(request_path: str, cookie_path: str) -> bool:
    if request_path == cookie_path:
        return True
    return request_path.startswith(cookie_path) and (
        cookie_path.endswith("/") or request_path[len(cookie_path)] == "/")


def _bad_domain(ck: SetCookie, host: str) -> bool:
    if ck.domain is None:
        return False
    if not _domain_matches(host, ck.domain):
        return True
    return ck.domain != host and is_public_suffix(ck.domain)


def _bad_prefix(ck: SetCookie, url: str) -> bool:
    low = ck.name.lower()
    if low.startswith("__secure-"):
        return not (ck.secure and _secure_url(url))
    if low.startswith("__host-"):
        return not (ck.secure and _secure_url(url) and ck.domain is None and ck.path == "/")
    return False


def _webkit_third_party(ck: SetCookie, url: str, page_origin: str) -> bool:
    """WebKitGTK (libsoup) keeps a cookie when its domain covers the page's host, or when both
    have the same registrable domain under a suffix the Public Suffix List names (``.test``
    is not in it: there only the first rule holds, as recorded)."""
    page_host = _host(page_origin)
    domain = ck.domain or _host(url)
    if _domain_matches(page_host, domain):
        return False
    a, b = listed_registrable_domain(domain), listed_registrable_domain(page_host)
    return not (a and b and a == b)


def judge(line: str, url: str, page_origin: str, browser: Browser,
          third_party: str = DEFAULT_THIRD_PARTY, next_url: str | None = None,
          ) -> CookieVerdict | None:
    """How ``browser`` takes one Set-Cookie ``line`` on the answer from ``url`` to a
    credentialed fetch() from ``page_origin``; ``next_url``: the URL the page fetches next
    (default: the same ``url``)."""
    ck = parse_set_cookie(line)
    if ck is None:
        return None
    host = _host(url)
    cross = not same_site(page_origin, url)
    reasons: list[str] = []
    if _bad_domain(ck, host):
        reasons.append("InvalidDomain")
    if browser.cookie_prefixes and _bad_prefix(ck, url):
        reasons.append("InvalidPrefix")
    dropped = bool(reasons)
    if not dropped and browser.engine == "chromium" and ck.partitioned and not (
            ck.secure and _secure_url(url)):
        dropped = True  # Chromium drops it and names no reason (recorded)
    if not dropped and cross and browser.cookie_third_party == "setting" \
            and third_party == "block" and not ck.partitioned:
        reasons.append("UserPreferences")
    elif not dropped and browser.cookie_third_party == "blocked" \
            and _webkit_third_party(ck, url, page_origin):
        reasons.append("ThirdPartyPhaseout")
    elif not dropped:
        if ck.secure and not _secure_url(url):
            reasons.append("SecureOnly")
        if ck.same_site == "none" and not ck.secure and browser.cookie_none_requires_secure:
            reasons.append("SameSiteNoneInsecure")
        if cross:
            if ck.same_site is None and browser.cookie_lax_by_default:
                reasons.append("SchemefulSameSiteUnspecifiedTreatedAsLax")
            elif ck.same_site == "lax":
                reasons.append("SchemefulSameSiteLax")
            elif ck.same_site == "strict":
                reasons.append("SchemefulSameSiteStrict")
    stored = not reasons and not dropped
    partitioned = stored and (
        ck.partitioned if browser.engine == "chromium"
        else cross and browser.cookie_third_party == "partitioned")
    sent = stored and _sent(ck, url, next_url or url, page_origin, browser)
    return CookieVerdict(ck.name, url, tuple(ck.attributes()), stored, tuple(reasons),
                         partitioned, sent, cross)


def _sent(ck: SetCookie, set_by: str, url: str, page_origin: str, browser: Browser) -> bool:
    """Whether the page's next credentialed fetch() of ``url`` carries the stored cookie."""
    host = _host(url)
    if ck.domain is None and host != _host(set_by):
        return False
    if ck.domain is not None and not _domain_matches(host, ck.domain):
        return False
    if not _path_matches(urlsplit(url).path or "/", ck.path or _default_path(set_by)):
        return False
    if ck.secure and not _secure_url(url):
        return False
    if not same_site(page_origin, url):
        same = ck.same_site or ("lax" if browser.cookie_lax_by_default else "none")
        return same == "none"
    return True


def judge_trace(trace: Trace, browser: Browser,
                third_party: str = DEFAULT_THIRD_PARTY) -> list[CookieVerdict]:
    """Every Set-Cookie on every hop of the actual request, judged (credentials included
    only: with ``credentials: 'same-origin'`` a cross-origin answer's cookies are ignored)."""
    spec = trace.spec
    if not spec.credentials:
        return []
    out = []
    for ex in trace.actuals:
        if ex.response is None:
            continue
        for line in header_values(ex.response.headers, "set-cookie"):
            verdict = judge(line, ex.request.url, spec.origin, browser, third_party,
                            next_url=spec.url)
            if verdict is not None:
                out.append(verdict)
    return out
