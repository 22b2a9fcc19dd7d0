"""The only module that talks to the network (and the only one importing httpx).

It sends one request exactly as given (no default headers, no redirect following, no
proxies from the environment, no decompression) and records the response's status and
header lines in order, duplicates and letter case included, plus a capped body excerpt.
"""

from __future__ import annotations

import sys
import time
import types
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import Exchange, HttpRequest, HttpResponse, NetError

if TYPE_CHECKING:
    import httpx

BODY_CAP = 64 * 1024


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
    body_cap: int = BODY_CAP


def _classify(exc: Exception) -> NetError:
    httpx = sys.modules["httpx"]
    text = str(exc) or exc.__class__.__name__
    low = text.lower()
    if isinstance(exc, httpx.TimeoutException):
        return NetError("timeout", f"timed out ({exc.__class__.__name__}): {text}")
    if "ssl" in low or "certificate" in low or "tls" in low:
        return NetError("tls", f"TLS failure: {text}")
    if isinstance(exc, httpx.ConnectError):
        if "name or service not known" in low or "nodename nor servname" in low or (
            "getaddrinfo" in low or "temporary failure in name resolution" in low
        ):
            return NetError("dns", f"cannot resolve host: {text}")
        return NetError("connect", f"cannot connect: {text}")
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return NetError("protocol", f"the server did not answer with valid HTTP: {text}")
    if isinstance(exc, httpx.ReadError):
        return NetError("read", f"connection failed while reading: {text}")
    return NetError("transport", f"{exc.__class__.__name__}: {text}")


class Transport:
    """Sends :class:`HttpRequest` objects; creates TLS contexts only for https targets."""

    def __init__(self, options: TransportOptions) -> None:
        self.options = options
        self._httpx = _import_httpx()
        self._plain: httpx.HTTPTransport | None = None
        self._tls: httpx.HTTPTransport | None = None

    def _transport(self, scheme: str) -> httpx.HTTPTransport:
        httpx = self._httpx
        if scheme == "https":
            if self._tls is None:
                verify: object = False if self.options.insecure else True
                if self.options.cacert and not self.options.insecure:
                    import ssl

                    verify = ssl.create_default_context(cafile=self.options.cacert)
                self._tls = httpx.HTTPTransport(verify=verify, trust_env=False)  # type: ignore[arg-type]
            return self._tls
        if self._plain is None:
            # verify=False builds a bare SSLContext without loading any CA file: cheap.
            self._plain = httpx.HTTPTransport(verify=False, trust_env=False)
        return self._plain

    def close(self) -> None:
        for t in (self._plain, self._tls):
            if t is not None:
                t.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, request: HttpRequest) -> Exchange:
        httpx = self._httpx
        started = time.perf_counter()
        try:
            url = httpx.URL(request.url)
        except Exception as exc:  # noqa: BLE001 - any parse failure is a usage problem upstream
            return Exchange(request, error=NetError("url", f"invalid URL: {exc}"))
        host, port = url.host, url.port or (443 if url.scheme == "https" else 80)
        authority = url.netloc.decode("ascii").rpartition("@")[2]
        headers = [("Host", authority), *request.headers]
        extensions: dict[str, object] = {}
        target = url.copy_with(username=None, password=None) if url.userinfo else url
        for r_host, r_port, r_addr in self.options.resolve:
            if r_host.lower() in (host.lower(), "*") and r_port == port:
                target = target.copy_with(host=r_addr)
                extensions["sni_hostname"] = host
                break
        timeout = httpx.Timeout(self.options.timeout)
        extensions["timeout"] = timeout.as_dict()
        req = httpx.Request(
            request.method, target, headers=headers, content=request.body, extensions=extensions
        )
        req.method = request.method  # httpx upper-cases; fetch() sends `patch` as written
        sent = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in req.headers.raw)
        recorded = HttpRequest(request.method, request.url, sent, request.body)
        deadline = started + self.options.timeout
        try:
            response = self._transport(url.scheme).handle_request(req)
            try:
                body, truncated = self._read_capped(response, deadline)
            finally:
                response.close()
        except Exception as exc:  # noqa: BLE001 - mapped to a NetError kind
            if exc.__class__.__module__.startswith(("httpx", "httpcore", "ssl")) or isinstance(
                exc, OSError
            ):
                return Exchange(recorded, error=_classify(exc), elapsed_ms=_ms(started))
            raise
        reason = response.extensions.get("reason_phrase", b"")
        version = response.extensions.get("http_version", b"HTTP/1.1")
        result = HttpResponse(
            status=response.status_code,
            reason=reason.decode("latin-1") if isinstance(reason, bytes) else str(reason),
            headers=tuple(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
            ),
            body=body,
            http_version=version.decode("ascii") if isinstance(version, bytes) else str(version),
            body_truncated=truncated,
        )
        return Exchange(recorded, response=result, elapsed_ms=_ms(started))

    def _read_capped(self, response: httpx.Response, deadline: float) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        cap = self.options.body_cap
        try:
            for chunk in response.stream:  # type: ignore[union-attr]
                chunks.append(chunk)
                size += len(chunk)
                if size >= cap:
                    return b"".join(chunks)[:cap], True
                if time.perf_counter() > deadline:
                    return b"".join(chunks), True
        except Exception:  # noqa: BLE001 - the headers arrived; the verdict needs only them
            return b"".join(chunks), True
        return b"".join(chunks), False


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
