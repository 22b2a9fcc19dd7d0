"""The plumbing under :class:`~corsprobe.net.pool.AsyncTransport`: a small keep-alive pool on a
plain asyncio protocol.

h11 does the HTTP, with the settings httpcore gives it; these classes move bytes, under the
request's whole deadline, reading each response head as the browser does. This module
imports h11, httpcore (for its exception and stream classes) and asyncio, so :mod:`.pool`
imports it when its first pool is built (importing :mod:`corsprobe.net` stays cheap for
``corsprobe check``).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, cast

import h11
import httpcore

from .record import CappedBody
from .wire import HeadFilter, Watch, current_watch

if TYPE_CHECKING:
    import httpx

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


class Connection:
    """One HTTP/1.1 connection: h11 reads and writes the messages (the same h11 settings
    as httpcore's connection, so the same strictness), :class:`Stream` moves the bytes.

    httpcore's own layers (a lock, a trace and an anyio checkpoint per step, and an
    ``httpx.Response`` per answer) cost more than h11 itself in ``bench/run``; the pool needs
    none of them: one request at a time per connection, and the caller bounds concurrency."""

    MAX_INCOMPLETE_EVENT_SIZE = 100 * 1024  # httpcore's AsyncHTTP11Connection
    READ_NUM_BYTES = 64 * 1024

    def __init__(self, stream: Stream, keepalive_expiry: float) -> None:
        self.stream = stream
        self._keepalive_expiry = keepalive_expiry
        self._expire_at: float | None = None
        self._idle = False
        self._h11 = h11.Connection(our_role=h11.CLIENT,
                                   max_incomplete_event_size=self.MAX_INCOMPLETE_EVENT_SIZE)

    def reusable(self) -> bool:
        """Idle, not expired, and not closed by the server while it sat idle."""
        if not self._idle:
            return False
        if self._expire_at is not None and time.monotonic() > self._expire_at:
            return False
        p = self.stream._protocol
        return not (p.buffer or p.eof)

    async def _send(self, event: h11.Event) -> None:
        try:
            data = self._h11.send(event)
        except h11.LocalProtocolError as exc:
            raise httpcore.LocalProtocolError(str(exc)) from exc
        if data:
            await self.stream.write(data)

    async def _next(self) -> h11.Event | type[h11.PAUSED]:
        conn = self._h11
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpcore.RemoteProtocolError(str(exc)) from exc
            if event is not h11.NEED_DATA:
                return event  # type: ignore[return-value]
            data = await self.stream.read(self.READ_NUM_BYTES)
            if data == b"" and conn.their_state == h11.SEND_RESPONSE:
                raise httpcore.RemoteProtocolError(
                    "Server disconnected without sending a response.")
            conn.receive_data(data)

    async def request(self, request: httpx.Request) -> h11.Response | h11.InformationalResponse:
        """Send ``request`` and read the response head (1xx heads skipped, 101 returned)."""
        self._idle = False
        self._expire_at = None
        url = request.url
        try:
            try:
                event = h11.Request(method=request.method, target=url.raw_path,
                                    headers=request.headers.raw)
            except h11.LocalProtocolError as exc:
                raise httpcore.LocalProtocolError(str(exc)) from exc
            try:
                await self._send(event)
                if request.content:
                    await self._send(h11.Data(data=request.content))
                await self._send(h11.EndOfMessage())
            except httpcore.WriteError:
                pass  # as httpcore: the server may still answer (an early error response)
            while True:
                head = await self._next()
                if isinstance(head, h11.Response) or (
                        isinstance(head, h11.InformationalResponse) and head.status_code == 101):
                    return head
        except BaseException:
            await self.aclose()
            raise

    async def body(self) -> AsyncIterator[bytes]:
        """The response body, chunk by chunk."""
        while True:
            event = await self._next()
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage) or event is h11.PAUSED:
                return

    async def finish(self) -> bool:
        """The exchange is over: keep the connection if both sides are done, else close it.
        True when it can serve another request."""
        conn = self._h11
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
            self._idle = True
            self._expire_at = time.monotonic() + self._keepalive_expiry
            return True
        await self.aclose()
        return False

    async def aclose(self) -> None:
        self._idle = False
        await self.stream.aclose()


class AsyncPool:
    """Idle HTTP/1.1 connections per (origin, SNI name); no limits (the caller has them)."""

    def __init__(self, ssl_context: ssl.SSLContext | None, keepalive_expiry: float = 5.0) -> None:
        if ssl_context is not None:
            ssl_context.set_alpn_protocols(["http/1.1"])  # as httpcore does: HTTP/1.1 only
        self._ssl_context = ssl_context
        self._keepalive_expiry = keepalive_expiry
        self._backend = Backend()
        self._idle: dict[object, list[Connection]] = {}
        self._busy: set[Connection] = set()

    async def _checkout(self, key: tuple[str, str, int, str | None]) -> Connection:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.reusable():
                return conn
            await conn.aclose()  # the server closed it, or it sat idle too long
        scheme, host, port, sni = key
        stream = await self._backend.connect_tcp(host, port)
        if scheme == "https":
            ctx = self._ssl_context
            if ctx is None:
                ctx = ssl.create_default_context()
                ctx.set_alpn_protocols(["http/1.1"])
            stream = await stream.start_tls(ctx, server_hostname=sni or host)
        return Connection(stream, self._keepalive_expiry)

    async def exchange(self, request: httpx.Request, cap: int, deadline: float,
                       ) -> tuple[h11.Response | h11.InformationalResponse, bytes, bool]:
        """Send ``request`` on an idle connection to its origin (or a new one), read the
        response head, then at most ``cap`` bytes of the body (see :class:`.CappedBody`):
        the head, the body and whether it was cut short. The connection goes back to the
        pool when the exchange ended cleanly. Errors before the head arrived are raised; a
        body that fails or stalls is only noted (the verdict needs the headers)."""
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        sni = request.extensions.get("sni_hostname")
        key = (url.scheme, url.raw_host.decode("ascii"), port, sni)
        conn = await self._checkout(key)
        self._busy.add(conn)
        try:
            head = await conn.request(request)
            capped = CappedBody(cap, deadline)
            try:
                async for chunk in conn.body():
                    if capped.add(chunk):
                        break
            except Exception:  # noqa: BLE001 - the headers arrived; the verdict needs only them
                capped.stalled()
            if await conn.finish():
                self._idle.setdefault(key, []).append(conn)
            body, truncated = capped.value()
            return head, body, truncated
        except BaseException:  # cancelled (the whole-request deadline), or a failure
            await conn.aclose()
            raise
        finally:
            self._busy.discard(conn)

    async def aclose(self) -> None:
        conns = [c for idle in self._idle.values() for c in idle] + list(self._busy)
        self._idle.clear()
        self._busy.clear()
        for conn in conns:
            await conn.aclose()
