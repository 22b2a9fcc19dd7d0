"""From HAR entries to recorded CORS requests: one per ``fetch()`` the page made.

What real recordings hold (see ``fixtures/har/``, written by Chromium through Playwright):

- every redirect hop is its own entry; ``response.redirectURL`` names the next one;
- Playwright's recorder has no preflight entries (Chrome's DevTools export has them, with
  ``_resourceType: "preflight"``); both shapes are read;
- a response Chromium refused is not recorded at all: ``status`` -1 (0 in DevTools),
  no headers, ``_failureText``/``_error`` ``net::ERR_FAILED``, and only the provisional
  request headers (the page's own, User-Agent, Referer; no Origin). Where an export does
  keep a refused response's status and headers, they are used;
- the page's credentials mode is not recorded; a Cookie on the request means ``include``.

Entries are reduced to headers and a short body excerpt as they stream past, so a large
HAR costs memory for its headers only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from ..fetch import safelist
from ..fetch.urls import InvalidInput, parse_origin, parse_url
from ..model import HeaderList, HttpRequest, HttpResponse, RequestSpec, header_values, joined

BODY_EXCERPT = 2048
# Resource types whose requests are in CORS mode (Chromium's _resourceType values).
CORS_TYPES = frozenset({"fetch", "xhr", "eventsource", "font"})
# Headers the browser adds itself (besides the forbidden ones): not part of what the page set.
BROWSER_HEADERS = frozenset({"user-agent", "priority", "upgrade-insecure-requests", "pragma"})


@dataclass(frozen=True)
class Entry:
    """One HAR entry, reduced to what the CORS check needs."""

    index: int
    method: str
    url: str
    request_headers: HeaderList
    body: bytes | None
    status: int  # -1 or 0: no response recorded
    reason: str
    http_version: str
    response_headers: HeaderList
    redirect_url: str
    failure: str | None  # _failureText (Playwright) or _error (DevTools)
    resource_type: str | None
    pageref: str | None
    started: str
    time_ms: float
    body_excerpt: bytes = b""

    @property
    def has_response(self) -> bool:
        """The response's status and headers are in the file (even when the browser then
        refused it: an export that keeps a refused response's headers is fully usable)."""
        return self.status > 0

    @property
    def is_preflight(self) -> bool:
        return self.resource_type == "preflight" or (
            self.method.upper() == "OPTIONS"
            and bool(header_values(self.request_headers, "access-control-request-method"))
        )

    @property
    def is_redirect(self) -> bool:
        return self.has_response and 300 <= self.status < 400 and bool(self.next_url)

    @property
    def next_url(self) -> str:
        target = self.redirect_url or joined(self.response_headers, "location") or ""
        return urljoin(self.url, target) if target else ""

    def as_request(self) -> HttpRequest:
        return HttpRequest(self.method, self.url, self.request_headers, self.body)

    def as_response(self) -> HttpResponse:
        return HttpResponse(self.status, self.reason, self.response_headers,
                            self.body_excerpt, self.http_version or "HTTP/1.1")


@dataclass(frozen=True)
class CorsRequest:
    """One cross-origin request as the browser recorded it: hops in order, and the
    recorded preflight of each hop (None where the HAR has none)."""

    number: int  # 1-based, among the cross-origin requests of the file
    origin: str
    origin_from: str  # "Origin header", "Referer", "page", "--origin option"
    hops: tuple[Entry, ...]
    preflights: tuple[Entry | None, ...]
    credentials: bool

    @property
    def first(self) -> Entry:
        return self.hops[0]

    @property
    def last(self) -> Entry:
        return self.hops[-1]

    def browser_outcome(self) -> str:
        """What the recording itself says: allowed, blocked, failed or unknown."""
        for entry in (*self.hops, *(p for p in self.preflights if p is not None)):
            if entry.failure is not None or entry.status <= 0:
                text = (entry.failure or "").lower()
                return "blocked" if ("err_failed" in text or not text) else "failed"
        if self.last.is_redirect:
            return "unknown"  # followed no further in the recording
        return "allowed"

    def failure_text(self) -> str | None:
        for entry in (*self.hops, *(p for p in self.preflights if p is not None)):
            if entry.failure is not None or entry.status <= 0:
                return entry.failure or f"status {entry.status}, no response recorded"
        return None

    def spec(self, send_actual: bool | None = True, browser: str = "chrome") -> RequestSpec:
        """The page's fetch() call, rebuilt: what the page set, without the browser's own
        headers (forbidden ones, User-Agent, a default Accept or Accept-Language)."""
        first = self.first
        headers = page_headers(first.request_headers)
        cookies = tuple((k, v) for k, v in first.request_headers if k.lower() == "cookie")
        method = first.method
        body = first.body if method.upper() not in ("GET", "HEAD") else None
        return RequestSpec(
            url=first.url, origin=self.origin, method=method, headers=headers, body=body,
            credentials=self.credentials, send_actual=send_actual, browser=browser,
            max_redirects=max(20, len(self.hops)), cookies=cookies if self.credentials else (),
        )


def page_headers(headers: HeaderList) -> HeaderList:
    kept = []
    for name, value in headers:
        low = name.lower()
        if name.startswith(":") or low in BROWSER_HEADERS or low == "cookie":
            continue
        if safelist.is_forbidden_header(name, value):
            continue
        if low == "accept" and value == "*/*":
            continue
        if low == "accept-language" and safelist.safelist_problem(name, value) is None:
            continue  # the browser's own language list (a page's safelisted value changes nothing)
        kept.append((name, value))
    return tuple(kept)


def _pairs(items: Any) -> HeaderList:
    if not isinstance(items, list):
        return ()
    return tuple(
        (str(h.get("name", "")), str(h.get("value", "")))
        for h in items if isinstance(h, dict) and h.get("name")
    )


def _table(value: object) -> dict[str, Any] | None:
    """A HAR object (a JSON object), or None for anything else."""
    return value if isinstance(value, dict) else None


def reduce(index: int, raw: dict[str, Any]) -> Entry | None:
    """The parts of one raw entry corsprobe uses; None when it is not an HTTP(S) request."""
    req = _table(raw.get("request"))
    if req is None or not isinstance(req.get("url"), str) or not isinstance(req.get("method"), str):
        return None
    if not req["url"].lower().startswith(("http://", "https://")):
        return None
    resp = _table(raw.get("response")) or {}
    post = _table(req.get("postData"))
    body = None
    if post is not None and isinstance(post.get("text"), str):
        body = post["text"].encode("utf-8")
    content = _table(resp.get("content")) or {}
    excerpt = b""
    if isinstance(content.get("text"), str) and content.get("encoding") != "base64":
        excerpt = content["text"][:BODY_EXCERPT].encode("utf-8", "replace")
    failure = resp.get("_failureText") or resp.get("_error") or raw.get("_error")
    try:
        status = int(resp.get("status", 0))
    except (TypeError, ValueError):
        status = 0
    try:
        time_ms = float(raw.get("time", 0) or 0)
    except (TypeError, ValueError):
        time_ms = 0.0
    rtype = raw.get("_resourceType")
    return Entry(
        index=index, method=req["method"], url=req["url"],
        request_headers=_pairs(req.get("headers")), body=body, status=status,
        reason=str(resp.get("statusText", "") or ""),
        http_version=str(resp.get("httpVersion", "") or ""),
        response_headers=_pairs(resp.get("headers")),
        redirect_url=str(resp.get("redirectURL", "") or ""),
        failure=str(failure) if failure else None,
        resource_type=str(rtype).lower() if rtype else None,
        pageref=str(raw["pageref"]) if raw.get("pageref") else None,
        started=str(raw.get("startedDateTime", "")), time_ms=round(time_ms, 1),
        body_excerpt=excerpt,
    )


def _origin_of(url: str) -> str | None:
    try:
        return parse_url(url).origin.serialize()
    except InvalidInput:
        return None


def _canonical(url: str) -> str:
    try:
        return parse_url(url.split("#", 1)[0]).text
    except InvalidInput:
        return url


def _is_cors_mode(entry: Entry) -> bool:
    if entry.resource_type in CORS_TYPES:
        return True
    if entry.resource_type == "document":
        return False
    return bool(header_values(entry.request_headers, "origin"))


def _page_origin(entry: Entry, documents: dict[str, str],
                 fallback: str | None = None) -> tuple[str, str] | None:
    origin = joined(entry.request_headers, "origin")
    if origin and origin != "null":
        try:
            return parse_origin(origin.strip()).serialize(), "Origin header"
        except InvalidInput:
            pass
    referer = joined(entry.request_headers, "referer")
    if referer:
        found = _origin_of(referer.strip())
        if found:
            return found, "Referer"
    if entry.pageref and entry.pageref in documents:
        found = _origin_of(documents[entry.pageref])
        if found:
            return found, "page"
    if fallback is not None:
        return fallback, "--origin option"
    return None


@dataclass
class Collected:
    """Every cross-origin request of the file, and what was left out (and why)."""

    requests: list[CorsRequest]
    entries: int
    skipped: dict[str, int]


def collect(raw_entries: Iterable[dict[str, Any]], fallback_origin: str | None = None) -> Collected:
    """Pair preflights with their requests and chain redirect hops. ``fallback_origin``
    is the page's origin for requests whose recording does not show it."""
    entries: list[Entry] = []
    documents: dict[str, str] = {}
    total = 0
    for i, raw in enumerate(raw_entries):
        total += 1
        entry = reduce(i, raw)
        if entry is None:
            continue
        if entry.resource_type == "document" and entry.pageref and entry.pageref not in documents:
            documents[entry.pageref] = entry.url
        entries.append(entry)
    skipped: dict[str, int] = {}

    def skip(why: str) -> None:
        skipped[why] = skipped.get(why, 0) + 1

    claimed: set[int] = set()
    preflights = [e for e in entries if e.is_preflight]
    used_preflights: set[int] = set()
    by_url: dict[str, list[Entry]] = {}
    for e in entries:
        if not e.is_preflight:
            by_url.setdefault(_canonical(e.url), []).append(e)

    def next_hop(prev: Entry) -> Entry | None:
        for cand in by_url.get(_canonical(prev.next_url), ()):
            if cand.index > prev.index and cand.index not in claimed and (
                cand.pageref == prev.pageref
            ):
                return cand
        return None

    def preflight_for(hop: Entry) -> Entry | None:
        found = None
        for pf in preflights:
            if pf.index >= hop.index:
                break
            if pf.index not in used_preflights and _canonical(pf.url) == _canonical(hop.url):
                found = pf
        if found is not None:
            used_preflights.add(found.index)
        return found

    out: list[CorsRequest] = []
    for entry in entries:
        if entry.is_preflight or entry.index in claimed:
            continue
        claimed.add(entry.index)
        hops = [entry]
        while hops[-1].is_redirect:
            nxt = next_hop(hops[-1])
            if nxt is None:
                break
            claimed.add(nxt.index)
            hops.append(nxt)
        if not _is_cors_mode(entry):
            skip("not a CORS-mode request (navigation, image, script, ...)")
            continue
        found = _page_origin(entry, documents, fallback_origin)
        if found is None:
            skip("the page's origin is not in the recording (give it with --origin)")
            continue
        origin, origin_from = found
        if all(_origin_of(h.url) == origin for h in hops):
            skip("same-origin")
            continue
        credentials = bool(header_values(entry.request_headers, "cookie"))
        out.append(CorsRequest(
            number=len(out) + 1, origin=origin, origin_from=origin_from, hops=tuple(hops),
            preflights=tuple(preflight_for(h) for h in hops), credentials=credentials,
        ))
    orphans = len([p for p in preflights if p.index not in used_preflights])
    if orphans:
        skipped["preflight with no actual request recorded after it"] = orphans
    return Collected(out, total, skipped)
