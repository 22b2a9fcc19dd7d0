"""Per-browser behaviour: the small table of places where the engines differ.

The CORS algorithm in this package is Chromium's; each entry below names one place where
another engine branches differently, as observed in the real engines by the differential
suite (``tests/browser``: Chromium 156, Firefox ESR 153, WebKitGTK 2.50, 323 scenarios each;
the per-kind differences are in :mod:`.kinds`).
Everything not listed here was observed to be the same in all three (the verdict on
Access-Control-Allow-Origin / -Credentials, method case, ``*`` in Allow-Methods and
Allow-Headers, ``*`` covering Authorization, exposure of response headers, redirect rules).

- ``extra_safelisted_headers``: request headers safelisted beyond the Fetch Standard's five.
  Chromium safelists its client hints (DPR, Width, Viewport-Width, Device-Memory, RTT,
  Downlink, ECT) and Save-Data / Intervention; Firefox and WebKit preflight them.
- ``preflight_every_redirect``: once a request needed a preflight, Firefox and WebKit preflight
  every hop it is redirected to, even a hop that needs none (a 303 that turned a JSON POST into
  a plain GET); Chromium decides again per hop.
- ``repreflight_original_headers``: WebKit's preflight after such a redirect still lists the
  headers of the original request in Access-Control-Request-Headers (the GET after the 303
  carries no Content-Type, its preflight names ``content-type``).
- ``tainted_preflight_keeps_origin``: after a redirect to another origin taints the request,
  Chromium and WebKit send and check the next preflight with ``Origin: null``; Firefox sends
  the preflight with the page's origin and checks its answer against that origin, while the
  actual request that follows carries ``Origin: null``.
- ``combines_repeated_headers``: a header the page sets twice (``Content-Type: text/plain``
  twice) becomes one entry, ``text/plain, text/plain``, in Chromium's and WebKit's Headers
  object, and the combined value is judged: not a safelisted Content-Type, so they preflight;
  over 128 bytes when two 100-byte Accept values are joined. Firefox judges each value on its
  own and sends no preflight there (``combined-*`` scenarios).
- ``extra_forbidden_headers``: request headers the browser drops beyond the Fetch Standard's
  forbidden list. Chromium still drops a page-set ``User-Agent`` (no preflight; its own
  User-Agent goes out); the standard no longer forbids it, and Firefox and WebKit preflight it
  (``Access-Control-Request-Headers: user-agent``) and send the page's value (``ua-*``).
- ``max_age_default`` / ``max_age_cap`` / ``max_age_invalid``: the preflight cache, in seconds.
  Whether a second identical request is preflighted again is observed by the suite
  (``test_preflight_cache_reuse``: no Max-Age, 600, 0, "1h", -5): Chromium and WebKit cache
  without Max-Age (5 s) and with an unparsable one; Firefox caches neither (it needs a valid
  Max-Age). The caps come from each engine's source (Chromium ``preflight_result.cc`` 7200,
  Firefox ``nsCORSListenerProxy.cpp`` 86400, WebKit ``CrossOriginPreflightResultCache.cpp``
  600); hours cannot be waited for in a test.
- ``cookie_*``: how a Set-Cookie on a credentialed answer is kept (:mod:`.cookies`), recorded
  by ``tests/browser/test_cookies.py`` (a credentialed fetch from http://app.test whose answer
  sets cookies, then the same fetch again; Chromium's refusals through CDP):
  ``cookie_lax_by_default``: a cookie without SameSite is Lax (Chromium:
  ``SchemefulSameSiteUnspecifiedTreatedAsLax``); Firefox keeps it and sends it cross-site.
  ``cookie_none_requires_secure``: ``SameSite=None`` without Secure is refused (Chromium and
  Firefox); WebKit keeps and sends it. ``cookie_third_party``: ``"setting"`` (Chromium: the
  user's third-party-cookie setting, ``--third-party-cookies``; a Playwright context, being
  off the record, blocks them: ``UserPreferences``), ``"partitioned"`` (Firefox's Total
  Cookie Protection keeps a cross-site cookie in the page's partition and sends it back from
  that page), ``"blocked"`` (WebKit keeps no cookie whose domain does not cover the page's
  host, unless both share a registrable domain under a listed suffix).
  ``cookie_prefixes``: ``__Host-`` / ``__Secure-`` rules enforced (Chromium and Firefox);
  WebKitGTK (libsoup) keeps and sends ``__Secure-`` without Secure and ``__Host-`` without
  Secure, with Domain or with another Path, over https (``ck-https-*prefix*``: recorded where
  its domain rule keeps the cookie otherwise). Apple's Safari stores cookies through its own
  network stack, not libsoup; this table is the engine the suite drives.
- ``mixed_content_trusts_loopback``: an https page may not fetch ``http://`` URLs (mixed
  content, blocked before the request leaves). Chromium and Firefox exempt the potentially
  trustworthy hosts (``localhost``, ``127.0.0.0/8``, ``[::1]``); WebKitGTK blocks
  ``http://127.0.0.1`` and ``http://localhost`` too (``mixed-*`` scenarios).
- ``lna``: Local Network Access, a page served from a public address fetching a private or
  loopback one. "permission" (Chromium 142+: headless denies the permission, a secure page
  gets LocalNetworkAccessPermissionDenied, an http page InsecureLocalNetwork; a private page
  may fetch loopback), "prompt" (Firefox ESR 153: a prompt nobody answers headless, then
  CORSDidNotSucceed; http pages are prompted too), "none" (WebKit has no LNA: an http page
  reaches loopback and private addresses; from an https page mixed content stops http ones).
  Recorded with the engines' switches that mark a page public (``lna-*`` scenarios: Chromium
  ``--ip-address-space-overrides``, Firefox ``network.lna.address_space.*.override``).
- ``font_cors``: an ``@font-face`` font is fetched in cors mode (Origin sent, Allow-Origin
  required) in Chromium and Firefox; WebKit fetches it in no-cors mode and loads it without any
  CORS header (``kind-font-*`` scenarios). The other per-kind differences (``Accept`` values,
  console lines) are in :mod:`.kinds` and the console modules.
- ``recorded_from``: the engine build whose recording (``tests/browser/*-observed.json``) the
  entry was checked against; ``corsprobe --version`` names them, and ``tests/fetch`` fails when
  a new recording names another build.
"""

from __future__ import annotations

from dataclasses import dataclass

CHROMIUM_CLIENT_HINTS = frozenset(
    {"device-memory", "dpr", "width", "viewport-width", "save-data", "intervention",
     "rtt", "downlink", "ect"}
)


@dataclass(frozen=True)
class Browser:
    name: str  # the --browser value
    label: str  # for people
    engine: str  # "chromium" | "gecko" | "webkit"
    max_age_default: int  # seconds a preflight is cached without Access-Control-Max-Age
    max_age_cap: int  # the largest Max-Age honoured
    extra_safelisted_headers: frozenset[str] = frozenset()
    preflight_every_redirect: bool = False
    repreflight_original_headers: bool = False
    tainted_preflight_keeps_origin: bool = False
    max_age_invalid: int = 5  # seconds cached when Max-Age is not a non-negative integer
    recorded_from: str = ""  # the engine build the differential suite recorded this table from
    combines_repeated_headers: bool = True
    extra_forbidden_headers: frozenset[str] = frozenset()
    cookie_lax_by_default: bool = False
    cookie_none_requires_secure: bool = True
    cookie_third_party: str = "setting"  # "setting" | "partitioned" | "blocked"
    cookie_prefixes: bool = True  # __Host- / __Secure- enforced (InvalidPrefix)
    mixed_content_trusts_loopback: bool = True
    lna: str = "permission"
    font_cors: bool = True


BROWSERS = {
    "chrome": Browser(
        "chrome", "Chrome", "chromium", 5, 7200, extra_safelisted_headers=CHROMIUM_CLIENT_HINTS,
        recorded_from="Chromium 156.0.8078.114",
        extra_forbidden_headers=frozenset({"user-agent"}),
        cookie_lax_by_default=True,
    ),
    "firefox": Browser(
        "firefox", "Firefox", "gecko", 0, 86400,
        preflight_every_redirect=True, tainted_preflight_keeps_origin=True, max_age_invalid=0,
        recorded_from="Firefox ESR 153.8.0",
        combines_repeated_headers=False, cookie_third_party="partitioned", lna="prompt",
    ),
    "safari": Browser(
        "safari", "Safari", "webkit", 5, 600,
        preflight_every_redirect=True, repreflight_original_headers=True,
        recorded_from="WebKitGTK 2.50.6",
        cookie_none_requires_secure=False, cookie_third_party="blocked", cookie_prefixes=False,
        mixed_content_trusts_loopback=False, lna="none", font_cors=False,
    ),
}
ALL = tuple(BROWSERS)


def recorded_from() -> str:
    """The engine builds the tables come from: ``Chromium 156..., Firefox ESR 153..., ...``."""
    return ", ".join(b.recorded_from for b in BROWSERS.values())


def limits(name: str) -> Browser:
    return BROWSERS[name]


def browser(name: str) -> Browser:
    return BROWSERS[name]


def preflight_cache_seconds(b: Browser, max_age: str | None) -> int:
    """How long ``b`` caches a passed preflight answered with this Access-Control-Max-Age."""
    if max_age is None:
        return b.max_age_default
    value = max_age.strip(" \t")
    if value.startswith("-") and value[1:].isdigit():
        return 0  # negative: already expired (all three)
    if not value.isdigit():
        return b.max_age_invalid
    return min(int(value), b.max_age_cap)
