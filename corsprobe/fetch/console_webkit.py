"""WebKit's (Safari's) console text for a blocked request
(``Source/WebCore/loader/CrossOriginAccessControl.cpp``, ``CrossOriginPreflightChecker.cpp``).

WebKit prints two console errors: the reason (source "security"), then
``Fetch API cannot load URL due to access control checks.`` (source "js"), where URL is the
request whose response failed. WebKit has no reason codes. Its order and words:

- Allow-Origin: ``*`` with credentials -> "Cannot use wildcard ..."; a comma in the (joined)
  value, so also two header lines -> "... cannot contain more than one origin."; absent or not
  the origin (a space-separated list included) -> "Origin O is not allowed by
  Access-Control-Allow-Origin. Status code: N" (O is the Origin sent, ``null`` when tainted);
  then Allow-Credentials;
- a redirect that fails the check, or whose Location is refused, is reported as
  "Cross-origin redirection to LOCATION denied by Cross-Origin Resource Sharing policy: ...";
- a preflight: the status first ("Preflight response is not successful. Status code: N", also
  for a redirect and before Allow-Origin), then Allow-Origin, then both lists must parse
  ("Header Access-Control-Allow-Methods has an invalid value: V"), then the method, then the
  first disallowed header in the page's order and spelling ("Request header field X-Custom ...").
- a network failure prints nothing (a redirect loop: "Load cannot follow more than 20
  redirections").

Verified line by line against WebKitGTK 2.50 (MiniBrowser) by ``tests/browser``.
"""

from __future__ import annotations

from urllib.parse import urljoin

from ..model import HeaderList, Trace, joined
from . import preflight
from .safelist import SAFELISTED_METHODS, is_token

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
WRAPPER = "Fetch API cannot load {} due to access control checks."
REDIRECT = "Cross-origin redirection to {} denied by Cross-Origin Resource Sharing policy: {}"


def allow_origin_problem(
    headers: HeaderList, status: int, origin: str, credentials: bool
) -> str | None:
    value = joined(headers, ACAO)
    value = value.strip(" \t") if value is not None else None
    if value == "*" and not credentials:
        return None
    if value == "*":
        return "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
    if value is not None and "," in value:
        return "Access-Control-Allow-Origin cannot contain more than one origin."
    if value != origin:
        return f"Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: {status}"
    if credentials and (joined(headers, ACAC) or "").strip(" \t") != "true":
        return 'Credentials flag is true, but Access-Control-Allow-Credentials is not "true".'
    return None


def _parses(value: str | None) -> bool:
    items = [i.strip(" \t") for i in (value or "").split(",")]
    return all(is_token(i) for i in items if i)


def preflight_problem(trace: Trace) -> str | None:
    ex = trace.preflights[-1]
    resp = ex.response
    assert resp is not None
    creds = trace.spec.credentials
    req = ex.request.headers
    if not 200 <= resp.status <= 299:
        return f"Preflight response is not successful. Status code: {resp.status}"
    problem = allow_origin_problem(resp.headers, resp.status, joined(req, "origin") or "", creds)
    if problem:
        return problem
    acam, acah = joined(resp.headers, preflight.ACAM), joined(resp.headers, preflight.ACAH)
    for name, value in (("Methods", acam), ("Headers", acah)):
        if not _parses(value):
            return f"Header Access-Control-Allow-{name} has an invalid value: {value}"
    method = joined(req, "access-control-request-method") or ""
    methods = [m.strip(" \t") for m in (acam or "").split(",")]
    if not (method in SAFELISTED_METHODS or method in methods or ("*" in methods and not creds)):
        return f"Method {method} is not allowed by Access-Control-Allow-Methods."
    asked = {n for n in (joined(req, "access-control-request-headers") or "").split(",") if n}
    allowed = {h.strip(" \t").lower() for h in (acah or "").split(",")}
    wildcard = "*" in allowed and not creds
    spelled = {k.lower(): k for k, _ in reversed(trace.spec.headers)}
    for lname in [k.lower() for k, _ in trace.spec.headers] + sorted(asked):
        if lname in asked and lname not in allowed and not wildcard:
            return (
                f"Request header field {spelled.get(lname, lname)} is not allowed by "
                "Access-Control-Allow-Headers."
            )
    return None


# The second line per kind (WebKitGTK 2.50): the initiator's own words, or none
# (<link rel=stylesheet> and module scripts print only the reason; a beacon repeats it).
_SECOND = {
    "fetch": WRAPPER,
    "xhr": "XMLHttpRequest cannot load {} due to access control checks.",
    "eventsource": "EventSource cannot load {} due to access control checks.",
    "img": "Cannot load image {} due to access control checks.",
    "script": "Cross-origin script load denied by Cross-Origin Resource Sharing policy.",
    "beacon": "Beacon API cannot load {}. {}",
}
SAME_ORIGIN = "Fetch API cannot load {}."


def console(trace: Trace) -> list[str]:
    """The lines WebKit prints for this request, in order; empty when it prints none."""
    if trace.allowed is not False:
        return []
    if trace.blocked_at == "request-mode":  # fetch(url, {mode: "same-origin"})
        return [SAME_ORIGIN.format(trace.final_url or trace.spec.url)]
    creds = trace.spec.credentials
    reason: str | None = None
    url = trace.final_url or trace.spec.url
    if trace.blocked_at == "preflight" and trace.preflights:
        reason = preflight_problem(trace)
        url = trace.preflights[-1].request.url
    elif trace.actuals and trace.actuals[-1].response is not None:
        ex = trace.actuals[-1]
        resp = ex.response
        assert resp is not None
        url = ex.request.url
        origin = joined(ex.request.headers, "origin") or trace.origin_sent
        location = joined(resp.headers, "location")
        target = urljoin(url, location) if location is not None else None
        if trace.blocked_at == "actual":
            reason = allow_origin_problem(resp.headers, resp.status, origin, creds)
        elif target is not None and (trace.blocked_at == "redirect" or trace.net_error):
            reason = _redirect_reason(trace, resp.headers, resp.status, origin, target)
    if reason is None:
        return []
    second = _SECOND.get(getattr(trace.spec, "kind", "fetch"))
    return [reason] if second is None else [reason, second.format(url, reason)]


def _redirect_reason(
    trace: Trace, headers: HeaderList, status: int, origin: str, target: str
) -> str | None:
    failure = trace.failure
    scheme = target.split(":", 1)[0].lower()
    if failure is not None and failure.error not in ("RedirectContainsCredentials",
                                                     "CorsDisabledScheme"):
        problem = allow_origin_problem(headers, status, origin, trace.spec.credentials)
        return REDIRECT.format(target, problem) if problem else None
    if scheme == "ftp":
        return "FTP URLs are disabled"
    if scheme not in ("http", "https"):
        return REDIRECT.format(
            target, "not allowed to follow a cross-origin CORS redirection with non CORS scheme"
        )
    if failure is not None and failure.error == "RedirectContainsCredentials":
        host = target.split("@", 1)[1] if "@" in target else target
        plain = f"{scheme}://{host}"
        return REDIRECT.format(plain, f"redirection URL {target} has credentials")
    if trace.net_error is not None and trace.net_error.kind == "too_many_redirects":
        return f"Load cannot follow more than {trace.spec.max_redirects} redirections"
    return None
