"""In-process applications (``--app``): httpx's ASGI and WSGI transports, recorded like the
network ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import Exchange, HttpRequest, HttpResponse
from .options import TransportOptions, import_httpx
from .record import Outgoing, ms_since, prepare

if TYPE_CHECKING:
    import asyncio
    import threading
    from collections.abc import Coroutine

    import httpx

    from ..apps import Lifespan, LoadedApp


class _AppSender:
    """Shared by :class:`AppTransport` and :class:`AsyncAppTransport`: one ASGI or WSGI app
    (see :mod:`corsprobe.apps`) answering in this process, recorded like a server's answer.

    An exception that escapes the app becomes a bare 500, as uvicorn or a WSGI server
    would answer; what the app logs to ``wsgi.errors`` is kept off the terminal. An ASGI
    app's lifespan startup runs before its first request (:class:`corsprobe.apps.Lifespan`).
    """

    def __init__(self, loaded: LoadedApp, options: TransportOptions | None = None) -> None:
        import io

        self.loaded = loaded
        self.options = options or TransportOptions()
        self._httpx = import_httpx()
        app = loaded.app
        self.errors = io.StringIO()
        self._lifespan: Lifespan | None = None
        if loaded.interface == "asgi":
            from ..apps import Lifespan

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

    def _record(self, out: Outgoing, response: httpx.Response, body: bytes) -> Exchange:
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
        return Exchange(out.recorded, response=recorded, elapsed_ms=ms_since(out.started))

    def _bare_500(self, out: Outgoing) -> Exchange:
        return Exchange(out.recorded, response=HttpResponse(500, "Internal Server Error", ()),
                        elapsed_ms=ms_since(out.started))

    def send_wsgi(self, out: Outgoing) -> Exchange:
        assert self._wsgi is not None
        try:
            response = self._wsgi.handle_request(out.request)
            body = b"".join(response.stream)
        except Exception:  # noqa: BLE001 - the app raised: a server answers 500
            return self._bare_500(out)
        return self._record(out, response, body)

    async def send_asgi(self, out: Outgoing) -> Exchange:
        assert self._asgi is not None and self._lifespan is not None
        await self._lifespan.startup()
        response = await self._asgi.handle_async_request(out.request)
        body = b"".join([part async for part in response.stream])
        return self._record(out, response, body)

    def outgoing(self, request: HttpRequest) -> Outgoing | Exchange:
        return prepare(self._httpx, request, self.options)


class AppTransport(_AppSender):
    """The in-process twin of :class:`Transport` (``check --app``, ``corsprobe.check``).

    An ASGI app runs on one event loop in a helper thread for the transport's lifetime, so
    the blocking ``send`` also works inside a running loop (an async test) and the app sees
    the same loop on every request.
    """

    def __init__(self, loaded: LoadedApp, options: TransportOptions | None = None) -> None:
        super().__init__(loaded, options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def _run(self, coro: Coroutine[object, object, Exchange]) -> Exchange:
        import asyncio
        import threading

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                            name="corsprobe-asgi")
            self._thread.start()
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

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
