"""Shared by every transport: the request made ready for the wire, and the answer recorded
exactly (status line and header lines in order, duplicates and case kept, a capped body)."""

from __future__ import annotations

import time
import types
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Exchange, HttpRequest, HttpResponse, NetError
from .options import BODY_WAIT, TransportOptions
from .wire import Watch, current_watch, printable

if TYPE_CHECKING:
    import ssl

    import httpcore
    import httpx


@dataclass
class Outgoing:
    """An HttpRequest made ready for the wire, and the record of what is actually sent."""

    request: httpx.Request
    recorded: HttpRequest
    scheme: str
    started: float
    deadline: float


def prepare(
    httpx: types.ModuleType, request: HttpRequest, options: TransportOptions
) -> Outgoing | Exchange:
    """The httpx request for ``request`` (Host first, --resolve applied, no other header
    added), or an Exchange carrying the error when the URL cannot be sent."""
    started = time.perf_counter()
    try:
        url = _parsed_url(httpx, request.url)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a usage problem upstream
        return Exchange(request, error=NetError("url", f"invalid URL: {exc}"))
    host, port = url.host, url.port or (443 if url.scheme == "https" else 80)
    authority = url.netloc.decode("ascii").rpartition("@")[2]
    headers = [("Host", authority), *request.headers]
    extensions: dict[str, object] = {}
    target = url.copy_with(username=None, password=None) if url.userinfo else url
    for r_host, r_port, r_addr in options.resolve:
        if r_host.lower() in (host.lower(), "*") and r_port == port:
            target = target.copy_with(host=r_addr)
            extensions["sni_hostname"] = host
            break
    for c_host, c_port, c_host2, c_port2 in options.connect_to:
        if c_host.lower() in (host.lower(), "*") and c_port == port:
            target = target.copy_with(host=c_host2, port=c_port2)
            extensions["sni_hostname"] = host
            break
    timeout = httpx.Timeout(options.timeout)
    extensions["timeout"] = timeout.as_dict()
    req = httpx.Request(
        request.method, target, headers=headers, content=request.body, extensions=extensions
    )
    req.method = request.method  # httpx upper-cases; fetch() sends `patch` as written
    sent = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in req.headers.raw)
    recorded = HttpRequest(request.method, request.url, sent, request.body)
    return Outgoing(req, recorded, url.scheme, started, started + options.timeout)


_URLS: dict[str, httpx.URL] = {}


def _parsed_url(httpx: types.ModuleType, text: str) -> httpx.URL:
    """``httpx.URL(text)``, remembered (URLs are immutable; a scan sends dozens of requests
    to one URL)."""
    url = _URLS.get(text)
    if url is None:
        if len(_URLS) > 1024:
            _URLS.clear()
        url = _URLS[text] = httpx.URL(text)
    return url


def core_request(request: httpx.Request) -> httpcore.Request:
    """The httpx request as httpcore's connections take it."""
    import httpcore

    url = request.url
    port = url.port or (443 if url.scheme == "https" else 80)
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=port, target=url.raw_path),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )


def is_transport_error(exc: BaseException) -> bool:
    """True when ``exc`` is a network failure to record (not a bug in corsprobe)."""
    return exc.__class__.__module__.startswith(("httpx", "httpcore", "ssl")) or isinstance(
        exc, OSError
    )


def _wire_notes(w: Watch) -> tuple[str, ...]:
    """What the transport had to forgive in the response head, as a browser forgives it."""
    notes = []
    for line in w.skipped:
        notes.append(f"the server sent a malformed header line, which the browser skips: "
                     f"'{printable(line.encode('latin-1'))}'")
    for name in dict.fromkeys(w.trimmed):
        notes.append(f"the server sent whitespace between the header name {name} and the "
                     "colon; Chromium trims it, stricter clients refuse the response")
    for name in dict.fromkeys(w.folded):
        notes.append(f"the server folded the value of {name} over several lines (obsolete "
                     "line folding); the browser joins them with a space")
    if w.body_stalled:
        notes.append("the response body did not finish in time; the verdict needs only the "
                     "headers (fetch() resolves when they arrive), so corsprobe stopped reading")
    if w.informational:
        notes.append(f"the server sent {w.informational} informational (1xx) response(s) "
                     "before the final one; the browser ignores them")
    return tuple(notes)


def record_response(response: httpx.Response, body: bytes, truncated: bool) -> HttpResponse:
    """The response as received: status line and header lines in order, duplicates kept."""
    return record_head(response.status_code, response.extensions.get("reason_phrase", b""),
                       response.extensions.get("http_version", b"HTTP/1.1"),
                       response.headers.raw, body, truncated)


def record_head(status: int, reason: object, version: object,
                headers: list[tuple[bytes, bytes]], body: bytes, truncated: bool) -> HttpResponse:
    """A response from its parts as the HTTP parser gave them (bytes)."""
    return HttpResponse(
        status=status,
        reason=reason.decode("latin-1") if isinstance(reason, bytes) else str(reason),
        headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in headers),
        body=body,
        http_version=version.decode("ascii") if isinstance(version, bytes) else str(version),
        body_truncated=truncated,
        wire_notes=_wire_notes(current_watch()),
    )


class CappedBody:
    """Collects at most ``cap`` bytes of a body, and stops at the deadline."""

    def __init__(self, cap: int, deadline: float) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.cap = cap
        # the verdict needs only the headers: wait a little for the body, never the whole
        # timeout per request (a probe run against a stalled server would multiply it)
        self.deadline = min(deadline, time.perf_counter() + BODY_WAIT)
        current_watch().deadline = self.deadline
        self.truncated = False

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; True when reading must stop (cap or deadline reached)."""
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size >= self.cap:
            self.truncated = True
            return True
        if time.perf_counter() > self.deadline:
            self.stalled()
            return True
        return False

    def stalled(self) -> None:
        """Reading the body failed or timed out: keep what came, and say so."""
        self.truncated = True
        current_watch().body_stalled = True

    def value(self) -> tuple[bytes, bool]:
        body = b"".join(self.chunks)
        return body[: self.cap], self.truncated


def tls_verify(options: TransportOptions) -> bool | ssl.SSLContext:
    """What to verify the server's certificate with: ``--insecure``, ``--cacert`` or the default."""
    verify: bool | ssl.SSLContext = not options.insecure
    if options.cacert and not options.insecure:
        import ssl

        verify = ssl.create_default_context(cafile=options.cacert)
    return verify


def ms_since(started: float) -> float:
    """Milliseconds since ``started`` (a ``time.perf_counter()`` reading), to 0.1 ms."""
    return round((time.perf_counter() - started) * 1000, 1)
