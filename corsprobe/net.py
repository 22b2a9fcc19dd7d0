"""The only module that talks to the network (and the only one importing httpx).

It sends one request exactly as given (no default headers, no redirect following, no
proxies from the environment, no decompression) and records the response's status and
header lines in order, duplicates and letter case included, plus a capped body excerpt.
"""

from __future__ import annotations

import contextvars
import re
import sys
import time
import types
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .model import Exchange, HttpRequest, HttpResponse, NetError

if TYPE_CHECKING:
    import httpx

BODY_CAP = 64 * 1024
# Chromium refuses a response head over 256 KB (net::ERR_RESPONSE_HEADERS_TOO_BIG).
MAX_HEAD = 256 * 1024
# Once the headers are in, the body is only an excerpt for the report: wait this long for it.
BODY_WAIT = 0.5


def _import_httpx() -> types.ModuleType:
    # httpx's package __init__ imports its own command-line module, which pulls in click,
    # rich and pygments (~40 ms). corsprobe never uses that entry point: give httpx an
    # empty one so importing it costs only what the client needs.
    if "httpx" not in sys.modules and "httpx._main" not in sys.modules:
        stub = types.ModuleType("httpx._main")

        def main() -> None:  # pragma: no cover - never called
            raise SystemExit("httpx's command line is not available inside corsprobe")

        stub.main = main  # type: ignore[attr-defined]
        sys.modules["httpx._main"] = stub
    import httpx

    return httpx


@dataclass(frozen=True)
class TransportOptions:
    timeout: float = 10.0
    insecure: bool = False
    cacert: str | None = None
    resolve: tuple[tuple[str, int, str], ...] = ()  # (host, port, address), like curl
    # (host, port, host2, port2), like curl's --connect-to: connect to host2:port2 instead,
    # keeping the URL and Host header (``har --replay`` of a file recorded on another port)
    connect_to: tuple[tuple[str, int, str, int], ...] = ()
    body_cap: int = BODY_CAP


@dataclass
class _Watch:
    """One request on the wire: its deadline (for the whole request, not per read) and what
    the server did, so that a failure can say *what* went wrong.

    The streams under both transports find the current request's watch in :data:`_WATCH`
    (a context variable: per thread for ``check``, per task for ``run``)."""

    deadline: float
    timeout: float
    sent: int = 0
    received: int = 0
    first: bytes = b""  # the first bytes the server sent
    write_stalled: bool = False
    body_stalled: bool = False  # the body stopped coming before it ended
    reused: bool = False  # sent on a keep-alive connection that had served a request before
    informational: int = 0  # 1xx responses seen
    skipped: list[str] = field(default_factory=list)  # header lines dropped as a browser does
    folded: list[str] = field(default_factory=list)  # header names whose value was folded
    trimmed: list[str] = field(default_factory=list)  # names with whitespace before the colon

    def left(self, timeout: float | None) -> float:
        remaining = self.deadline - time.perf_counter()
        return remaining if timeout is None else min(timeout, remaining)

    def retry_on_new_connection(self, error: NetError | None) -> bool:
        """A browser resends a request once when a reused keep-alive connection turns out to
        be closed before any byte of the answer (the server closed it while it sat idle)."""
        return error is not None and self.reused and self.received == 0 and (
            error.kind != "timeout")

    def using(self, stream: object) -> None:
        last = getattr(stream, "last_watch", None)
        if last is not self:
            self.reused = self.reused or last is not None
            stream.last_watch = self  # type: ignore[attr-defined]

    def got(self, data: bytes) -> None:
        self.received += len(data)
        if len(self.first) < 64:
            self.first += data[: 64 - len(self.first)]


_WATCH: contextvars.ContextVar[_Watch | None] = contextvars.ContextVar("corsprobe_watch",
                                                                      default=None)


def _watch() -> _Watch:
    return _WATCH.get() or _Watch(deadline=float("inf"), timeout=float("inf"))


_LINE_END = re.compile(rb"\r?\n")
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_INFORMATIONAL = re.compile(rb"HTTP/1\.[01] 1(?!01)\d\d")


class _HeadFilter:
    """Reads each response head whole and hands it on as Chromium's parser reads it.

    h11 refuses a whole response for one odd header line; Chromium
    (``net::HttpUtil::HeadersIterator``) skips a line without a colon or whose name is not a
    token, trims whitespace around the name, and joins folded continuation lines
    (``AssembleRawHeaders``). So a browser still gets a response, and corsprobe must judge
    it: this filter rewrites the head the same way (noting every change in the watch) before
    h11 sees it. A head larger than :data:`MAX_HEAD` is refused, as Chromium refuses it.
    Informational (1xx) heads are passed on and the next head is read the same way; the body
    passes through untouched. A NUL byte is left for h11 to refuse: Chromium keeps header
    lines NUL-separated internally, so no header value can carry one.
    """

    def __init__(self) -> None:
        self.pending = bytearray()
        self.in_head = True

    def request_sent(self) -> None:
        self.in_head = True
        self.pending.clear()

    def feed(self, data: bytes, watch: _Watch) -> bytes:
        if not self.in_head:
            return data
        # search from where the previous search stopped (a line end may straddle chunks)
        searched = max(len(self.pending) - 3, 0)
        self.pending += data
        out = bytearray()
        pos = 0  # start of the current head in pending (deleted once, at the end)
        while self.in_head:
            found = _HEAD_END.search(self.pending, max(pos, searched))
            if found is None:
                if len(self.pending) - pos > MAX_HEAD:
                    import httpcore

                    raise httpcore.RemoteProtocolError(
                        f"the response headers are larger than {MAX_HEAD // 1024} KB "
                        "(net::ERR_RESPONSE_HEADERS_TOO_BIG)")
                break
            head = bytes(self.pending[pos: found.start()])
            pos = found.end()
            out += self._rewrite(head, watch)
            if _INFORMATIONAL.match(head):
                watch.informational += 1
            else:
                self.in_head = False
                out += self.pending[pos:]
                pos = len(self.pending)
        del self.pending[:pos]
        return bytes(out)

    def eof(self) -> bytes:
        rest, self.in_head = bytes(self.pending), False
        self.pending.clear()
        return rest

    @staticmethod
    def _rewrite(head: bytes, watch: _Watch) -> bytes:
        lines = _LINE_END.split(head)
        if not lines[0].startswith(b"HTTP/"):
            return head + b"\r\n\r\n"  # not HTTP: h11 says so
        fields: list[list[bytes]] = []  # [name, value] pairs, continuation lines joined
        for line in lines[1:]:
            if line[:1] in (b" ", b"\t"):
                if fields:
                    fields[-1][1] = (fields[-1][1].rstrip(b" \t") + b" " + line.strip(b" \t"))
                    watch.folded.append(fields[-1][0].decode("latin-1"))
                continue
            name, colon, value = line.partition(b":")
            stripped = name.strip(b" \t")
            if not colon or not _TOKEN.fullmatch(stripped) or name[:1] in (b" ", b"\t"):
                watch.skipped.append(line[:200].decode("latin-1"))
                fields.append([b"", b""])  # continuation lines of a skipped line are skipped
                continue
            if stripped != name:
                watch.trimmed.append(stripped.decode("latin-1"))
            fields.append([stripped, value.strip(b" \t")])
        kept = [n + b": " + v for n, v in fields if n]
        return b"\r\n".join([lines[0], *kept]) + b"\r\n\r\n"


def _printable(data: bytes) -> str:
    text = data.decode("latin-1")
    shown = "".join(c if c.isprintable() and ord(c) < 127 else "." for c in text)
    return shown.rstrip(".") or shown


def _classify(exc: BaseException, watch: _Watch | None = None) -> NetError:
    """The failure as one line saying what the server did wrong, and its kind."""
    httpx = sys.modules["httpx"]
    import httpcore

    w = watch or _watch()
    text = str(exc) or exc.__class__.__name__
    low = text.lower()
    first = w.first
    tls_bytes = len(first) >= 2 and first[0] in (0x15, 0x16) and first[1] == 0x03
    if isinstance(exc, (httpx.TimeoutException, httpcore.TimeoutException, TimeoutError)):
        t = f"{w.timeout:g} s"
        if isinstance(exc, (httpx.ConnectTimeout, httpcore.ConnectTimeout)):
            if "tls" in low:
                return NetError("timeout", f"timed out: the TLS handshake did not finish within "
                                           f"{t} (is this a plain http:// port?)")
            return NetError("timeout", f"timed out: could not connect within {t}")
        if w.write_stalled or isinstance(exc, (httpx.WriteTimeout, httpcore.WriteTimeout)):
            return NetError("timeout", f"timed out: the server accepted the connection but "
                                       f"stopped reading the request (it could not be sent "
                                       f"within {t})")
        if w.received == 0:
            return NetError("timeout", f"timed out: the server accepted the request but sent "
                                       f"nothing within {t}")
        if w.informational:
            return NetError("timeout", f"timed out: the server sent {w.informational} "
                                       f"informational (1xx) responses and no final response "
                                       f"within {t}")
        return NetError("timeout", f"timed out: the server sent {w.received} bytes but no "
                                   f"complete response head within {t} (headers arrive too "
                                   "slowly)")
    if "wrong_version_number" in low or "wrong version number" in low or (
        "record layer failure" in low or "http_request" in low or "packet length too long" in low
    ):
        return NetError("tls", f"TLS failure: the server does not speak TLS on this port (it "
                               f"answered in plain text; is this an http:// port?): {text}")
    if "ssl" in low or "certificate" in low or "tls" in low:
        return NetError("tls", f"TLS failure: {text}")
    if isinstance(exc, (httpx.ConnectError, httpcore.ConnectError)):
        if "name or service not known" in low or "nodename nor servname" in low or (
            "getaddrinfo" in low or "temporary failure in name resolution" in low
        ):
            return NetError("dns", f"cannot resolve host: {text}")
        return NetError("connect", f"cannot connect: {text}")
    if "err_response_headers_too_big" in low:
        return NetError("too_large", text)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError,
                        httpcore.RemoteProtocolError, httpcore.LocalProtocolError,
                        httpx.ReadError, httpcore.ReadError)):
        return _protocol_error(text, w, tls_bytes)
    if isinstance(exc, OSError) or isinstance(exc, (httpx.WriteError, httpcore.WriteError)):
        return NetError("read", f"the connection failed: {text}")
    return NetError("transport", f"{exc.__class__.__name__}: {text}")


def _protocol_error(text: str, w: _Watch, tls_bytes: bool) -> NetError:
    low = text.lower()
    if tls_bytes:
        return NetError("protocol", "the server answered with TLS, not HTTP: this looks like an "
                                    "https:// port (net::ERR_INVALID_HTTP_RESPONSE)")
    if w.received == 0:
        if w.write_stalled or "write" in low:
            return NetError("read", f"the server closed the connection while the request was "
                                    f"being sent: {text}")
        return NetError("protocol", "the server closed the connection without sending a "
                                    "response (net::ERR_EMPTY_RESPONSE)")
    if not w.first.startswith(b"HTTP/"):
        return NetError("protocol", f"the server's answer is not HTTP/1.x: no status line "
                                    f"(HTTP/0.9 or another protocol); it began with "
                                    f"'{_printable(w.first[:40])}' (net::ERR_INVALID_HTTP_RESPONSE)")
    if "conflicting content-length" in low:
        return NetError("protocol", "the response has conflicting Content-Length headers "
                                    "(net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH)")
    if "illegal header line" in low or "illegal status line" in low:
        return NetError("protocol", f"the response head is not valid HTTP: {_printable_error(text)}"
                                    " (net::ERR_INVALID_HTTP_RESPONSE)")
    if "peer closed" in low or "incomplete" in low or "disconnected" in low:
        return NetError("protocol", f"the server closed the connection in the middle of the "
                                    f"response head after {w.received} bytes")
    return NetError("protocol", f"the server did not answer with valid HTTP: {text}")


def _printable_error(text: str) -> str:
    # h11 shows the offending line as a bytearray repr; keep it readable and short
    m = re.search(r"bytearray\((b(['\"]).*\2)\)", text)
    if m:
        import ast

        try:
            raw = ast.literal_eval(m.group(1))
            return text[: m.start()] + "'" + _printable(raw[:120]) + "'"
        except (ValueError, SyntaxError):
            pass
    return text[:200]


# -- shared by Transport and AsyncTransport: building the request, recording the answer ------


@dataclass
class _Outgoing:
    """An HttpRequest made ready for the wire, and the record of what is actually sent."""

    request: httpx.Request
    recorded: HttpRequest
    scheme: str
    started: float
    deadline: float


def _outgoing(
    httpx: types.ModuleType, request: HttpRequest, options: TransportOptions
) -> _Outgoing | Exchange:
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
    return _Outgoing(req, recorded, url.scheme, started, started + options.timeout)


_URLS: dict[str, object] = {}


def _parsed_url(httpx: types.ModuleType, text: str) -> httpx.URL:
    """``httpx.URL(text)``, remembered (URLs are immutable; a scan sends dozens of requests
    to one URL)."""
    url = _URLS.get(text)
    if url is None:
        if len(_URLS) > 1024:
            _URLS.clear()
        url = _URLS[text] = httpx.URL(text)
    return url  # type: ignore[return-value]


def _is_transport_error(exc: BaseException) -> bool:
    return exc.__class__.__module__.startswith(("httpx", "httpcore", "ssl")) or isinstance(
        exc, OSError
    )


def _wire_notes(w: _Watch) -> tuple[str, ...]:
    """What the transport had to forgive in the response head, as a browser forgives it."""
    notes = []
    for line in w.skipped:
        notes.append(f"the server sent a malformed header line, which the browser skips: "
                     f"'{_printable(line.encode('latin-1'))}'")
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


def _recorded(response: httpx.Response, body: bytes, truncated: bool) -> HttpResponse:
    """The response as received: status line and header lines in order, duplicates kept."""
    reason = response.extensions.get("reason_phrase", b"")
    version = response.extensions.get("http_version", b"HTTP/1.1")
    return HttpResponse(
        status=response.status_code,
        reason=reason.decode("latin-1") if isinstance(reason, bytes) else str(reason),
        headers=tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw),
        body=body,
        http_version=version.decode("ascii") if isinstance(version, bytes) else str(version),
        body_truncated=truncated,
        wire_notes=_wire_notes(_watch()),
    )


class _CappedBody:
    """Collects at most ``cap`` bytes of a body, and stops at the deadline."""

    def __init__(self, cap: int, deadline: float) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.cap = cap
        # the verdict needs only the headers: wait a little for the body, never the whole
        # timeout per request (a probe run against a stalled server would multiply it)
        self.deadline = min(deadline, time.perf_counter() + BODY_WAIT)
        w = _WATCH.get()
        if w is not None:
            w.deadline = self.deadline
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
        w = _WATCH.get()
        if w is not None:
            w.body_stalled = True

    def value(self) -> tuple[bytes, bool]:
        body = b"".join(self.chunks)
        return body[: self.cap], self.truncated


def _tls_verify(options: TransportOptions) -> object:
    verify: object = False if options.insecure else True
    if options.cacert and not options.insecure:
        import ssl

        verify = ssl.create_default_context(cafile=options.cacert)
    return verify


class Transport:
    """Sends :class:`HttpRequest` objects, one at a time; creates a TLS context only for https.

    Under it: httpcore's HTTP/1.1 connection pool on :func:`_sync_backend`, whose streams keep
    the request's whole deadline (``--timeout`` bounds a request, not each read: a server that
    dribbles one header byte at a time cannot hold corsprobe) and read each response head as
    the browser does (:class:`_HeadFilter`)."""

    def __init__(self, options: TransportOptions) -> None:
        self.options = options
        self._httpx = _import_httpx()
        self._pools: dict[str, object] = {}

    def _pool(self, scheme: str) -> object:
        pool = self._pools.get(scheme)
        if pool is None:
            import httpcore

            ctx = None
            if scheme == "https":
                ctx = self._httpx.create_ssl_context(verify=_tls_verify(self.options),  # type: ignore[arg-type]
                                                     trust_env=False)
            pool = self._pools[scheme] = httpcore.ConnectionPool(
                ssl_context=ctx, network_backend=_sync_backend())
        return pool

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()  # type: ignore[attr-defined]

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, request: HttpRequest) -> Exchange:
        out = _outgoing(self._httpx, request, self.options)
        if isinstance(out, Exchange):
            return out
        watch = _Watch(out.deadline, self.options.timeout)
        exchange = self._send(out, watch)
        if watch.retry_on_new_connection(exchange.error):
            exchange = self._send(out, _Watch(out.deadline, self.options.timeout))
        return exchange

    def _send(self, out: _Outgoing, watch: _Watch) -> Exchange:
        token = _WATCH.set(watch)
        try:
            try:
                core = self._pool(out.scheme).handle_request(_core_request(out.request))  # type: ignore[attr-defined]
                response = self._httpx.Response(status_code=core.status, headers=core.headers,
                                                extensions=core.extensions)
                try:
                    body, truncated = self._read_capped(core.stream, out.deadline)
                finally:
                    core.close()
            except Exception as exc:  # noqa: BLE001 - mapped to a NetError kind
                if _is_transport_error(exc):
                    return Exchange(out.recorded, error=_classify(exc, watch),
                                    elapsed_ms=_ms(out.started))
                raise
            return Exchange(out.recorded, response=_recorded(response, body, truncated),
                            elapsed_ms=_ms(out.started))
        finally:
            _WATCH.reset(token)

    def _read_capped(self, stream: object, deadline: float) -> tuple[bytes, bool]:
        capped = _CappedBody(self.options.body_cap, deadline)
        try:
            for chunk in stream:  # type: ignore[attr-defined]
                if capped.add(chunk):
                    break
        except Exception:  # noqa: BLE001 - the headers arrived; the verdict needs only them
            capped.stalled()
        return capped.value()


def _core_request(request: httpx.Request) -> object:
    """The httpx request as httpcore's connection takes it."""
    import httpcore

    url = request.url
    port = url.port or (443 if url.scheme == "https" else 80)
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=port, target=url.raw_path),
        headers=request.headers.raw,
        content=request.stream,  # type: ignore[arg-type]
        extensions=request.extensions,
    )


_SYNC_BACKEND: list[object] = []


def _sync_backend() -> object:
    """httpcore's blocking socket backend, with the request's deadline and the head filter."""
    if _SYNC_BACKEND:
        return _SYNC_BACKEND[0]
    import httpcore

    def expired(kind: type, what: str) -> Exception:
        return kind(f"{what}: the {_watch().timeout:g} s deadline passed")

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self._inner = inner
            self._filter = _HeadFilter()

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            w = _watch()
            while True:
                left = w.left(timeout)
                if left <= 0:
                    raise expired(httpcore.ReadTimeout, "reading")
                data = self._inner.read(max_bytes, left)
                if not data:
                    return self._filter.eof()
                w.got(data)
                out = self._filter.feed(data, w)
                if out:
                    return out

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            w = _watch()
            w.using(self)
            self._filter.request_sent()
            for i in range(0, len(buffer), 64 * 1024):
                left = w.left(timeout)
                try:
                    if left <= 0:
                        raise expired(httpcore.WriteTimeout, "writing")
                    self._inner.write(buffer[i:i + 64 * 1024], left)
                except httpcore.WriteTimeout:
                    w.write_stalled = True
                    raise
                w.sent += min(64 * 1024, len(buffer) - i)

        def close(self) -> None:
            self._inner.close()

        def start_tls(self, ssl_context: object, server_hostname: str | None = None,
                      timeout: float | None = None) -> Stream:
            left = _watch().left(timeout)
            if left <= 0:
                raise expired(httpcore.ConnectTimeout, "TLS handshake")
            return Stream(self._inner.start_tls(ssl_context, server_hostname, left))  # type: ignore[arg-type]

        def get_extra_info(self, info: str) -> object:
            return self._inner.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self._inner = httpcore.SyncBackend()

        def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                        local_address: str | None = None, socket_options: object = None) -> Stream:
            left = _watch().left(timeout)
            if left <= 0:
                raise expired(httpcore.ConnectTimeout, "connecting")
            return Stream(self._inner.connect_tcp(host, port, left, local_address,
                                                  socket_options))  # type: ignore[arg-type]

        def connect_unix_socket(self, *args: object, **kwargs: object) -> Stream:
            raise httpcore.ConnectError("unix sockets are not supported")

        def sleep(self, seconds: float) -> None:
            time.sleep(seconds)

    _SYNC_BACKEND.append(Backend())
    return _SYNC_BACKEND[0]


class AsyncTransport:
    """The asyncio twin of :class:`Transport`, for many checks on one event loop.

    Same request building and recording (no default headers, no proxies from the
    environment, Host first, ``--resolve``, a capped body), same HTTP/1.1 engine (httpcore's
    h11 connection, so the same strictness on malformed responses). What differs is only
    the plumbing under it, chosen by measurement (``bench/run``): httpx's
    ``AsyncHTTPTransport`` slows down as concurrency rises (its pool re-scans every queued
    request on each change, httpx issue #3215) and anyio adds a layer per read, so by
    default requests go through :class:`_AsyncPool`: idle keep-alive connections per
    origin on a plain asyncio protocol. ``engine="httpx"`` selects httpx's own transport.
    The caller bounds concurrency (``corsprobe.runner``), so the pool needs no limits.
    """

    def __init__(self, options: TransportOptions, *, engine: str = "pool") -> None:
        if engine not in ("pool", "httpx"):
            raise ValueError(f"unknown engine {engine!r}")
        self.options = options
        self.engine = engine
        self._httpx = _import_httpx()
        self._plain: object | None = None
        self._tls: object | None = None

    def _transport(self, scheme: str) -> httpx.AsyncBaseTransport:
        httpx = self._httpx
        if scheme == "https":
            if self._tls is None:
                verify = _tls_verify(self.options)
                if self.engine == "httpx":
                    self._tls = httpx.AsyncHTTPTransport(verify=verify, trust_env=False)  # type: ignore[arg-type]
                else:
                    self._tls = _AsyncPool(httpx.create_ssl_context(verify=verify, trust_env=False))  # type: ignore[arg-type]
            return self._tls  # type: ignore[return-value]
        if self._plain is None:
            if self.engine == "httpx":
                self._plain = httpx.AsyncHTTPTransport(verify=False, trust_env=False)
            else:
                self._plain = _AsyncPool(None)  # no TLS context at all for http://
        return self._plain  # type: ignore[return-value]

    async def aclose(self) -> None:
        for t in (self._plain, self._tls):
            if t is not None:
                await t.aclose()  # type: ignore[attr-defined]

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def send(self, request: HttpRequest) -> Exchange:
        import asyncio

        out = _outgoing(self._httpx, request, self.options)
        if isinstance(out, Exchange):
            return out
        for attempt in (1, 2):
            watch = _Watch(out.deadline, self.options.timeout)
            try:
                # the pool's streams keep the deadline themselves; this bounds the httpx engine
                left = max(out.deadline - time.perf_counter(), 0.0) + 1.0
                exchange = await asyncio.wait_for(self._send(out, watch), left)
            except asyncio.TimeoutError:  # not the builtin TimeoutError on Python 3.10
                return Exchange(out.recorded, error=_classify(TimeoutError(), watch),
                                elapsed_ms=_ms(out.started))
            if attempt == 2 or not watch.retry_on_new_connection(exchange.error):
                return exchange
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, out: _Outgoing, watch: _Watch) -> Exchange:
        token = _WATCH.set(watch)
        try:
            return await self._send_watched(out, watch)
        finally:
            _WATCH.reset(token)

    async def _send_watched(self, out: _Outgoing, watch: _Watch) -> Exchange:
        try:
            response = await self._transport(out.scheme).handle_async_request(out.request)
            try:
                body, truncated = await self._read_capped(response, out.deadline)
            finally:
                await response.aclose()
        except Exception as exc:  # noqa: BLE001 - mapped to a NetError kind
            if _is_transport_error(exc):
                return Exchange(out.recorded, error=_classify(exc, watch),
                                elapsed_ms=_ms(out.started))
            raise
        return Exchange(
            out.recorded, response=_recorded(response, body, truncated), elapsed_ms=_ms(out.started)
        )

    async def _read_capped(self, response: httpx.Response, deadline: float) -> tuple[bytes, bool]:
        capped = _CappedBody(self.options.body_cap, deadline)
        try:
            async for chunk in response.stream:  # type: ignore[union-attr]
                if capped.add(chunk):
                    break
        except Exception:  # noqa: BLE001 - the headers arrived; the verdict needs only them
            capped.stalled()
        return capped.value()


# -- the async plumbing: a small keep-alive pool on a plain asyncio protocol ------------------
#
# httpcore's AsyncHTTPConnection (h11) does the HTTP; these classes only move bytes. They are
# built on first use so that importing this module stays cheap for ``corsprobe check``.

_READ_HIGH_WATER = 256 * 1024
_WRITE_HIGH_WATER = 64 * 1024
_POOL_CLASSES: dict[str, type] = {}


def _pool_classes() -> dict[str, type]:
    if _POOL_CLASSES:
        return _POOL_CLASSES
    import asyncio

    import httpcore

    httpx = _import_httpx()

    class Protocol(asyncio.Protocol):
        def __init__(self) -> None:
            self.transport: asyncio.Transport | None = None
            self.buffer = bytearray()
            self.eof = False
            self.error: BaseException | None = None
            self.waiter: asyncio.Future[None] | None = None
            self.paused_reading = False
            self.paused_writing = False
            self.drain_waiter: asyncio.Future[None] | None = None

        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport  # type: ignore[assignment]

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            if len(self.buffer) > _READ_HIGH_WATER and self.transport is not None:
                self.transport.pause_reading()
                self.paused_reading = True
            self._wake()

        def eof_received(self) -> bool:
            self.eof = True
            self._wake()
            return False

        def connection_lost(self, exc: BaseException | None) -> None:
            self.eof = True
            self.error = exc
            self._wake()
            self.resume_writing()

        def pause_writing(self) -> None:
            self.paused_writing = True

        def resume_writing(self) -> None:
            self.paused_writing = False
            waiter, self.drain_waiter = self.drain_waiter, None
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

        def _wake(self) -> None:
            waiter, self.waiter = self.waiter, None
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def _expire(fut: asyncio.Future[None]) -> None:
        if not fut.done():
            fut.set_exception(TimeoutError())

    async def _wait(fut: asyncio.Future[None], timeout: float | None, exc_type: type) -> None:
        handle = None
        if timeout is not None:
            handle = asyncio.get_running_loop().call_later(timeout, _expire, fut)
        try:
            await fut
        except TimeoutError:
            raise exc_type(f"timed out after {timeout} s") from None
        finally:
            if handle is not None:
                handle.cancel()

    class Stream(httpcore.AsyncNetworkStream):
        def __init__(self, transport: asyncio.Transport, protocol: Protocol) -> None:
            self._transport = transport
            self._protocol = protocol
            self._pending: list[bytes] = []
            self._filter = _HeadFilter()

        def _flush(self) -> None:
            # h11 hands over the head and the body separately; one write sends both
            # (one segment on the wire, one system call).
            if self._pending:
                data = b"".join(self._pending)
                self._pending.clear()
                self._transport.write(data)

        async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            # the request's whole deadline bounds every wait, and each response head is
            # read whole and handed on as the browser reads it (see _HeadFilter)
            w = _watch()
            while True:
                data = await self._read_raw(max_bytes, w.left(timeout))
                if not data:
                    return self._filter.eof()
                w.got(data)
                out = self._filter.feed(data, w)
                if out:
                    return out

        async def _read_raw(self, max_bytes: int, timeout: float) -> bytes:
            p = self._protocol
            self._flush()
            while not p.buffer:
                if p.eof:
                    if p.error is not None:
                        raise httpcore.ReadError(str(p.error) or p.error.__class__.__name__)
                    return b""
                if timeout <= 0:
                    raise httpcore.ReadTimeout(f"the {_watch().timeout:g} s deadline passed")
                p.waiter = asyncio.get_running_loop().create_future()
                started = time.perf_counter()
                await _wait(p.waiter, timeout, httpcore.ReadTimeout)
                timeout -= time.perf_counter() - started
            data = bytes(p.buffer[:max_bytes])
            del p.buffer[:max_bytes]
            if p.paused_reading and len(p.buffer) < _READ_HIGH_WATER // 2:
                p.paused_reading = False
                self._transport.resume_reading()
            return data

        async def write(self, buffer: bytes, timeout: float | None = None) -> None:
            if not buffer:
                return
            p = self._protocol
            w = _watch()
            w.using(self)
            self._filter.request_sent()
            if self._transport.is_closing() or (p.eof and p.error is not None):
                raise httpcore.WriteError("the connection is closed")
            self._pending.append(buffer)
            w.sent += len(buffer)
            if sum(map(len, self._pending)) < _WRITE_HIGH_WATER:
                return  # sent with the next chunk or just before the first read
            self._flush()
            if p.paused_writing and self._transport.get_write_buffer_size() > _WRITE_HIGH_WATER:
                p.drain_waiter = asyncio.get_running_loop().create_future()
                try:
                    await _wait(p.drain_waiter, max(w.left(timeout), 0.0), httpcore.WriteTimeout)
                except httpcore.WriteTimeout:
                    w.write_stalled = True
                    raise

        async def aclose(self) -> None:
            self._pending.clear()
            self._transport.close()

        async def start_tls(
            self, ssl_context: object, server_hostname: str | None = None,
            timeout: float | None = None,
        ) -> Stream:
            loop = asyncio.get_running_loop()
            try:
                new = await asyncio.wait_for(
                    loop.start_tls(self._transport, self._protocol, ssl_context,  # type: ignore[arg-type]
                                   server_hostname=server_hostname),
                    max(_watch().left(timeout), 0.0),
                )
            except asyncio.TimeoutError:
                self._transport.close()
                raise httpcore.ConnectTimeout(f"TLS handshake timed out after {timeout} s") from None
            except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
                self._transport.close()
                raise httpcore.ConnectError(str(exc) or exc.__class__.__name__) from exc
            self._protocol.transport = new  # type: ignore[assignment]
            return Stream(new, self._protocol)  # type: ignore[arg-type]

        def get_extra_info(self, info: str) -> object:
            if info == "is_readable":
                return bool(self._protocol.buffer) or self._protocol.eof
            names = {"client_addr": "sockname", "server_addr": "peername"}
            return self._transport.get_extra_info(names.get(info, info))

    class Backend(httpcore.AsyncNetworkBackend):
        async def connect_tcp(
            self, host: str, port: int, timeout: float | None = None,
            local_address: str | None = None, socket_options: object = None,
        ) -> Stream:
            loop = asyncio.get_running_loop()
            try:
                transport, protocol = await asyncio.wait_for(
                    loop.create_connection(Protocol, host, port), max(_watch().left(timeout), 0.0)
                )
            except asyncio.TimeoutError:
                raise httpcore.ConnectTimeout(
                    f"connecting to {host}:{port} timed out after {timeout} s"
                ) from None
            except OSError as exc:
                raise httpcore.ConnectError(str(exc) or exc.__class__.__name__) from exc
            return Stream(transport, protocol)  # type: ignore[arg-type]

        async def connect_unix_socket(self, *args: object, **kwargs: object) -> Stream:
            raise httpcore.ConnectError("unix sockets are not supported")

        async def sleep(self, seconds: float) -> None:
            await asyncio.sleep(seconds)

    class PooledStream(httpx.AsyncByteStream):
        """The response body; closing it hands a reusable connection back to the pool."""

        def __init__(self, stream: object, pool: AsyncPool, key: object, conn: object) -> None:
            self._stream, self._pool, self._key, self._conn = stream, pool, key, conn

        async def __aiter__(self):  # type: ignore[no-untyped-def]
            async for part in self._stream:  # type: ignore[attr-defined]
                yield part

        async def aclose(self) -> None:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                await self._stream.aclose()  # type: ignore[attr-defined]
            finally:
                await self._pool._release(self._key, conn)

    class AsyncPool(httpx.AsyncBaseTransport):
        """Idle HTTP/1.1 connections per (origin, SNI name); no limits (the caller has them)."""

        def __init__(self, ssl_context: object | None, keepalive_expiry: float = 5.0) -> None:
            self._ssl_context = ssl_context
            self._keepalive_expiry = keepalive_expiry
            self._backend = Backend()
            self._idle: dict[object, list[httpcore.AsyncHTTPConnection]] = {}
            self._busy: set[httpcore.AsyncHTTPConnection] = set()

        async def _checkout(self, key: object) -> httpcore.AsyncHTTPConnection | None:
            idle = self._idle.get(key)
            while idle:
                conn = idle.pop()
                if conn.is_idle() and not conn.has_expired():
                    return conn
                await conn.aclose()  # the server closed it, or it sat idle too long
            return None

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            url = request.url
            port = url.port or (443 if url.scheme == "https" else 80)
            origin = httpcore.Origin(url.raw_scheme, url.raw_host, port)
            key = (url.raw_scheme, url.raw_host, port, request.extensions.get("sni_hostname"))
            core = httpcore.Request(
                method=request.method,
                url=httpcore.URL(
                    scheme=url.raw_scheme, host=url.raw_host, port=port, target=url.raw_path
                ),
                headers=request.headers.raw,
                content=request.stream,  # type: ignore[arg-type]
                extensions=request.extensions,
            )
            conn = await self._checkout(key)
            if conn is None:
                conn = httpcore.AsyncHTTPConnection(
                    origin, ssl_context=self._ssl_context,  # type: ignore[arg-type]
                    keepalive_expiry=self._keepalive_expiry, network_backend=self._backend,
                )
            self._busy.add(conn)
            try:
                resp = await conn.handle_async_request(core)
            except BaseException:
                self._busy.discard(conn)
                await conn.aclose()
                raise
            return httpx.Response(
                status_code=resp.status,
                headers=resp.headers,
                stream=PooledStream(resp.stream, self, key, conn),
                extensions=resp.extensions,
            )

        async def _release(self, key: object, conn: httpcore.AsyncHTTPConnection) -> None:
            self._busy.discard(conn)
            if conn.is_idle() and not conn.has_expired():
                self._idle.setdefault(key, []).append(conn)
            else:
                await conn.aclose()

        async def aclose(self) -> None:
            conns = [c for idle in self._idle.values() for c in idle] + list(self._busy)
            self._idle.clear()
            self._busy.clear()
            for conn in conns:
                await conn.aclose()

    _POOL_CLASSES.update(AsyncPool=AsyncPool, Backend=Backend)
    return _POOL_CLASSES


def _AsyncPool(ssl_context: object | None) -> object:  # noqa: N802 - a class, built lazily
    return _pool_classes()["AsyncPool"](ssl_context)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


# -- in-process applications: httpx's ASGI and WSGI transports -------------------------------


class _AppSender:
    """Shared by :class:`AppTransport` and :class:`AsyncAppTransport`: one ASGI or WSGI app
    (see :mod:`corsprobe.apps`) answering in this process, recorded like a server's answer.

    An exception that escapes the app becomes a bare 500, as uvicorn or a WSGI server
    would answer; what the app logs to ``wsgi.errors`` is kept off the terminal. An ASGI
    app's lifespan startup runs before its first request (:class:`corsprobe.apps.Lifespan`).
    """

    def __init__(self, loaded: object, options: TransportOptions | None = None) -> None:
        import io

        self.loaded = loaded
        self.options = options or TransportOptions()
        self._httpx = _import_httpx()
        app = loaded.app  # type: ignore[attr-defined]
        self.errors = io.StringIO()
        self._lifespan = None
        if loaded.interface == "asgi":  # type: ignore[attr-defined]
            from .apps import Lifespan

            lifespan = self._lifespan = Lifespan(app)

            async def with_state(scope: dict, receive: object, send: object) -> None:
                # as uvicorn does: each request sees a copy of the lifespan's state
                scope = {**scope, "state": dict(lifespan.state)}
                await app(scope, receive, send)

            self._asgi = self._httpx.ASGITransport(app=with_state, raise_app_exceptions=False)
            self._wsgi = None
        else:
            self._asgi = None
            self._wsgi = self._httpx.WSGITransport(app=app, raise_app_exceptions=False,
                                                   wsgi_errors=self.errors)

    def _record(self, out: _Outgoing, response: httpx.Response, body: bytes) -> Exchange:
        import http

        truncated = len(body) > self.options.body_cap
        try:
            reason = http.HTTPStatus(response.status_code).phrase
        except ValueError:
            reason = ""
        recorded = HttpResponse(
            status=response.status_code, reason=reason,
            headers=tuple((k.decode("latin-1"), v.decode("latin-1"))
                          for k, v in response.headers.raw),
            body=body[: self.options.body_cap], body_truncated=truncated,
        )
        return Exchange(out.recorded, response=recorded, elapsed_ms=_ms(out.started))

    def _bare_500(self, out: _Outgoing) -> Exchange:
        return Exchange(out.recorded, response=HttpResponse(500, "Internal Server Error", ()),
                        elapsed_ms=_ms(out.started))

    def send_wsgi(self, out: _Outgoing) -> Exchange:
        assert self._wsgi is not None
        try:
            response = self._wsgi.handle_request(out.request)
            body = b"".join(response.stream)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - the app raised: a server answers 500
            return self._bare_500(out)
        return self._record(out, response, body)

    async def send_asgi(self, out: _Outgoing) -> Exchange:
        assert self._asgi is not None and self._lifespan is not None
        await self._lifespan.startup()
        response = await self._asgi.handle_async_request(out.request)
        body = b"".join([part async for part in response.stream])  # type: ignore[union-attr]
        return self._record(out, response, body)

    def outgoing(self, request: HttpRequest) -> _Outgoing | Exchange:
        return _outgoing(self._httpx, request, self.options)


class AppTransport(_AppSender):
    """The in-process twin of :class:`Transport` (``check --app``, ``corsprobe.check``).

    An ASGI app runs on one event loop in a helper thread for the transport's lifetime, so
    the blocking ``send`` also works inside a running loop (an async test) and the app sees
    the same loop on every request.
    """

    def __init__(self, loaded: object, options: TransportOptions | None = None) -> None:
        super().__init__(loaded, options)
        self._loop = None
        self._thread = None

    def _run(self, coro: object) -> Exchange:
        import asyncio
        import threading

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                            name="corsprobe-asgi")
            self._thread.start()
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()  # type: ignore[arg-type]

    def send(self, request: HttpRequest) -> Exchange:
        out = self.outgoing(request)
        if isinstance(out, Exchange):
            return out
        if self._asgi is not None:
            return self._run(self.send_asgi(out))
        return self.send_wsgi(out)

    def close(self) -> None:
        loop = self._loop
        if loop is not None and self._lifespan is not None:
            import asyncio

            asyncio.run_coroutine_threadsafe(self._lifespan.shutdown(), loop).result()
        self._loop = None
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=5)
            loop.close()

    def __enter__(self) -> AppTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncAppTransport(_AppSender):
    """The in-process twin of :class:`AsyncTransport` (``corsprobe run`` with ``app =``):
    an ASGI app runs on the runner's loop; a WSGI app in a worker thread."""

    async def send(self, request: HttpRequest) -> Exchange:
        import asyncio

        out = self.outgoing(request)
        if isinstance(out, Exchange):
            return out
        if self._asgi is not None:
            return await self.send_asgi(out)
        return await asyncio.to_thread(self.send_wsgi, out)

    async def aclose(self) -> None:
        if self._lifespan is not None:
            await self._lifespan.shutdown()
