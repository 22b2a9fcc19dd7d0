"""The asyncio transport of ``corsprobe run`` and ``scan``: a small keep-alive pool on plain
asyncio protocols, h11 doing the HTTP."""

from __future__ import annotations

import time
import types
from collections.abc import AsyncIterable
from typing import TYPE_CHECKING, cast

from ..model import Exchange, HttpRequest
from .options import TransportOptions, import_httpx
from .record import (
    CappedBody,
    Outgoing,
    is_transport_error,
    ms_since,
    prepare,
    record_head,
    record_response,
    tls_verify,
)
from .wire import Watch, classify, watching

if TYPE_CHECKING:
    import httpx

    from .aiopool import AsyncPool


class AsyncTransport:
    """The asyncio twin of :class:`Transport`, for many checks on one event loop.

    Same request building and recording (no default headers, no proxies from the
    environment, Host first, ``--resolve``, a capped body), same HTTP/1.1 engine (h11, with
    httpcore's settings, so the same strictness on malformed responses). What differs is
    only the plumbing under it, chosen by measurement (``bench/run``): httpx's
    ``AsyncHTTPTransport`` slows down as concurrency rises (its pool re-scans every queued
    request on each change, httpx issue #3215), and anyio and httpcore's locks and traces
    add layers per read, so by default requests go through :class:`.aiopool.AsyncPool`:
    idle keep-alive connections per origin on a plain asyncio protocol, h11 driven
    directly. ``engine="httpx"`` selects httpx's own transport.
    The caller bounds concurrency (``corsprobe.runner``), so the pool needs no limits.
    """

    def __init__(self, options: TransportOptions, *, engine: str = "pool") -> None:
        if engine not in ("pool", "httpx"):
            raise ValueError(f"unknown engine {engine!r}")
        self.options = options
        self.engine = engine
        self._httpx_module: types.ModuleType | None = None  # imported when first needed
        self._plain: httpx.AsyncBaseTransport | AsyncPool | None = None
        self._tls: httpx.AsyncBaseTransport | AsyncPool | None = None

    @property
    def _httpx(self) -> types.ModuleType:
        if self._httpx_module is None:
            self._httpx_module = import_httpx()
        return self._httpx_module

    def _transport(self, scheme: str) -> httpx.AsyncBaseTransport | AsyncPool:
        if scheme == "http" and self.engine == "pool":
            if self._plain is None:
                from .aiopool import AsyncPool

                self._plain = AsyncPool(None)  # no TLS context at all for http://
            return self._plain
        httpx = self._httpx
        if scheme == "https":
            if self._tls is None:
                verify = tls_verify(self.options)
                if self.engine == "httpx":
                    self._tls = httpx.AsyncHTTPTransport(verify=verify, trust_env=False)
                else:
                    from .aiopool import AsyncPool

                    self._tls = AsyncPool(httpx.create_ssl_context(verify=verify, trust_env=False))
            return self._tls
        if self._plain is None:
            self._plain = httpx.AsyncHTTPTransport(verify=False, trust_env=False)
        return self._plain

    async def aclose(self) -> None:
        for t in (self._plain, self._tls):
            if t is not None:
                await t.aclose()

    async def __aenter__(self) -> AsyncTransport:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def send(self, request: HttpRequest) -> Exchange:
        out = prepare(self._httpx_module, request, self.options, plain=self.engine == "pool")
        if isinstance(out, Exchange):
            return out
        for attempt in (1, 2):
            watch = Watch(out.deadline, self.options.timeout)
            try:
                if self.engine == "pool":  # its streams keep the deadline themselves
                    exchange = await self._send(out, watch, fresh=attempt == 2)
                else:  # this bounds the httpx engine
                    import asyncio

                    left = max(out.deadline - time.perf_counter(), 0.0) + 1.0
                    try:
                        exchange = await asyncio.wait_for(self._send(out, watch), left)
                    except asyncio.TimeoutError:  # not the builtin one on Python 3.10
                        raise TimeoutError from None
            except TimeoutError:
                return Exchange(out.recorded, error=classify(TimeoutError(), watch),
                                elapsed_ms=ms_since(out.started))
            if attempt == 2 or not watch.retry_on_new_connection(exchange.error):
                return exchange
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, out: Outgoing, watch: Watch, fresh: bool = False) -> Exchange:
        with watching(watch):
            return await self._send_watched(out, watch, fresh)

    async def _send_watched(self, out: Outgoing, watch: Watch, fresh: bool = False
                            ) -> Exchange:
        try:
            transport = self._transport(out.scheme)
            if self.engine == "pool":
                # h11 on asyncio: the head as h11 parsed it, the body capped
                pool = cast("AsyncPool", transport)
                assert out.wire is not None  # prepare(plain=True) makes it
                head, body, truncated = await pool.exchange(
                    out.wire, self.options.body_cap, out.deadline, fresh=fresh)
                recorded = record_head(*head, body, truncated)
            else:
                assert out.request is not None  # prepare(plain=False) makes it
                response = await cast("httpx.AsyncBaseTransport", transport
                                      ).handle_async_request(out.request)
                try:
                    body, truncated = await self._read_capped(response, out.deadline)
                finally:
                    await response.aclose()
                recorded = record_response(response, body, truncated)
        except Exception as exc:
            if is_transport_error(exc):
                return Exchange(out.recorded, error=classify(exc, watch),
                                elapsed_ms=ms_since(out.started))
            raise
        return Exchange(out.recorded, response=recorded, elapsed_ms=ms_since(out.started))

    async def _read_capped(self, response: httpx.Response, deadline: float) -> tuple[bytes, bool]:
        capped = CappedBody(self.options.body_cap, deadline)
        stream = response.stream
        assert isinstance(stream, AsyncIterable)  # an async transport's body
        try:
            async for chunk in stream:
                if capped.add(chunk):
                    break
        except Exception:  # noqa: BLE001 - the headers arrived; the verdict needs only them
            capped.stalled()
        return capped.value()
