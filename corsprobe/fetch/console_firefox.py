"""Firefox's console text for a blocked request (Gecko ``nsCORSListenerProxy``; the strings of
``security.properties``), each with its reason code (the MDN page name, e.g.
``CORSMissingAllowOrigin``).

Every line reads ``Cross-Origin Request Blocked: The Same Origin Policy disallows reading the
remote resource at URL. (Reason: ...)``, where URL is the request whose response failed.
Firefox judges in its own order, which sometimes names another problem than Chromium does:

- the Allow-Origin check: no header -> ``CORSMissingAllowOrigin`` (with the status code); more
  than one header *line* -> ``CORSMultipleAllowOriginNotAllowed`` (one line "a, b" is a plain
  mismatch); ``*`` with credentials -> ``CORSNotSupportingCredentials`` (the only text that
  quotes the URL); any other value that is not the origin -> ``CORSAllowOriginNotMatchingOrigin``
  (naming the value); then Allow-Credentials -> ``CORSMissingAllowCredentials``;
- a preflight: that check first (even on a redirect), then a redirect ->
  ``CORSExternalRedirectNotAllowed``, a status outside 200-299 -> ``CORSPreflightDidNotSucceed``,
  then Allow-Methods (parse, then the method: ``CORSInvalidAllowMethod``, ``CORSMethodNotFound``)
  *before* Allow-Headers (``CORSInvalidAllowHeader``; the first disallowed name in sorted order:
  ``CORSMissingAllowHeaderFromPreflight``);
- a network failure, a redirect to a URL with credentials or to javascript: ->
  ``CORSDidNotSucceed`` ("Status code: (null)"); a redirect to ftp: -> ``CORSRequestNotHttp``.

Verified line by line against Firefox ESR 153 by ``tests/browser``.
"""

from __future__ import annotations

from urllib.parse import urljoin

from ..model import Exchange, HeaderList, Trace, header_values, joined
from . import preflight
from .safelist import SAFELISTED_METHODS, is_token

PREFIX = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at "
ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"

REASONS = {
    "CORSMissingAllowOrigin": "CORS header ‘Access-Control-Allow-Origin’ missing). Status code: {}.",
    "CORSMultipleAllowOriginNotAllowed": (
        "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed)."
    ),
    "CORSAllowOriginNotMatchingOrigin": (
        "CORS header ‘Access-Control-Allow-Origin’ does not match ‘{}’)."
    ),
    "CORSNotSupportingCredentials": (
        "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."
    ),
    "CORSMissingAllowCredentials": (
        "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."
    ),
    "CORSExternalRedirectNotAllowed": "CORS request external redirect not allowed).",
    "CORSPreflightDidNotSucceed": "CORS preflight response did not succeed). Status code: {}.",
    "CORSInvalidAllowMethod": "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Methods’).",
    "CORSMethodNotFound": "Did not find method in CORS header ‘Access-Control-Allow-Methods’).",
    "CORSInvalidAllowHeader": "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Headers’).",
    "CORSMissingAllowHeaderFromPreflight": (
        "header ‘{}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from "
        "CORS preflight response)."
    ),
    "CORSDidNotSucceed": "CORS request did not succeed). Status code: (null).",
    "CORSRequestNotHttp": "CORS request not http).",
}


def line(code: str, url: str, arg: object = "") -> str:
    shown = f"‘{url}’" if code == "CORSNotSupportingCredentials" else url
    return f"{PREFIX}{shown}. (Reason: {REASONS[code].format(arg)}"


SAME_ORIGIN = "Security Error: Content at {} may not load data from {}."

# The line a kind adds after the CORS line when its load is blocked (Firefox ESR 153): a font
# names the @font-face rule (its family, which only the page knows, shown as FAMILY; a face
# with default descriptors), an EventSource reports a failed connection. <img>, scripts,
# modules, stylesheets, XHR and beacons add none through the console.
KIND_LINES = {
    "font": ('downloadable font: download failed (font-family: "FAMILY" style:normal weight:400 '
             "stretch:100 src index:0): bad URI or cross-site access not allowed source: {}"),
    "eventsource": "Firefox can’t establish a connection to the server at {}.",
}


def kind_line(kind: str, url: str) -> str | None:
    """The extra line a blocked ``kind`` load prints in Firefox, or None."""
    text = KIND_LINES.get(kind)
    return None if text is None else text.format(url)


def request_mode_line(page: str, url: str) -> str:
    """Firefox's line for fetch(url, {mode: "same-origin"}) to another origin (no CORS reason
    code: nothing is sent). Firefox names the page's URL; corsprobe knows its origin + "/"."""
    return SAME_ORIGIN.format(page, url)


def allow_origin_problem(
    headers: HeaderList, status: int, origin: str, credentials: bool
) -> tuple[str, object] | None:
    lines = header_values(headers, ACAO)
    if not lines:
        return "CORSMissingAllowOrigin", status
    if len(lines) > 1:
        return "CORSMultipleAllowOriginNotAllowed", ""
    value = lines[0].strip(" \t")
    if value == "*" and credentials:
        return "CORSNotSupportingCredentials", ""
    if value != "*" and value != origin:
        return "CORSAllowOriginNotMatchingOrigin", value
    if credentials and (joined(headers, ACAC) or "").strip(" \t") != "true":
        return "CORSMissingAllowCredentials", ""
    return None


def _bad_token(value: str | None) -> str | None:
    items = [i.strip(" \t") for i in (value or "").split(",")]
    return next((i for i in items if i and not is_token(i)), None)


def preflight_problem(ex: Exchange, credentials: bool) -> tuple[str, object] | None:
    """Firefox's verdict on one preflight exchange, in its order."""
    resp = ex.response
    assert resp is not None
    req = ex.request.headers
    origin = joined(req, "origin") or ""
    method = joined(req, "access-control-request-method") or ""
    asked = [n for n in (joined(req, "access-control-request-headers") or "").split(",") if n]
    problem = allow_origin_problem(resp.headers, resp.status, origin, credentials)
    if problem:
        return problem
    if preflight.is_redirect(resp):
        return "CORSExternalRedirectNotAllowed", ""
    if not 200 <= resp.status <= 299:
        return "CORSPreflightDidNotSucceed", resp.status
    acam = joined(resp.headers, preflight.ACAM)
    bad = _bad_token(acam)
    if bad is not None:
        return "CORSInvalidAllowMethod", bad
    methods = [m.strip(" \t") for m in (acam or "").split(",") if m.strip(" \t")]
    if not (
        method in SAFELISTED_METHODS or method in methods or ("*" in methods and not credentials)
    ):
        return "CORSMethodNotFound", ""
    acah = joined(resp.headers, preflight.ACAH)
    bad = _bad_token(acah)
    if bad is not None:
        return "CORSInvalidAllowHeader", bad
    allowed = {h.strip(" \t").lower() for h in (acah or "").split(",")}
    for name in sorted(asked):
        if name not in allowed and not ("*" in allowed and not credentials):
            return "CORSMissingAllowHeaderFromPreflight", name
    return None


def console(trace: Trace) -> tuple[str, str] | None:
    """(reason code, console line) for the first line Firefox prints, or None when allowed."""
    if trace.allowed is not False:
        return None
    creds = trace.spec.credentials
    url = trace.final_url or trace.spec.url
    failure = trace.failure
    if trace.blocked_at == "preflight" and trace.preflights:
        ex = trace.preflights[-1]
        problem = preflight_problem(ex, creds)
        if problem:
            return problem[0], line(problem[0], ex.request.url, problem[1])
    if trace.blocked_at in ("actual", "redirect") and trace.actuals:
        ex = trace.actuals[-1]
        resp = ex.response
        if resp is not None and (failure is None or failure.error not in _REDIRECT_ERRORS):
            origin = joined(ex.request.headers, "origin") or trace.origin_sent
            problem = allow_origin_problem(resp.headers, resp.status, origin, creds)
            if problem:
                return problem[0], line(problem[0], ex.request.url, problem[1])
        if failure is not None and failure.error == "CorsDisabledScheme" and resp is not None:
            target = urljoin(ex.request.url, joined(resp.headers, "location") or "")
            if target.lower().startswith("ftp:"):
                return "CORSRequestNotHttp", line("CORSRequestNotHttp", target)
    return "CORSDidNotSucceed", line("CORSDidNotSucceed", failed_url(trace) or url)


def failed_url(trace: Trace) -> str | None:
    """The URL of the request that failed: one with a network error, else the last actual."""
    for ex in (*trace.preflights, *trace.actuals):
        if ex.error is not None or ex.response is None:
            return ex.request.url
    return trace.actuals[-1].request.url if trace.actuals else None


_REDIRECT_ERRORS = ("RedirectContainsCredentials", "CorsDisabledScheme")
