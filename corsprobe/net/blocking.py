"""httpcore's blocking socket backend under :class:`~corsprobe.net.sync.Transport`, with the
request's whole deadline and the browser's reading of the response head.

It imports httpcore, so :mod:`.sync` imports it when its first connection pool is built.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable

import httpcore

from .wire import HeadFilter, Watch, current_watch

_CHUNK = 64 * 1024  # a request body is written in pieces this size, each under the deadline


def _expired(kind: type[Exception], what: str) -> Exception:
    return kind(f"{what}: the {current_watch().timeout:g} s deadline passed")


class Stream(httpcore.NetworkStream):
    """A socket stream whose reads and writes share the request's deadline, and whose
    response heads pass through :class:`HeadFilter`."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        self._filter = HeadFilter()
        self.last_watch: Watch | None = None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        w = current_watch()
        while True:
            left = w.left(timeout)
            if left <= 0:
                raise _expired(httpcore.ReadTimeout, "reading")
            data = self._inner.read(max_bytes, left)
            if not data:
                return self._filter.eof()
            w.got(data)
            out = self._filter.feed(data, w)
            if out:
                return out

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        w = current_watch()
        w.using(self)
        self._filter.request_sent()
        for i in range(0, len(buffer), _CHUNK):
            left = w.left(timeout)
            try:
                if left <= 0:
                    raise _expired(httpcore.WriteTimeout, "writing")
                self._inner.write(buffer[i:i + _CHUNK], left)
            except httpcore.WriteTimeout:
                w.write_stalled = True
                raise
            w.sent += min(_CHUNK, len(buffer) - i)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> Stream:
        left = current_watch().left(timeout)
        if left <= 0:
            raise _expired(httpcore.ConnectTimeout, "TLS handshake")
        return Stream(self._inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class Backend(httpcore.NetworkBackend):
    """httpcore's :class:`~httpcore.SyncBackend` handing out :class:`Stream` objects."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> Stream:
        left = current_watch().left(timeout)
        if left <= 0:
            raise _expired(httpcore.ConnectTimeout, "connecting")
        return Stream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(self, *args: object, **kwargs: object) -> Stream:
        raise httpcore.ConnectError("unix sockets are not supported")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)
