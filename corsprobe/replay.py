"""Orchestration: a RequestSpec becomes a recorded Trace with the browser's verdict.

The network is reached only through the ``sender`` passed in (see :mod:`corsprobe.net`);
every decision is taken by the pure :mod:`corsprobe.fetch` package.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TypeVar

from .errors import UsageError
from .fetch import access, browsers, exposure, gates, kinds, preflight, redirect, safelist
from .fetch.urls import (
    InvalidInput,
    Origin,
    Url,
    parse_origin,
    parse_url,
    same_origin,
    strip_credentials,
)
from .model import (
    BlockedAt,
    CorsFailure,
    Exchange,
    HeaderList,
    HttpRequest,
    NetError,
    RequestSpec,
    Trace,
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# A sender answering from a recording (corsprobe.har) returns a preflight exchange whose
# error has this kind when the recording has no preflight but shows the browser went on
# to send the actual request: the preflight passed, and its answer is unknown.
PASSED_UNRECORDED = "passed_unrecorded"
DEFAULT_TEXT_TYPE = "text/plain;charset=UTF-8"


T = TypeVar("T")
Steps = Generator[HttpRequest, Exchange, T]


def drive(steps: Steps[T], send: Callable[[HttpRequest], Exchange]) -> T:
    """Run a sans-I/O step generator with a blocking ``send``."""
    try:
        request = next(steps)
        while True:
            request = steps.send(send(request))
    except StopIteration as done:
        return done.value


async def drive_async(steps: Steps[T], send: Callable[[HttpRequest], Awaitable[Exchange]]) -> T:
    """Run a sans-I/O step generator with an awaitable ``send``."""
    try:
        request = next(steps)
        while True:
            request = steps.send(await send(request))
    except StopIteration as done:
        return done.value


@dataclass(frozen=True)
class Prepared:
    """The request after fetch()'s own processing: what the browser would actually do."""

    page: Origin
    url: Url
    method: str
    headers: HeaderList  # headers the page set and the browser kept
    cookies: HeaderList
    body: bytes | None
    notes: tuple[str, ...]


def prepare(spec: RequestSpec) -> Prepared:
    """Validate input as fetch() would; raises UsageError for what fetch() would refuse.

    A forbidden request header (and Cookie without credentials) is not refused: fetch()
    drops it silently and makes the request, so it is dropped here with a note saying so.
    """
    try:
        page = parse_origin(spec.origin)
    except InvalidInput as exc:
        raise UsageError(str(exc), field="origin") from None
    try:
        url = parse_url(spec.url)
    except InvalidInput as exc:
        raise UsageError(str(exc), field="url") from None
    method = _method(spec.method)
    if url.has_credentials:
        raise UsageError(
            "the URL contains user:password; fetch() refuses such URLs "
            "(send an Authorization header instead)", field="url"
        )
    try:  # (the checks of a config send a few header lists, each often: worked out once)
        kept, cookies, notes = _headers(method, spec.body is not None, tuple(spec.headers),
                                        tuple(spec.cookies), spec.credentials, spec.browser)
    except TypeError:  # a header list that is not hashable
        kept, cookies, notes = _headers.__wrapped__(
            method, spec.body is not None, spec.headers, spec.cookies, spec.credentials,
            spec.browser)
    return Prepared(page, url, method, kept, cookies, spec.body, notes)


@lru_cache(maxsize=256)
def _method(method: str) -> str:
    """fetch()'s method checks, and its normalized method."""
    if not safelist.is_token(method):
        raise UsageError(f"method '{method}' is not a valid HTTP method token; e.g. -X PUT",
                         field="method")
    if safelist.is_forbidden_method(method):
        raise UsageError(f"fetch() refuses the method {method.upper()} (a forbidden method)",
                         field="method")
    return safelist.normalize_method(method)


@lru_cache(maxsize=256)
def _headers(method: str, has_body: bool, headers: HeaderList, cookies_given: HeaderList,
             credentials: bool, browser: str
             ) -> tuple[HeaderList, HeaderList, tuple[str, ...]]:
    """fetch()'s body and header checks: (the headers it sends, the cookies, notes)."""
    if has_body and method in ("GET", "HEAD"):
        raise UsageError(f"fetch() refuses a body with {method}; drop -d/--data-file or use -X POST",
                         field="body")
    b = browsers.browser(browser)
    notes: list[str] = []
    kept: list[tuple[str, str]] = []
    cookies: list[tuple[str, str]] = list(cookies_given)
    for name, value in headers:
        if not safelist.is_token(name):
            raise UsageError(f"header name '{name}' is not a valid token; e.g. -H 'X-Api-Key: abc'",
                             field="headers")
        if any(c in value for c in "\r\n\0"):
            raise UsageError(f"header {name}: the value contains a line break or NUL byte",
                             field="headers")
        value = value.strip(" \t")
        if name.lower() == "cookie":
            if credentials:
                cookies.append((name, value))
                notes.append(
                    "Cookie is not a header a page can set: it is sent as the browser's cookie "
                    "jar would send it, on the actual request only (never on the preflight)"
                )
                continue
            notes.append(
                f"dropped -H '{name}': a page cannot set Cookie (a forbidden request header), "
                "so fetch() silently drops it, and without credentials: 'include' the browser "
                "sends no cookies cross-origin; add --credentials to make -H 'Cookie: ...' stand "
                "for the browser's cookie jar"
            )
            continue
        if safelist.is_forbidden_header(name, value):
            notes.append(_dropped_note(name, value))
            continue
        if name.lower() in b.extra_forbidden_headers:
            notes.append(
                f"dropped -H '{name}': {b.label} does not let a page set {name} (its engine "
                "still treats it as a forbidden request header, which the Fetch Standard no "
                "longer does); fetch() silently drops it and sends the request without it, "
                f"with no preflight for it (Firefox and Safari preflight it and send it)"
            )
            continue
        kept.append((name, value))
    if has_body and not any(k.lower() == "content-type" for k, _ in kept):
        kept.append(("Content-Type", DEFAULT_TEXT_TYPE))
        notes.append(
            f"fetch() adds Content-Type: {DEFAULT_TEXT_TYPE} to a string body without one"
        )
    return tuple(kept), tuple(cookies), tuple(notes)


_DROPPED_HINTS = {
    "host": "; the browser sends the URL's host (to reach another address for it, use "
            "--resolve HOST:PORT:ADDR)",
    "origin": "; the browser sends the page's origin, given with --origin",
}


def _dropped_note(name: str, value: str) -> str:
    """Why fetch() drops a forbidden header the user gave: the report's note (names only,
    never the value: it may be a secret)."""
    lname = name.lower()
    why = "a forbidden request header"
    if lname.startswith("sec-"):
        why += " (names starting with Sec- are the browser's own)"
    elif lname.startswith("proxy-"):
        why += " (names starting with Proxy- are the browser's own)"
    elif lname in safelist.METHOD_OVERRIDE_HEADERS:
        why += " (it names a forbidden method: " + ", ".join(
            m.strip().upper() for m in value.split(",") if safelist.is_forbidden_method(m.strip())
        ) + ")"
    return (
        f"dropped -H '{name}': {name} is {why}; a page cannot set it, fetch() silently drops "
        f"it and sends the request without it{_DROPPED_HINTS.get(lname, '')}"
    )


def check_kind(spec: RequestSpec) -> kinds.Kind:
    """The kind of ``spec``, or UsageError for what the page cannot ask for; also refuses
    ``credentials`` where the kind decides them (the commands' and the API's check: a replay
    takes the kind's credentials silently)."""
    try:
        kind = kinds.of(spec)
    except kinds.KindError as exc:
        raise UsageError(str(exc), field=exc.field) from None
    if spec.credentials and spec.kind in (*kinds.ELEMENT_KINDS, "module", "font"):
        how = ("a font is always fetched with same-origin credentials" if spec.kind == "font"
               else "--crossorigin use-credentials (crossorigin=\"use-credentials\") sends them")
        raise UsageError(f"--credentials is fetch()'s, XHR's and EventSource's option: for "
                         f"{kind.label}, {how}", field="credentials")
    return kind


def may_send(spec: RequestSpec, method: str) -> tuple[bool, str | None]:
    if spec.send_actual is False:
        return False, "not sent: --no-actual was given"
    if spec.send_actual or method.upper() in SAFE_METHODS:
        return True, None
    return False, (
        f"not sent: {method} may change data on the server. The preflight was checked; "
        "pass --send-actual to send the actual request too"
    )


def replay(spec: RequestSpec) -> Steps[Trace]:
    """The browser's steps for ``spec``: yields each request to send, receives its exchange.

    Raises UsageError before the first request when fetch() would refuse the input.
    """
    try:
        kind = kinds.of(spec)
    except kinds.KindError as exc:
        raise UsageError(str(exc), field=exc.field) from None
    if spec.credentials != kind.include:  # the kind decides (an <img> sends cookies)
        spec = replace(spec, credentials=kind.include)
    prep = prepare(spec)
    if kind.no_cors:
        prep = _no_cors(prep, kind)
    page = prep.page
    origin = page.serialize()
    notes = list(prep.notes)
    if spec.origin != origin:
        notes.append(f"the browser serializes this origin as '{origin}'")

    hop = redirect.Hop(prep.url, prep.method, prep.headers, prep.body)
    preflights: list[Exchange] = []
    actuals: list[Exchange] = []
    first_reasons: list[str] | None = None
    allowed: bool | None = None
    blocked_at: BlockedAt | None = None
    failure: CorsFailure | None = None
    net_error: NetError | None = None
    readable: tuple[str, ...] = ()
    why_not: str | None = None
    redirects = 0
    visited: set[str] = set()
    final_url: str | None = None
    send_ok, why = may_send(spec, prep.method)
    if same_origin(page, prep.url.origin):
        notes.append("same-origin request: CORS does not apply")

    def forgiven(exchange: Exchange) -> None:
        # what the transport forgave in the response head, as the browser forgives it
        if exchange.response is not None:
            notes.extend(n for n in exchange.response.wire_notes if n not in notes)

    b = browsers.browser(spec.browser)
    first_unsafe: list[str] | None = None
    blocked_reason: str | None = None
    page_space = spec.page_space or gates.space_of_host(page.host)
    opaque = cors = False
    while True:
        if gates.mixed_content(page, hop.url, b.mixed_content_trusts_loopback):
            # blocked before anything leaves: no preflight, no request, no CORS check
            allowed, blocked_at, blocked_reason = False, "mixed-content", gates.MIXED_CONTENT
            break
        target_space = (spec.target_space if spec.target_space and hop.url.host == prep.url.host
                        else gates.space_of_host(hop.url.host))
        lna = gates.lna_failure(b.lna, page_space, target_space, gates.secure_context(page))
        if lna is not None:
            # Local Network Access: refused before the request is sent (no preflight either)
            allowed, blocked_at, failure = False, "local-network-access", lna
            break
        if page_space is None and target_space in ("private", "local") and b.lna != "none":
            note = gates.unknown_page_note(page.host, target_space, b.label)
            if note not in notes:
                notes.append(note)
        cross = hop.tainted or not same_origin(page, hop.url.origin)
        if cross and kind.mode == "same-origin":
            # fetch(url, {mode: "same-origin"}): refused before anything is sent
            allowed, blocked_at = False, "request-mode"
            break
        cors = cross and not kind.no_cors  # no-cors: never preflighted, never CORS-checked
        hop_origin = "null" if hop.tainted else origin
        reasons, unsafe = (
            safelist.preflight_reasons(
                hop.method, hop.headers, b.extra_safelisted_headers, b.combines_repeated_headers
            )
            if cors
            else ([], [])
        )
        if first_unsafe is None:
            first_unsafe = unsafe
        if cors and preflights and b.preflight_every_redirect:
            # Firefox and WebKit: a redirected request that needed a preflight gets one per hop.
            if b.repreflight_original_headers:
                unsafe = sorted(set(unsafe) | set(first_unsafe))
            if not reasons:
                reasons = [
                    f"after a redirect: {b.label} preflights every hop of a request that "
                    "needed a preflight"
                ]
        if first_reasons is None:
            first_reasons = reasons
        elif reasons and not preflights:
            first_reasons = [f"after a redirect: {r}" for r in reasons]
        if reasons:
            # Firefox sends (and checks) a preflight after a tainting redirect with the page's
            # origin; Chromium and WebKit with "null", like the actual request.
            pf_origin = origin if b.tainted_preflight_keeps_origin else hop_origin
            pf = HttpRequest(
                "OPTIONS",
                hop.url.text,
                preflight.request_headers(hop.method, unsafe, pf_origin, _referer(page)),
            )
            exchange = yield pf
            if exchange.error is not None and exchange.error.kind == PASSED_UNRECORDED:
                notes.append(exchange.error.message)  # a recording (HAR) lacks the preflight
            else:
                preflights.append(exchange)
                forgiven(exchange)
                if exchange.error or exchange.response is None:
                    net_error = exchange.error
                    allowed = False
                    break
                failure = preflight.check(
                    exchange.response, hop.method, unsafe, pf_origin, spec.credentials
                )
                if failure:
                    allowed, blocked_at = False, "preflight"
                    break
        if not send_ok:
            why_not = why
            break
        exchange = yield _actual_request(hop, cors, hop_origin, prep, spec)
        actuals.append(exchange)
        forgiven(exchange)
        if exchange.error or exchange.response is None:
            net_error = exchange.error
            allowed = False
            break
        response = exchange.response
        opaque = cross and kind.no_cors
        if preflight.is_redirect(response):
            if cors:
                failure = access.cors_check(response.headers, hop_origin, spec.credentials)
                if failure:
                    allowed, blocked_at = False, "redirect"
                    break
            nxt = redirect.follow(hop, response, page, redirects, spec.max_redirects)
            if isinstance(nxt, CorsFailure):
                failure, allowed, blocked_at = nxt, False, "redirect"
                if nxt.error == "CorsDisabledScheme":
                    final_url = nxt.hint
                break
            if isinstance(nxt, NetError):
                if nxt.kind == "too_many_redirects" and hop.url.text in visited:
                    nxt = NetError(nxt.kind, f"{nxt.message}: a redirect loop ({strip_credentials(hop.url.text)} "
                                             "was already visited)")
                net_error, allowed = nxt, False
                break
            visited.add(hop.url.text)
            redirects += 1
            hop = nxt
            continue
        if cors:
            failure = access.cors_check(response.headers, hop_origin, spec.credentials)
        if failure:
            allowed, blocked_at = False, "actual"
        else:
            allowed = True
            if not opaque and kind.name in ("fetch", "xhr"):  # the others have no headers API
                readable = exposure.readable_headers(response.headers, spec.credentials, cors)
        break

    return Trace(
        spec=spec,
        origin_sent=origin,
        preflight_required=bool(first_reasons),
        preflight_reasons=tuple(first_reasons or ()),
        preflights=tuple(preflights),
        actuals=tuple(actuals),
        actual_sent=bool(actuals),
        why_not_sent=why_not,
        allowed=allowed,
        blocked_at=blocked_at,
        failure=failure,
        net_error=net_error,
        blocked_reason=blocked_reason,
        final_url=final_url or hop.url.text,
        tainted=hop.tainted,
        readable_headers=readable,
        notes=tuple(notes),
        request_mode=kind.mode,
        response_type=(None if allowed is not True else "opaque" if opaque
                       else "cors" if cors else "basic"),
    )


def _no_cors(prep: Prepared, kind: kinds.Kind) -> Prepared:
    """A no-cors request: only GET, HEAD and POST (fetch() throws on any other method), and
    only CORS-safelisted headers (any other is silently dropped)."""
    if prep.method not in kinds.NO_CORS_METHODS:
        raise UsageError(
            f"fetch() refuses {prep.method} in no-cors mode (TypeError: '{prep.method}' is "
            f"unsupported in no-cors mode): only {', '.join(kinds.NO_CORS_METHODS)}",
            field="method")
    kept: list[tuple[str, str]] = []
    notes = list(prep.notes)
    for name, value in prep.headers:
        _, unsafe = safelist.preflight_reasons("GET", ((name, value),))
        if unsafe:
            notes.append(
                f"dropped -H '{name}': in no-cors mode a page may set only CORS-safelisted "
                f"headers; {kind.label} silently drops {name} and sends the request without it")
            continue
        kept.append((name, value))
    return replace(prep, headers=tuple(kept), notes=tuple(notes))


def _referer(page: Origin) -> str | None:
    # strict-origin-when-cross-origin: a cross-origin request carries only the page's origin.
    return None if page.opaque else page.serialize() + "/"


def actual_request(prep: Prepared, spec: RequestSpec, origin: str) -> HttpRequest:
    """The first actual request of ``spec`` as Chromium sends it from ``origin`` (a CORS
    request, before any redirect): what ``corsprobe scan`` replays with other origins."""
    hop = redirect.Hop(prep.url, prep.method, prep.headers, prep.body)
    return _actual_request(hop, True, origin, prep, spec)


def _actual_request(
    hop: redirect.Hop, cors: bool, origin: str, prep: Prepared, spec: RequestSpec
) -> HttpRequest:
    """The actual request as Chromium sends it: the page's headers, then the browser's own
    (the kind's Accept, Sec-Fetch-Mode and Sec-Fetch-Dest)."""
    kind = kinds.of(spec)
    headers: list[tuple[str, str]] = [*kind.extra_headers, *hop.headers]
    # a page-set User-Agent (Firefox and Safari keep it) replaces the browser's own
    if not any(k.lower() == "user-agent" for k, _ in hop.headers):
        headers.append(("User-Agent", preflight.USER_AGENT))
    if not any(k.lower() == "accept" for k, _ in hop.headers):
        headers.append(("Accept", kind.accept))
    if cors or hop.method not in ("GET", "HEAD"):
        headers.append(("Origin", origin))
    if hop.url.scheme == "https":  # Sec-Fetch-* go only to potentially trustworthy URLs
        # (Sec-Fetch-Site is left out: same-site needs the public suffix list.)
        headers.extend([("Sec-Fetch-Mode", kind.mode), ("Sec-Fetch-Dest", kind.dest)])
    referer = _referer(prep.page)
    if referer:
        headers.append(("Referer", referer))
    if not any(k.lower() == "accept-language" for k, _ in hop.headers):
        headers.append(("Accept-Language", preflight.ACCEPT_LANGUAGE))
    if spec.credentials and hop.url.host == prep.url.host:
        headers.extend(prep.cookies)
    return HttpRequest(hop.method, hop.url.text, tuple(headers), hop.body)

