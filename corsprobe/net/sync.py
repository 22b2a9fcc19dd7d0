"""The blocking transport of ``corsprobe check``: httpcore's HTTP/1.1 connections, one request
at a time, under one whole-request deadline."""

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


class Transport:
    """Sends :class:`HttpRequest` objects, one at a time; creates a TLS context only for https.

    Under it: httpcore's HTTP/1.1 connection pool on :func:`_sync_backend`, whose streams keep
    the request's whole deadline (``--timeout`` bounds a request, not each read: a server that
    dribbles one header byte at a time cannot hold corsprobe) and read each response head as
    the browser does (:class:`HeadFilter`)."""

    def __init__(self, options: TransportOptions) -> None:
        self.options = options
        self._httpx = import_httpx()
        self._pools: dict[str, object] = {}

    def _pool(self, scheme: str) -> object:
        pool = self._pools.get(scheme)
        if pool is None:
            import httpcore

            ctx = None
            if scheme == "https":
                ctx = self._httpx.create_ssl_context(verify=tls_verify(self.options),  # type: ignore[arg-type]
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
        out = prepare(self._httpx, request, self.options)
        if isinstance(out, Exchange):
            return out
        watch = Watch(out.deadline, self.options.timeout)
        exchange = self._send(out, watch)
        if watch.retry_on_new_connection(exchange.error):
            exchange = self._send(out, Watch(out.deadline, self.options.timeout))
        return exchange

    def _send(self, out: Outgoing, watch: Watch) -> Exchange:
        with watching(watch):
            try:
                core = self._pool(out.scheme).handle_request(_core_request(out.request))  # type: ignore[attr-defined]
                response = self._httpx.Response(status_code=core.status, headers=core.headers,
                                                extensions=core.extensions)
                try:
                    body, truncated = self._read_capped(core.stream, out.deadline)
                finally:
                    core.close()
            except Exception as exc:
                if is_transport_error(exc):
                    return Exchange(out.recorded, error=classify(exc, watch),
                                    elapsed_ms=ms_since(out.started))
                raise
            return Exchange(out.recorded, response=record_response(response, body, truncated),
                            elapsed_ms=ms_since(out.started))

    def _read_capped(self, stream: object, deadline: float) -> tuple[bytes, bool]:
        capped = CappedBody(self.options.body_cap, deadline)
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
        return kind(f"{what}: the {current_watch().timeout:g} s deadline passed")

    class Stream(httpcore.NetworkStream):
        def __init__(self, inner: httpcore.NetworkStream) -> None:
            self._inner = inner
            self._filter = HeadFilter()
            self.last_watch: Watch | None = None

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            w = current_watch()
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
            w = current_watch()
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
            left = current_watch().left(timeout)
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
            left = current_watch().left(timeout)
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
