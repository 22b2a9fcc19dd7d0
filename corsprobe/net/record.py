"""Shared by every transport: the request made ready for the wire, and the answer recorded
exactly (status line and header lines in order, duplicates and case kept, a capped body)."""

from __future__ import annotations

import re
import time
import types
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from ..model import Exchange, HeaderList, HttpRequest, HttpResponse, NetError
from .options import BODY_WAIT, TransportOptions, import_httpx
from .wire import Watch, current_watch, printable

if TYPE_CHECKING:
    import ssl

    import httpcore
    import httpx


class Wire(NamedTuple):
    """A request as the asyncio pool sends it: where to, and the bytes of its parts."""

    scheme: str
    host: str  # the address to connect to (after --resolve)
    port: int
    sni: str | None
    method: bytes
    target: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @classmethod
    def of(cls, request: httpx.Request) -> Wire:
        url = request.url
        return cls(url.scheme, url.raw_host.decode("ascii"),
                   url.port or (443 if url.scheme == "https" else 80),
                   request.extensions.get("sni_hostname"), request.method.encode("ascii"),
                   url.raw_path, request.headers.raw, request.content)


@dataclass
class Outgoing:
    """An HttpRequest made ready for the wire, and the record of what is actually sent.
    ``request`` is None when ``wire`` was made without httpx (:func:`plain_wire`)."""

    request: httpx.Request | None
    recorded: HttpRequest
    scheme: str
    started: float
    deadline: float
    wire: Wire | None = None


# A URL httpx would take unchanged (no case, port, dot-segment or percent-encoding
# normalisation, no user info, no fragment, no IDNA), and the dotted quads it would accept.
_PLAIN_URL = re.compile(r"(https?)://([a-z0-9][a-z0-9.-]*)(?::([1-9][0-9]{0,4}))?"
                        r"(/[A-Za-z0-9._~!$&'()*+,;=:@/%-]*)?(\?[A-Za-z0-9._~!$&'()*+,;=:@/?%-]+)?")
_LOOSE_IPV4 = re.compile(r"[0-9]+.[0-9]+.[0-9]+.[0-9]+")  # httpx's own test (sic: any char)
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_BODY_METHODS = ("POST", "PUT", "PATCH")


def plain_wire(request: HttpRequest, options: TransportOptions) -> tuple[Wire, HttpRequest] | None:
    """The wire form of ``request`` and its record, exactly as :func:`prepare` makes them
    through httpx (Host first, the Content-Length httpx adds), for the common request that
    httpx would pass through unchanged; None for any other (then httpx makes it)."""
    if options.resolve or options.connect_to:
        return None
    m = _PLAIN_URL.fullmatch(request.url)
    if m is None:
        return None
    scheme, host, port_text, path, query = m.groups()
    if "/." in (path or "") or _BAD_PERCENT.search(request.url) or (
            _LOOSE_IPV4.fullmatch(host) and not _IPV4.fullmatch(host)):
        return None
    default = 443 if scheme == "https" else 80
    port = int(port_text) if port_text else default
    if port_text and (port == default or port > 65535):
        return None
    authority = f"{host}:{port}" if port_text else host
    given = _ascii_headers(request.headers)
    if given is None:
        return None
    names, encoded = given
    headers = [("Host", authority), *request.headers]
    wire_headers = [(b"Host", authority.encode("ascii")), *encoded]
    body = request.body or b""
    if body:
        if "content-length" not in names:
            length = str(len(body))
            headers.append(("Content-Length", length))
            wire_headers.append((b"Content-Length", length.encode("ascii")))
    elif request.method.upper() in _BODY_METHODS and not names & {"content-length",
                                                                  "transfer-encoding"}:
        headers.insert(0, ("Content-Length", "0"))
        wire_headers.insert(0, (b"Content-Length", b"0"))
    wire = Wire(scheme, host, port, None, request.method.encode("ascii"),
                ((path or "/") + (query or "")).encode("ascii"), wire_headers, body)
    return wire, HttpRequest(request.method, request.url, tuple(headers), request.body)


@lru_cache(maxsize=256)  # the checks of a run send the same few header lists
def _ascii_headers(headers: HeaderList) -> tuple[frozenset[str], tuple[tuple[bytes, bytes], ...]
                                                 ] | None:
    """The lower-cased names and the bytes of ``headers``; None if any is not ASCII."""
    if not all(name.isascii() and value.isascii() for name, value in headers):
        return None
    return (frozenset(name.lower() for name, _ in headers),
            tuple((k.encode("ascii"), v.encode("ascii")) for k, v in headers))


def prepare(
    httpx: types.ModuleType | None, request: HttpRequest, options: TransportOptions,
    plain: bool = False,
) -> Outgoing | Exchange:
    """The httpx request for ``request`` (Host first, --resolve applied, no other header
    added), or an Exchange carrying the error when the URL cannot be sent. ``plain``: the
    caller takes a :class:`Wire`, made without httpx when :func:`plain_wire` can (``httpx``
    None: imported only when it cannot)."""
    started = time.perf_counter()
    if plain and request.method.isascii():
        made = plain_wire(request, options)
        if made is not None:
            wire, recorded = made
            return Outgoing(None, recorded, wire.scheme, started, started + options.timeout,
                            wire)
    if httpx is None:
        httpx = import_httpx()
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
    return Outgoing(req, recorded, url.scheme, started, started + options.timeout,
                    Wire.of(req) if plain else None)


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
