"""The plumbing under :class:`~corsprobe.net.pool.AsyncTransport`: a small keep-alive pool on a
plain asyncio protocol.

httpcore's :class:`~httpcore.AsyncHTTPConnection` (h11) does the HTTP; these classes only move
bytes, under the request's whole deadline, reading each response head as the browser does.
This module imports httpx, httpcore and asyncio, so :mod:`.pool` imports it when its first
pool is built (importing :mod:`corsprobe.net` stays cheap for ``corsprobe check``).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator
from typing import cast

from .options import import_httpx
from .record import core_request
from .wire import HeadFilter, Watch, current_watch

import_httpx()  # httpx without its command-line module, before the import below

import httpcore  # noqa: E402
import httpx  # noqa: E402

_READ_HIGH_WATER = 256 * 1024
_WRITE_HIGH_WATER = 64 * 1024


class BufferingProtocol(asyncio.Protocol):
    """Buffers what the server sends (pausing the socket past a high-water mark) and wakes
    the one reader waiting for it."""

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
        # create_connection() hands a protocol its socket transport: a full asyncio.Transport
        self.transport = cast(asyncio.Transport, transport)

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


async def _wait(fut: asyncio.Future[None], timeout: float | None,
                exc_type: type[Exception]) -> None:
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
    """One connection as httpcore sees it: reads and writes share the request's deadline,
    and each response head passes through :class:`HeadFilter`."""

    def __init__(self, transport: asyncio.Transport, protocol: BufferingProtocol) -> None:
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
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> Stream:
        loop = asyncio.get_running_loop()
        try:
            new = await asyncio.wait_for(
                loop.start_tls(self._transport, self._protocol, ssl_context,
                               server_hostname=server_hostname),
                max(current_watch().left(timeout), 0.0),
            )
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"TLS handshake timed out after {timeout} s") from None
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            self._transport.close()
            raise httpcore.ConnectError(str(exc) or exc.__class__.__name__) from exc
        assert new is not None  # typeshed allows None; asyncio returns the TLS transport
        self._protocol.transport = new
        return Stream(new, self._protocol)

    def get_extra_info(self, info: str) -> object:
        if info == "is_readable":
            return bool(self._protocol.buffer) or self._protocol.eof
        names = {"client_addr": "sockname", "server_addr": "peername"}
        return self._transport.get_extra_info(names.get(info, info))


class Backend(httpcore.AsyncNetworkBackend):
    """Opens :class:`Stream` connections with the loop's own ``create_connection``."""

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None, socket_options: object = None,
    ) -> Stream:
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await asyncio.wait_for(
                loop.create_connection(BufferingProtocol, host, port),
                max(current_watch().left(timeout), 0.0),
            )
        except TimeoutError:
            raise httpcore.ConnectTimeout(
                f"connecting to {host}:{port} timed out after {timeout} s"
            ) from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc) or exc.__class__.__name__) from exc
        return Stream(transport, protocol)

    async def connect_unix_socket(self, *args: object, **kwargs: object) -> Stream:
        raise httpcore.ConnectError("unix sockets are not supported")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class PooledStream(httpx.AsyncByteStream):
    """The response body; closing it hands a reusable connection back to the pool."""

    def __init__(self, response: httpcore.Response, pool: AsyncPool, key: object,
                 conn: httpcore.AsyncHTTPConnection) -> None:
        self._response, self._pool, self._key = response, pool, key
        self._conn: httpcore.AsyncHTTPConnection | None = conn

    async def __aiter__(self) -> AsyncIterator[bytes]:
        stream = self._response.stream
        assert isinstance(stream, AsyncIterable)  # an async connection's body
        async for part in stream:
            yield part

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            await self._response.aclose()
        finally:
            await self._pool.release(self._key, conn)


class AsyncPool(httpx.AsyncBaseTransport):
    """Idle HTTP/1.1 connections per (origin, SNI name); no limits (the caller has them)."""

    def __init__(self, ssl_context: ssl.SSLContext | None, keepalive_expiry: float = 5.0) -> None:
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
        core = core_request(request)
        conn = await self._checkout(key)
        if conn is None:
            conn = httpcore.AsyncHTTPConnection(
                origin, ssl_context=self._ssl_context,
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
            stream=PooledStream(resp, self, key, conn),
            extensions=resp.extensions,
        )

    async def release(self, key: object, conn: httpcore.AsyncHTTPConnection) -> None:
        """Keep ``conn`` for the next request to ``key`` if it can serve one, else close it."""
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
