"""Cookies: what the browser keeps from a credentialed cross-origin answer, and sends back.

The judgement is :mod:`corsprobe.fetch.cookies` (per browser, recorded from the engines);
these rules explain each refusal and give the fix in FastAPI/Starlette, Django and Flask
terms. One finding per rule lists every cookie it concerns (names only, never values).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..fetch.browsers import limits
from ..fetch.cookies import CookieVerdict, judge_trace
from . import Context, Hit, rule

_SAMESITE = ("SchemefulSameSiteUnspecifiedTreatedAsLax", "SchemefulSameSiteLax",
             "SchemefulSameSiteStrict")
_THIRD_PARTY = ("UserPreferences", "ThirdPartyPhaseout")


def _verdicts(ctx: Context) -> list[CookieVerdict]:
    spec = ctx.trace.spec
    return judge_trace(ctx.trace, limits(spec.browser), spec.third_party_cookies)


def _evidence(cookies: list[CookieVerdict], **extra: object) -> dict[str, object]:
    return {
        "exchange": "actual",
        "cookies": [{"name": c.name, "url": c.url, "attributes": list(c.attributes),
                     "blocked_reasons": list(c.blocked_reasons)} for c in cookies],
        **extra,
    }


def _names(cookies: list[CookieVerdict]) -> str:
    return ", ".join(dict.fromkeys(c.name for c in cookies))


def _with(cookies: list[CookieVerdict], reasons: tuple[str, ...]) -> list[CookieVerdict]:
    return [c for c in cookies if set(c.blocked_reasons) & set(reasons)]


_NONE_SECURE_FIX = {
    "generic": "Set the cookie with SameSite=None; Secure and serve the API over https, or "
               "serve the API from the page's own site (api.example.com under "
               "app.example.com, or a path behind the app's origin) so Lax cookies work.",
    "fastapi": 'response.set_cookie("session", value, samesite="none", secure=True, '
               'httponly=True); with SessionMiddleware: SessionMiddleware(app, secret_key=..., '
               'same_site="none", https_only=True)',
    "django": 'SESSION_COOKIE_SAMESITE = "None" and SESSION_COOKIE_SECURE = True (and '
              'CSRF_COOKIE_SAMESITE = "None", CSRF_COOKIE_SECURE = True); for your own cookie '
              'response.set_cookie("name", value, samesite="None", secure=True)',
    "flask": 'app.config.update(SESSION_COOKIE_SAMESITE="None", SESSION_COOKIE_SECURE=True); '
             'for your own cookie response.set_cookie("name", value, samesite="None", '
             'secure=True)',
}


@rule("CORS901", "cookie-samesite-cross-site", "error",
      "A cookie set cross-site is refused for its SameSite")
def samesite_cross_site(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A credentialed request to another site (not just another origin: the site is the
        scheme plus the registrable domain) is answered with a Set-Cookie whose SameSite is
        missing, Lax or Strict. Chromium treats a missing SameSite as Lax
        (SchemefulSameSiteUnspecifiedTreatedAsLax); Lax and Strict cookies are never set by,
        nor sent with, a cross-site fetch().

    Why it matters:
        The login "works" (the response is readable) but the session cookie never arrives,
        so the next request is anonymous. This is the usual "CORS works but my cookie is not
        sent".

    Example:
        page https://app.example.com, fetch('https://api.other.com/login',
        {credentials: 'include'})
        Set-Cookie: session=...; Path=/; HttpOnly

    Fix:
        SameSite=None; Secure over https (and Partitioned where third-party cookies are
        blocked), or serve the API from the page's site so Lax cookies apply.
    """
    hit = _with(_verdicts(ctx), _SAMESITE)
    if hit:
        yield Hit(
            f"The browser refuses cookie(s) {_names(hit)}: they are set by a cross-site "
            "response with SameSite missing, Lax or Strict, so the next request will not "
            "carry them.",
            _evidence(hit),
            _NONE_SECURE_FIX,
        )


@rule("CORS902", "cookie-samesite-none-insecure", "error", "SameSite=None without Secure")
def samesite_none_insecure(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A Set-Cookie with SameSite=None but without Secure. Chromium and Firefox refuse it
        (SameSiteNoneInsecure); WebKit keeps it.

    Why it matters:
        SameSite=None is what lets a cookie cross sites, and browsers allow that only for
        cookies that travel over https.

    Example:
        Set-Cookie: session=...; Path=/; SameSite=None

    Fix:
        Add Secure (and serve the API over https): SameSite=None; Secure.
    """
    hit = _with(_verdicts(ctx), ("SameSiteNoneInsecure",))
    if hit:
        yield Hit(f"Cookie(s) {_names(hit)} have SameSite=None without Secure: refused.",
                  _evidence(hit), _NONE_SECURE_FIX)


@rule("CORS903", "cookie-secure-over-http", "error", "A Secure cookie set over http")
def secure_over_http(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A Set-Cookie with Secure on a response that came over http (not localhost). The
        browser refuses it (SecureOnly).

    Why it matters:
        Secure cookies may only be set and sent over https; a development server on
        http://some-host loses every Secure cookie.

    Example:
        http://api.example.test/login
        Set-Cookie: session=...; Secure; SameSite=None

    Fix:
        Serve the API over https (or develop on http://localhost, which browsers treat as
        secure), or drop Secure only in local development settings.
    """
    hit = _with(_verdicts(ctx), ("SecureOnly",))
    if hit:
        yield Hit(f"Cookie(s) {_names(hit)} are Secure but came over http: refused.",
                  _evidence(hit), {
                      "generic": "Serve the API over https, or use http://localhost in "
                                 "development (browsers treat it as secure).",
                      "fastapi": "Run uvicorn behind https (--ssl-keyfile/--ssl-certfile or a "
                                 "TLS proxy); set secure=True only where https is used.",
                      "django": "SESSION_COOKIE_SECURE = True only in the https settings; in "
                                "development SESSION_COOKIE_SECURE = False on http.",
                      "flask": "SESSION_COOKIE_SECURE=True only behind https; False on a "
                               "plain-http development server.",
                  })


@rule("CORS904", "cookie-domain-invalid", "error", "A cookie's Domain does not cover the host")
def domain_invalid(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A Set-Cookie whose Domain attribute does not domain-match the host that set it, or
        is a public suffix. Every browser refuses it (InvalidDomain).

    Why it matters:
        A server may only set cookies for itself or a parent domain it belongs to; an API
        cannot set a cookie for the app's domain on another site.

    Example:
        https://api.other.com/login
        Set-Cookie: session=...; Domain=app.example.com

    Fix:
        Leave Domain out (a host-only cookie) or name a parent of the API's host.
    """
    hit = _with(_verdicts(ctx), ("InvalidDomain",))
    if hit:
        yield Hit(f"Cookie(s) {_names(hit)} name a Domain the responding host is not part of.",
                  _evidence(hit), {
                      "generic": "Drop the Domain attribute, or set it to a parent domain of "
                                 "the API's own host.",
                      "fastapi": 'response.set_cookie("name", value, domain=None) (the default)',
                      "django": "SESSION_COOKIE_DOMAIN = None (the default), or a parent of "
                                "the API host such as \".example.com\"",
                      "flask": "SESSION_COOKIE_DOMAIN = None (Flask 3: the default), or a "
                               "parent of the API host",
                  })


@rule("CORS905", "cookie-prefix-invalid", "error", "A __Host- or __Secure- cookie breaks its rules")
def prefix_invalid(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A cookie named __Secure-... without Secure (or over http), or __Host-... without
        Secure, with a Domain, or with a Path other than /. Browsers refuse it
        (InvalidPrefix).

    Why it matters:
        The prefixes are promises the browser enforces; a cookie that breaks them is not
        stored at all.

    Example:
        Set-Cookie: __Host-session=...; Path=/api

    Fix:
        __Host-: Secure, Path=/, no Domain, over https. __Secure-: Secure, over https.
    """
    hit = _with(_verdicts(ctx), ("InvalidPrefix",))
    if hit:
        yield Hit(f"Cookie(s) {_names(hit)} break the rules of their __Host-/__Secure- prefix.",
                  _evidence(hit), {
                      "generic": "__Host-: Secure; Path=/; no Domain; over https. "
                                 "__Secure-: Secure; over https.",
                      "fastapi": 'response.set_cookie("__Host-session", value, path="/", '
                                 'secure=True, domain=None)',
                      "django": 'SESSION_COOKIE_NAME = "__Host-sessionid" with '
                                'SESSION_COOKIE_SECURE = True, SESSION_COOKIE_PATH = "/" and '
                                "SESSION_COOKIE_DOMAIN = None",
                      "flask": 'SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE='
                               'True, SESSION_COOKIE_PATH="/", SESSION_COOKIE_DOMAIN=None',
                  })


_PARTITIONED_FIX = {
    "generic": "Add Partitioned (CHIPS) to a SameSite=None; Secure cookie: Chrome keeps it "
               "with third-party cookies blocked, in a jar for the page's site. Safari keeps "
               "no third-party cookie at all: serve the API from the page's site (a "
               "subdomain, or a path proxied by the app's origin) for a session that must "
               "work everywhere.",
    "fastapi": 'response.set_cookie("session", value, samesite="none", secure=True, '
               'partitioned=True); SessionMiddleware(..., same_site="none", https_only=True, '
               'partitioned=True)',
    "django": 'SESSION_COOKIE_SAMESITE = "None" and SESSION_COOKIE_SECURE = True; Django\'s '
              "set_cookie has no partitioned argument, so a small middleware after "
              "SessionMiddleware appends it: the Set-Cookie of sessionid must end with "
              '"; Partitioned"',
    "flask": "app.config.update(SESSION_COOKIE_SAMESITE=\"None\", SESSION_COOKIE_SECURE=True, "
             "SESSION_COOKIE_PARTITIONED=True); response.set_cookie(..., samesite=\"None\", "
             "secure=True, partitioned=True)",
}


@rule("CORS906", "third-party-cookie-blocked", "warning",
      "A cross-site cookie that a third-party-cookie block refuses")
def third_party_blocked(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A cookie set by a cross-site credentialed response that the browser refuses because
        it blocks third-party cookies: Safari always (ThirdPartyPhaseout), Chrome with the
        user's setting or in incognito (UserPreferences). Also a cross-site cookie Chrome
        keeps now (third-party cookies allowed) but that is not Partitioned, so Safari and
        a blocking Chrome will not keep it.

    Why it matters:
        Correct SameSite=None; Secure is not enough for every user: the session works in one
        browser and silently fails in another.

    Example:
        page https://app.example.com, API https://api.other.com
        Set-Cookie: session=...; SameSite=None; Secure

    Fix:
        Partitioned (CHIPS) for Chrome; for Safari, serve the API from the page's site.
    """
    cookies = _verdicts(ctx)
    hit = _with(cookies, _THIRD_PARTY)
    at_risk = [c for c in cookies if c.cross_site and c.stored and not c.partitioned
               and ctx.trace.spec.browser == "chrome"]
    if hit:
        yield Hit(f"Cookie(s) {_names(hit)} are third-party cookies here and the browser "
                  "blocks those.", _evidence(hit), _PARTITIONED_FIX)
    elif at_risk:
        yield Hit(f"Cookie(s) {_names(at_risk)} are kept only while third-party cookies are "
                  "allowed: Safari, and Chrome with them blocked, refuse them.",
                  _evidence(at_risk), _PARTITIONED_FIX)


@rule("CORS907", "cookie-set-on-blocked-response", "warning",
      "Cookies stored although the page cannot read the response")
def set_on_blocked(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        A credentialed request whose response fails the CORS check yet sets cookies the
        browser keeps: the cookie lands in the jar, the page's fetch() rejects.

    Why it matters:
        The state changed (a session exists, the next request carries it) while the page
        saw an error; debugging the cookie first is looking in the wrong place.

    Example:
        Set-Cookie: session=...; Path=/ on a response without
        Access-Control-Allow-Credentials: true

    Fix:
        Fix the CORS answer (the other findings); the cookie then reaches a page that can
        read the response.
    """
    if ctx.trace.allowed is not False or ctx.trace.blocked_at not in ("actual", "redirect"):
        return
    stored = [c for c in _verdicts(ctx) if c.stored]
    if stored:
        yield Hit(f"The browser stores cookie(s) {_names(stored)} but blocks the page from "
                  "reading the response.", _evidence(stored, error=ctx.error),
                  {"generic": "Fix the CORS answer first (the other findings): the cookie is "
                              "already stored, the page just cannot see the response that "
                              "set it."})
