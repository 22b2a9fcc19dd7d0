"""The plumbing under :class:`~corsprobe.net.pool.AsyncTransport`: a small keep-alive pool on a
plain asyncio protocol.

h11 does the HTTP, with the settings httpcore gives it; these classes move bytes, under the
request's whole deadline, reading each response head as the browser does. This module
imports asyncio, so :mod:`.pool` imports it when its first pool is built (importing
:mod:`corsprobe.net` stays cheap for ``corsprobe check``); h11 is imported by the first
exchange the plain code leaves to it (a run against a plain server never needs it).
Failures are raised as httpcore's
exceptions (what :func:`.wire.classify` reads, for every transport alike), and httpcore is
imported at the first failure: importing it (with anyio and certifi) takes longer than a
thousand plain exchanges.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

from .record import CappedBody, Wire
from .wire import HeadFilter, Watch, current_watch

if TYPE_CHECKING:
    import h11
    import httpcore
else:
    class _Module:
        """A module imported on first use: httpcore at a failure, h11 at the first exchange
        that is not a plain one."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, name: str) -> Any:
            import importlib

            return getattr(importlib.import_module(self._name), name)

    httpcore = _Module("httpcore")
    h11 = _Module("h11")

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


async def _wait(fut: asyncio.Future[None], timeout: float | None, error: str) -> None:
    handle = None
    if timeout is not None:
        handle = asyncio.get_running_loop().call_later(timeout, _expire, fut)
    try:
        await fut
    except TimeoutError:
        raise getattr(httpcore, error)(f"timed out after {timeout} s") from None
    finally:
        if handle is not None:
            handle.cancel()


class Stream:
    """One connection (httpcore's network stream interface): reads and writes share the
    request's deadline, and each response head passes through :class:`HeadFilter`."""

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
            await _wait(p.waiter, timeout, "ReadTimeout")
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
                await _wait(p.drain_waiter, max(w.left(timeout), 0.0), "WriteTimeout")
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


class Backend:
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


# h11's own grammar (h11/_abnf.py), to know when a message is one h11 would read or write
# exactly as the plain code below does; anything else goes through h11 itself.
_TOKEN = rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+"
_FIELD_VALUE = rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?"
_TOKEN_RE = re.compile(_TOKEN)
_TARGET_RE = re.compile(rb"[\x21-\x7e]+")
_FIELD_VALUE_RE = re.compile(_FIELD_VALUE)
_HEADER_FIELD_RE = re.compile(rb"(" + _TOKEN + rb"):[ \t]*(" + _FIELD_VALUE + rb")[ \t]*")
_STATUS_LINE_RE = re.compile(rb"HTTP/1\.1 ([0-9]{3})(?: ((?:[ \t]|[^\x00\s])*))?")
_DIGITS_RE = re.compile(rb"[0-9]{1,18}")
# headers whose meaning h11 acts on (framing, keep-alive, protocol switches): left to h11
_H11_ONLY = frozenset((b"transfer-encoding", b"connection", b"expect", b"upgrade"))


_HEADER_LINES_RE = re.compile(rb"(?:" + _TOKEN + rb": " + _FIELD_VALUE + rb"\r\n)*")
_RESPONSE_LINES_RE = re.compile(rb"(?:\r\n" + _TOKEN + rb":[ \t]*" + _FIELD_VALUE + rb"[ \t]*)*")


def plain_request(method: bytes, target: bytes, headers: list[tuple[bytes, bytes]],
                  body: bytes) -> bytes | None:
    """The bytes h11 would write for this request (head and Content-Length body), when it
    would write it without changing a byte or refusing it; else None (then h11 writes it)."""
    if method == b"CONNECT" or not _TOKEN_RE.fullmatch(method) or not _TARGET_RE.fullmatch(
            target):
        return None
    lines = [b"%s: %s\r\n" % (name, value) for name, value in headers]
    block = b"".join(lines)
    # every name a token and every value a field value (h11's grammar), one line each: a
    # line break inside a name or value would add a line to the count
    if not _HEADER_LINES_RE.fullmatch(block) or block.count(b"\n") != len(headers):
        return None
    hosts, others, length = [], [], None
    for (name, value), line in zip(headers, lines, strict=True):
        lname = name.lower()
        if lname == b"host":
            hosts.append(line)
            continue
        if lname in _H11_ONLY:
            return None
        if lname == b"content-length":
            if length is not None or not _DIGITS_RE.fullmatch(value):
                return None
            length = int(value)
        others.append(line)
    if len(hosts) != 1 or (length or 0) != len(body):
        return None
    return b"".join([b"%s %s HTTP/1.1\r\n" % (method, target), *hosts, *others, b"\r\n", body])


def plain_head(data: bytes, method: bytes
               ) -> tuple[int, bytes, list[tuple[bytes, bytes]], int, int] | None:
    """The final response head at the start of ``data`` (as :class:`HeadFilter` hands it
    on), read as h11 reads it: (status, reason, raw header lines, body length, where the
    body starts), when h11 would read it the same way, frame the body by Content-Length
    and keep the connection; else None (then h11 reads it)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    first = data.find(b"\r\n", 0, end)
    if first < 0:
        first = end
    m = _STATUS_LINE_RE.fullmatch(data, 0, first)
    if m is None:
        return None
    status = int(m[1])
    if status < 200 or not _RESPONSE_LINES_RE.fullmatch(data, first, end):
        return None
    headers = []
    length = None
    for line in data[first + 2:end].split(b"\r\n") if first < end else ():
        name, _, value = line.partition(b":")  # a token holds no colon
        value = value.strip(b" \t")
        lname = name.lower()
        if lname in _H11_ONLY:
            return None
        if lname == b"content-length":
            if length is not None or not _DIGITS_RE.fullmatch(value):
                return None
            length = int(value)
        headers.append((name, value))
    if status in (204, 304) or method == b"HEAD":
        length = 0
    elif length is None:
        return None  # the body ends when the server closes: h11's "http/1.0" framing
    return status, m[2] or b"", headers, length, end + 4


class Connection:
    """One HTTP/1.1 connection: h11 reads and writes the messages (the same h11 settings
    as httpcore's connection, so the same strictness), :class:`Stream` moves the bytes.

    httpcore's own layers (a lock, a trace and an anyio checkpoint per step, and an
    ``httpx.Response`` per answer) cost more than h11 itself in ``bench/run``; the pool needs
    none of them: one request at a time per connection, and the caller bounds concurrency.

    The common exchange skips h11 as well: a request h11 would write unchanged is written
    as it would write it (:func:`plain_request`), and a final response head it would read
    unchanged, with a Content-Length body on a kept connection, is read as it would read it
    (:func:`plain_head`). Anything else (a 1xx, chunked or close-delimited bodies, an
    odd byte, a server closing early) is handed to h11 with every byte received so far, so
    h11 says what it always said."""

    MAX_INCOMPLETE_EVENT_SIZE = 100 * 1024  # httpcore's AsyncHTTP11Connection
    READ_NUM_BYTES = 64 * 1024

    def __init__(self, stream: Stream, keepalive_expiry: float) -> None:
        self.stream = stream
        self._keepalive_expiry = keepalive_expiry
        self._expire_at: float | None = None
        self._idle = False
        self._h11_state: h11.Connection | None = None  # made for the first non-plain exchange
        self._pending: list[bytes] = []  # received, not yet given to h11
        self._plain = False  # this exchange bypasses h11
        self._left = 0  # plain: body bytes still to come
        self._first = b""  # plain: body bytes that came with the head

    @property
    def _h11(self) -> h11.Connection:
        """h11's connection, made when an exchange first needs it: until then every exchange
        was a plain one, which h11 would not have seen either (it starts idle)."""
        if self._h11_state is None:
            self._h11_state = h11.Connection(
                our_role=h11.CLIENT, max_incomplete_event_size=self.MAX_INCOMPLETE_EVENT_SIZE)
        return self._h11_state

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
                return cast("h11.Event | type[h11.PAUSED]", event)
            if self._pending:
                data = self._pending.pop(0)
            else:
                data = await self.stream.read(self.READ_NUM_BYTES)
            if data == b"" and conn.their_state == h11.SEND_RESPONSE:
                raise httpcore.RemoteProtocolError(
                    "Server disconnected without sending a response.")
            conn.receive_data(data)

    async def request(self, request: Wire
                      ) -> tuple[int, bytes, bytes, list[tuple[bytes, bytes]]]:
        """Send ``request`` and read the response head (1xx heads skipped, 101 returned):
        status, reason, HTTP version, raw header lines."""
        self._idle = False
        self._expire_at = None
        self._plain = False
        method = request.method
        try:
            wire = None
            if not self._pending and (self._h11_state is None
                                      or not self._h11_state.trailing_data[0]):
                wire = plain_request(method, request.target, request.headers, request.body)
            if wire is not None:
                try:
                    await self.stream.write(wire)
                except httpcore.WriteError:
                    pass  # as httpcore: the server may still answer (an early error response)
                data = await self.stream.read(self.READ_NUM_BYTES)
                plain = plain_head(data, method)
                if plain is not None:
                    status, reason, headers, length, start = plain
                    self._plain = True
                    self._first, rest = data[start:start + length], data[start + length:]
                    self._left = length - len(self._first)
                    if rest:
                        self._pending.append(rest)  # the server's next answer, for h11
                    return status, reason, b"HTTP/1.1", headers
                self._pending.append(data)  # h11 reads it, from the start
            return await self._request_h11(request, send=wire is None)
        except BaseException:
            await self.aclose()
            raise

    async def _request_h11(self, request: Wire, send: bool
                           ) -> tuple[int, bytes, bytes, list[tuple[bytes, bytes]]]:
        try:
            event = h11.Request(method=request.method, target=request.target,
                                headers=request.headers)
        except h11.LocalProtocolError as exc:
            raise httpcore.LocalProtocolError(str(exc)) from exc
        if not send:  # written already, byte for byte as h11 writes it: h11 only follows
            self._h11.send(event)
            if request.body:
                self._h11.send(h11.Data(data=request.body))
            self._h11.send(h11.EndOfMessage())
        else:
            try:
                await self._send(event)
                if request.body:
                    await self._send(h11.Data(data=request.body))
                await self._send(h11.EndOfMessage())
            except httpcore.WriteError:
                pass  # as httpcore: the server may still answer (an early error response)
        while True:
            head = await self._next()
            if isinstance(head, h11.Response) or (
                    isinstance(head, h11.InformationalResponse) and head.status_code == 101):
                return (head.status_code, head.reason, b"HTTP/" + head.http_version,
                        head.headers.raw_items())

    async def body(self) -> AsyncIterator[bytes]:
        """The response body, chunk by chunk."""
        if self._plain:
            if self._first:
                yield self._first
            while self._left > 0:
                data = await self.stream.read(self.READ_NUM_BYTES)
                if not data:
                    raise httpcore.RemoteProtocolError(
                        "peer closed connection without sending complete message body")
                if len(data) > self._left:
                    self._pending.append(data[self._left:])
                    data = data[: self._left]
                self._left -= len(data)
                yield data
            return
        while True:
            event = await self._next()
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage) or event is h11.PAUSED:
                return

    async def finish(self) -> bool:
        """The exchange is over: keep the connection if both sides are done, else close it.
        True when it can serve another request."""
        if self._plain:
            done = self._left == 0  # h11 never saw this exchange: its state is still IDLE
        else:
            conn = self._h11
            done = conn.our_state is h11.DONE and conn.their_state is h11.DONE
            if done:
                conn.start_next_cycle()
        if done:
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

    async def _checkout(self, key: tuple[str, str, int, str | None], fresh: bool = False
                        ) -> Connection:
        idle = None if fresh else self._idle.get(key)
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

    async def exchange(self, request: Wire, cap: int, deadline: float, fresh: bool = False,
                       ) -> tuple[tuple[int, bytes, bytes, list[tuple[bytes, bytes]]], bytes,
                                  bool]:
        """Send ``request`` on an idle connection to its origin (or a new one), read the
        response head, then at most ``cap`` bytes of the body (see :class:`.CappedBody`):
        the head (status, reason, HTTP version, raw header lines), the body and whether it
        was cut short (``fresh``: on a new connection, as the browser retries a request
        that a reused one lost). The connection goes back to the pool when the exchange
        ended cleanly. Errors before the head arrived are raised; a
        body that fails or stalls is only noted (the verdict needs the headers)."""
        key = (request.scheme, request.host, request.port, request.sni)
        conn = await self._checkout(key, fresh)
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
