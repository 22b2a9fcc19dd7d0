"""The blocking transport of ``corsprobe check``: httpcore's HTTP/1.1 connections, one request
at a time, under one whole-request deadline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..model import Exchange, HttpRequest
from .options import TransportOptions, import_httpx
from .record import (
    CappedBody,
    Outgoing,
    core_request,
    is_transport_error,
    ms_since,
    prepare,
    record_response,
    tls_verify,
)
from .wire import Watch, classify, watching

if TYPE_CHECKING:
    import httpcore


class Transport:
    """Sends :class:`HttpRequest` objects, one at a time; creates a TLS context only for https.

    Under it: httpcore's HTTP/1.1 connection pool on :class:`.blocking.Backend`, whose
    streams keep the request's whole deadline (``--timeout`` bounds a request, not each read:
    a server that dribbles one header byte at a time cannot hold corsprobe) and read each
    response head as the browser does (:class:`.wire.HeadFilter`)."""

    def __init__(self, options: TransportOptions) -> None:
        self.options = options
        self._httpx = import_httpx()
        self._pools: dict[str, httpcore.ConnectionPool] = {}

    def _pool(self, scheme: str) -> httpcore.ConnectionPool:
        pool = self._pools.get(scheme)
        if pool is None:
            import httpcore

            ctx = None
            if scheme == "https":
                ctx = self._httpx.create_ssl_context(verify=tls_verify(self.options),
                                                     trust_env=False)
            pool = self._pools[scheme] = httpcore.ConnectionPool(
                ssl_context=ctx, network_backend=_sync_backend())
        return pool

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()

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
        assert out.request is not None  # made by prepare(plain=False)
        with watching(watch):
            try:
                core = self._pool(out.scheme).handle_request(core_request(out.request))
                response = self._httpx.Response(status_code=core.status, headers=core.headers,
                                                extensions=core.extensions)
                assert isinstance(core.stream, Iterable)  # a blocking pool's body is not async
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

    def _read_capped(self, stream: Iterable[bytes], deadline: float) -> tuple[bytes, bool]:
        capped = CappedBody(self.options.body_cap, deadline)
        try:
            for chunk in stream:
                if capped.add(chunk):
                    break
        except Exception:  # noqa: BLE001 - the headers arrived; the verdict needs only them
            capped.stalled()
        return capped.value()



_SYNC_BACKEND: list[httpcore.NetworkBackend] = []


def _sync_backend() -> httpcore.NetworkBackend:
    """The blocking backend all transports share (imported here: it imports httpcore)."""
    if not _SYNC_BACKEND:
        from .blocking import Backend

        _SYNC_BACKEND.append(Backend())
    return _SYNC_BACKEND[0]
