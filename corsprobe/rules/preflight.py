"""The preflight: its status, and the methods and headers it allows."""

from __future__ import annotations

from collections.abc import Iterator

from ..fetch.safelist import is_token
from ..model import HttpResponse, joined
from . import Context, Hit, fixes, rule, stackfixes

ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"


def starlette_refusal(response: HttpResponse | None) -> list[str]:
    """What Starlette's CORSMiddleware refused, from its 400 body ("Disallowed CORS origin, method")."""
    if response is None or response.status != 400:
        return []
    body = response.body.decode("utf-8", "replace").strip()
    if not body.startswith("Disallowed CORS "):
        return []
    return [part.strip() for part in body[len("Disallowed CORS "):].split(",") if part.strip()]


def _requested(ctx: Context) -> tuple[str, list[str]]:
    """The method and unsafe header names the last preflight asked for."""
    exchange = ctx.trace.preflights[-1]
    headers = exchange.request.headers
    method = joined(headers, "access-control-request-method") or ""
    names = [n for n in (joined(headers, "access-control-request-headers") or "").split(",") if n]
    return method, names


@rule("CORS301", "preflight-status-not-ok", "error", "The preflight was answered with an error status")
def preflight_status(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The preflight (OPTIONS) got a status outside 200-299, and names the likely cause:
        401/403 from authentication that also guards OPTIONS; 404/405 because nothing answers
        OPTIONS on this path; 400 from Starlette's CORSMiddleware refusing the origin, method or
        headers (its body says which); 5xx from a crash.

    Why it matters:
        The browser needs an ok status on the preflight. Chromium checks Allow-Origin first, so
        an error page without CORS headers is reported as a missing Allow-Origin
        (PreflightMissingAllowOriginHeader) and one with them as "It does not have HTTP ok
        status" (PreflightInvalidStatus): either way the real cause is the status.

    Example:
        OPTIONS /api/users   Access-Control-Request-Method: POST
        HTTP/1.1 401 Unauthorized
        WWW-Authenticate: Bearer

    Fix:
        Let the CORS layer answer preflights before authentication and routing; preflights never
        carry credentials.
    """
    if ctx.trace.blocked_at != "preflight" or ctx.error == "PreflightDisallowedRedirect":
        return
    response = ctx.last_preflight
    if response is None or 200 <= response.status <= 299:
        return
    status = response.status
    refused = starlette_refusal(response)
    method, names = _requested(ctx)
    if refused:
        msg = (
            f"The preflight was refused with 400 'Disallowed CORS {', '.join(refused)}': "
            "Starlette's CORSMiddleware does not allow the "
            + " and ".join({"origin": f"origin {ctx.origin}", "method": f"method {method}",
                             "headers": f"headers {', '.join(names)}"}.get(p, p) for p in refused)
            + "."
        )
        if "origin" in refused:
            fix = fixes.allow_origin(ctx.origin)
        elif "method" in refused:
            fix = fixes.methods(method, ctx.origin)
        else:
            fix = fixes.headers(names, ctx.origin)
    elif status in (401, 403):
        msg = (
            f"The preflight got {status}: authentication answers OPTIONS, but a preflight never "
            "carries credentials (no cookies, no Authorization)."
        )
        fix = fixes.auth_on_preflight(status)
    elif status in (404, 405, 501):
        msg = f"The preflight got {status}: nothing on the server answers OPTIONS for this path."
        fix = fixes.no_options_route(status)
    elif status >= 500:
        msg = f"The preflight got {status}: the server failed while answering OPTIONS."
        fix = fixes.server_error(status)
    else:
        msg = f"The preflight got {status}; browsers require a 2xx status."
        fix = fixes.no_options_route(status)
    reported = ctx.error or ""
    if reported == "PreflightMissingAllowOriginHeader":
        msg += " Chrome reports it as a missing Access-Control-Allow-Origin because it checks that first."
    yield Hit(msg, ctx.evidence(None, reported_as=reported), fix)


@rule("CORS302", "method-not-allowed", "error", "The preflight does not allow the request's method")
def method_not_allowed(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Methods on the preflight does not list the request's method, or
        lists it in another letter case (`PATCH` for a request sent as `patch`), or relies on
        `*` while the request carries credentials.

    Why it matters:
        The browser compares method names case-sensitively (fetch() upper-cases only DELETE,
        GET, HEAD, OPTIONS, POST and PUT) and takes `*` literally with credentials
        (MethodDisallowedByPreflightResponse).

    Example:
        fetch(url, {method: 'PUT'})
        Access-Control-Allow-Methods: GET, POST

    Fix:
        Add the method, spelled as the page sends it, to the allowed methods.
    """
    if ctx.error != "MethodDisallowedByPreflightResponse":
        return
    method = ctx.trace.failure.hint if ctx.trace.failure else ""
    method = method or ""
    listed = [m.strip() for m in (ctx.header(ACAM) or "").split(",") if m.strip()]
    msg = f"The preflight allows {', '.join(listed) or 'no methods'}, not {method}."
    if method and method.upper() in (m.upper() for m in listed) and method not in listed:
        msg += (
            f" The list has it in another case: method names are case-sensitive, and fetch() "
            f"sends '{method}' as written (write the method in upper case in the page, or list "
            f"'{method}')."
        )
    elif "*" in listed and ctx.credentials:
        msg += " `*` is taken literally when the request includes credentials."
    elif not listed:
        msg += " (no Access-Control-Allow-Methods header at all)"
    yield Hit(msg, ctx.evidence(ACAM, method=method),
              _in_front(ctx, fixes.methods(method, ctx.origin), f"no {method}"))


@rule("CORS303", "header-not-allowed", "error", "The preflight does not allow a request header")
def header_not_allowed(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Headers on the preflight does not list a header the page sets
        (often Content-Type: application/json, Authorization, X-Requested-With), or relies on
        `*` while the request carries credentials.

    Why it matters:
        Every CORS-unsafe request header must be allowed by name (case-insensitive)
        (HeaderDisallowedByPreflightResponse). `*` covers names only without credentials.

    Example:
        fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}})
        Access-Control-Allow-Headers: X-Requested-With

    Fix:
        Add every header the page sends to the allowed headers.
    """
    if ctx.error != "HeaderDisallowedByPreflightResponse":
        return
    _, names = _requested(ctx)
    allowed = {h.strip().lower() for h in (ctx.header(ACAH) or "").split(",") if h.strip()}
    missing = [n for n in names if n not in allowed]
    if not missing and ctx.trace.failure and ctx.trace.failure.hint:
        missing = [ctx.trace.failure.hint]
    msg = f"The preflight does not allow the request header(s) {', '.join(missing)}."
    if "*" in allowed and ctx.credentials:
        msg += " `*` is taken literally when the request includes credentials."
    yield Hit(msg, ctx.evidence(ACAH, missing=missing),
              _in_front(ctx, fixes.headers(missing, ctx.origin), f"no {', '.join(missing)}"))


@rule("CORS304", "authorization-covered-by-wildcard", "warning", "Authorization is allowed only through *")
def authorization_wildcard(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The page sends Authorization and the preflight allows it only through
        `Access-Control-Allow-Headers: *`.

    Why it matters:
        The Fetch Standard says `*` never covers Authorization. Chrome and Safari still accept it
        today (Chrome logs a deprecation warning) and Firefox can enforce the spec behind a pref:
        this works now and will break when browsers follow the spec. Chrome's preflight cache
        already applies the strict rule, so such requests are preflighted every time.

    Example:
        fetch(url, {headers: {'Authorization': 'Bearer ...'}})
        Access-Control-Allow-Headers: *

    Fix:
        List Authorization explicitly: `Access-Control-Allow-Headers: Authorization, *`.
    """
    if not ctx.trace.preflights:
        return
    for index, exchange in enumerate(ctx.trace.preflights):
        response = exchange.response
        if response is None:
            continue
        names = (joined(exchange.request.headers, "access-control-request-headers") or "").split(",")
        allowed = {h.strip().lower() for h in (joined(response.headers, ACAH) or "").split(",")}
        if "authorization" in names and "*" in allowed and "authorization" not in allowed:
            if ctx.trace.blocked_at == "preflight" and index == len(ctx.trace.preflights) - 1:
                if ctx.error != "HeaderDisallowedByPreflightResponse" or ctx.credentials:
                    continue
            yield Hit(
                "Authorization is allowed only through `Access-Control-Allow-Headers: *`; the spec "
                "excludes Authorization from `*` and browsers are moving to enforce it.",
                ctx.evidence_for("preflight", index, ACAH),
                fixes.headers(["Authorization"], ctx.origin),
            )
            return


@rule("CORS305", "allow-list-malformed", "error", "Allow-Methods or Allow-Headers cannot be parsed")
def allow_list_malformed(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        Access-Control-Allow-Methods or Access-Control-Allow-Headers holds an item that is not
        an HTTP token (a semicolon, parentheses, a quoted string, a slash...).

    Why it matters:
        The browser parses both as comma-separated token lists; one bad item and the whole
        preflight fails (InvalidAllowMethodsPreflightResponse /
        InvalidAllowHeadersPreflightResponse).

    Example:
        Access-Control-Allow-Methods: GET; POST

    Fix:
        Separate items with commas and list only method or header names.
    """
    names = {
        "InvalidAllowMethodsPreflightResponse": ACAM,
        "InvalidAllowHeadersPreflightResponse": ACAH,
    }
    header = names.get(ctx.error or "")
    if header is None:
        return
    value = ctx.header(header) or ""
    bad = [i.strip() for i in value.split(",") if i.strip() and not is_token(i.strip())]
    yield Hit(
        f"{header} is '{value}'; {', '.join(repr(b) for b in bad)} is not a valid name, so the "
        "browser rejects the whole list.",
        ctx.evidence(header, invalid_items=bad),
        {"generic": f"Send {header} as a comma-separated list of names, e.g. 'GET, POST, PUT'."},
    )



def _in_front(ctx: Context, fix: dict[str, str], missing: str) -> dict[str, str]:
    """``fix``, plus the proxy's when one stands in front: it may answer OPTIONS itself."""
    if any(layer.role == "proxy" for layer in ctx.layers):
        return stackfixes.for_layers(fix, stackfixes.options_answered(missing))
    return fix


_CORS_NAMES = ("access-control-allow-origin", "access-control-allow-credentials")


def _producer_marks(response: HttpResponse) -> dict[str, str]:
    """What shows who wrote a response's CORS headers: its Server, the letter case of the
    CORS header names, and the kind of Allow-Origin / Allow-Credentials it sends."""
    marks = {}
    server = joined(response.headers, "server")
    if server:
        marks["Server"] = server
    names = [k for k, _ in response.headers if k.lower() in _CORS_NAMES]
    if names:
        marks["header names"] = "lower case" if all(k == k.lower() for k in names) else (
            "mixed case")
    acao = (joined(response.headers, "access-control-allow-origin") or "").strip()
    if acao:
        marks["Allow-Origin"] = "*" if acao == "*" else "an origin"
    marks["Allow-Credentials"] = "sent" if joined(
        response.headers, "access-control-allow-credentials") else "absent"
    return marks


@rule("CORS306", "preflight-answered-elsewhere", "warning", "The preflight and the response come from different layers")
def preflight_answered_elsewhere(ctx: Context) -> Iterator[Hit]:
    """
    What it detects:
        The preflight's answer and the actual response were written by different layers: they
        differ in Server, in the letter case of their CORS header names, or in the kind of
        Access-Control-Allow-Origin (`*` against an echoed origin) or Allow-Credentials they
        send. Typical: nginx answers OPTIONS itself (`if ($request_method = OPTIONS) { ...
        return 204; }`) while the app answers everything else.

    Why it matters:
        Two copies of the CORS policy drift apart: a header added to the app is not added to
        the proxy's preflight answer (HeaderDisallowedByPreflightResponse), credentials are
        allowed on one and not the other. The failures look unrelated to the change that
        caused them.

    Example:
        OPTIONS /api/users   ->  204, Access-Control-Allow-Origin: *          (nginx)
        GET /api/users       ->  200, access-control-allow-origin: https://app.example.com,
                                      vary: Origin                           (the app)

    Fix:
        Let one layer answer both: pass OPTIONS through to the app, or keep the whole CORS
        policy in the proxy.
    """
    t = ctx.trace
    if not t.preflights or not t.actuals:
        return
    pre, act = t.preflights[-1].response, t.actuals[-1].response
    if pre is None or act is None or not (200 <= act.status < 300):
        return
    if joined(act.headers, "access-control-allow-origin") is None:
        return  # no CORS headers on the response at all: CORS402 / CORS401 say it
    a, b = _producer_marks(pre), _producer_marks(act)
    differ = [k for k in ("Server", "header names", "Allow-Origin", "Allow-Credentials")
              if k in a and k in b and a[k] != b[k]]
    if not differ:
        return
    proxy = next((layer for layer in ctx.layers if layer.role == "proxy"), None)
    who = f" (probably {proxy.label}, answering OPTIONS itself)" if proxy else ""
    shown = "; ".join(f"{k}: {a[k]} on the preflight, {b[k]} on the response" for k in differ)
    yield Hit(
        f"The preflight's answer and the response come from different layers{who}: {shown}. "
        "Two copies of the CORS policy drift apart.",
        ctx.evidence_for("preflight", len(t.preflights) - 1, differences=differ),
        stackfixes.for_layers(
            {"generic": "Let one layer answer both the preflight and the request: pass OPTIONS "
                        "through to the app, or keep the whole CORS policy in the proxy."},
            stackfixes.options_answered("they differ: " + ", ".join(differ))),
    )
