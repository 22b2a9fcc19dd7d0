"""The asyncio transport of ``corsprobe run`` and ``scan``: a small keep-alive pool on plain
asyncio protocols, httpcore (h11) doing the HTTP."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..model import Exchange, HttpRequest
from .options import TransportOptions, import_httpx
from .record import (
    CappedBody,
    Outgoing,
    is_transport_error,
    ms_since,
    prepare,
    record_response,
    tls_verify,
)
from .wire import HeadFilter, Watch, classify, current_watch, watching

if TYPE_CHECKING:
    import httpx


class AsyncTransport:
    """The asyncio twin of :class:`Transport`, for many checks on one event loop.

    Same request building and recording (no default headers, no proxies from the
    environment, Host first, ``--resolve``, a capped body), same HTTP/1.1 engine (httpcore's
    h11 connection, so the same strictness on malformed responses). What differs is only
    the plumbing under it, chosen by measurement (``bench/run``): httpx's
    ``AsyncHTTPTransport`` slows down as concurrency rises (its pool re-scans every queued
    request on each change, httpx issue #3215) and anyio adds a layer per read, so by
    default requests go through :class:`AsyncPool`: idle keep-alive connections per
    origin on a plain asyncio protocol. ``engine="httpx"`` selects httpx's own transport.
    The caller bounds concurrency (``corsprobe.runner``), so the pool needs no limits.
    """

    def __init__(self, options: TransportOptions, *, engine: str = "pool") -> None:
        if engine not in ("pool", "httpx"):
            raise ValueError(f"unknown engine {engine!r}")
        self.options = options
        self.engine = engine
        self._httpx = import_httpx()
        self._plain: object | None = None
        self._tls: object | None = None

    def _transport(self, scheme: str) -> httpx.AsyncBaseTransport:
        httpx = self._httpx
        if scheme == "https":
            if self._tls is None:
                verify = tls_verify(self.options)
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

        out = prepare(self._httpx, request, self.options)
        if isinstance(out, Exchange):
            return out
        for attempt in (1, 2):
            watch = Watch(out.deadline, self.options.timeout)
            try:
                # the pool's streams keep the deadline themselves; this bounds the httpx engine
                left = max(out.deadline - time.perf_counter(), 0.0) + 1.0
                exchange = await asyncio.wait_for(self._send(out, watch), left)
            except TimeoutError:  # not the builtin TimeoutError on Python 3.10
                return Exchange(out.recorded, error=classify(TimeoutError(), watch),
                                elapsed_ms=ms_since(out.started))
            if attempt == 2 or not watch.retry_on_new_connection(exchange.error):
                return exchange
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, out: Outgoing, watch: Watch) -> Exchange:
        with watching(watch):
            return await self._send_watched(out, watch)

    async def _send_watched(self, out: Outgoing, watch: Watch) -> Exchange:
        try:
            response = await self._transport(out.scheme).handle_async_request(out.request)
            try:
                body, truncated = await self._read_capped(response, out.deadline)
            finally:
                await response.aclose()
        except Exception as exc:
            if is_transport_error(exc):
                return Exchange(out.recorded, error=classify(exc, watch),
                                elapsed_ms=ms_since(out.started))
            raise
        return Exchange(out.recorded, response=record_response(response, body, truncated),
                        elapsed_ms=ms_since(out.started))

    async def _read_capped(self, response: httpx.Response, deadline: float) -> tuple[bytes, bool]:
        capped = CappedBody(self.options.body_cap, deadline)
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

    httpx = import_httpx()

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
            self._filter = HeadFilter()
            self.last_watch: Watch | None = None

        def _flush(self) -> None:
            # h11 hands over the head and the body separately; one write sends both
            # (one segment on the wire, one system call).
            if self._pending:
                data = b"".join(self._pending)
                self._pending.clear()
                self._transport.write(data)

        async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            # the request's whole deadline bounds every wait, and each response head is
            # read whole and handed on as the browser reads it (see HeadFilter)
            w = current_watch()
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
                    raise httpcore.ReadTimeout(f"the {current_watch().timeout:g} s deadline passed")
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
            w = current_watch()
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
                    max(current_watch().left(timeout), 0.0),
                )
            except TimeoutError:
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
                    loop.create_connection(Protocol, host, port), max(current_watch().left(timeout), 0.0)
                )
            except TimeoutError:
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


def _AsyncPool(ssl_context: object | None) -> object:
    return _pool_classes()["AsyncPool"](ssl_context)
