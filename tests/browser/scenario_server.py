"""A raw-socket HTTP/1.1 server for the browser differential tests.

Why raw sockets: the scenarios need full control over the response bytes
(duplicate header lines, odd casing, empty or padded values), which
``http.server`` and friends normalise away.  Every request is recorded
exactly as received so tests can see preflights and their
``Access-Control-Request-*`` headers.

Virtual hosts (by the ``Host`` header, all on 127.0.0.1):

* ``app.test:PORT``  ``GET /page`` -> a tiny HTML page (the fetch initiator)
* ``api.test:PORT``, ``other.test:PORT`` (and in fact any host)
  ``/s/<scenario>/<anything>?...`` -> the scenario's handler

With ``tls=True`` a second listener on ``tls_port`` speaks HTTPS with a self-signed
certificate for ``*.test``, ``localhost`` and ``127.0.0.1`` (made at start, written to
``cert_file``; the engines are told to accept it), for the pages served over https
(``page="https"`` scenarios: mixed content). Three more listeners serve Local Network Access:
``public_port`` (http) and ``public_tls_port`` (https), which the engines are told to count
as public addresses, and ``private_port``, counted as a private one (:func:`lna_overrides`).

A handler receives a :class:`Request` and returns a :class:`Response`.  The
server appends ``Content-Length`` (unless the handler set one) and
``Connection: close``, then closes the connection.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAGE_HTML = (
    b"<!doctype html><html><head><meta charset=utf-8><title>corsprobe initiator</title>"
    b"<link rel=icon href=data:,></head><body>corsprobe browser test page</body></html>"
)
MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # raw request-target, e.g. "/s/name/start?n=abc"
    path: str  # target without the query
    query: str  # raw query string (no "?")
    params: dict[str, list[str]]
    host: str  # Host header value ("" when absent)
    headers: tuple[tuple[str, str], ...]  # ordered, exactly as received
    body: bytes
    version: str = "HTTP/1.1"
    port: int = 0  # local port the request arrived on

    def header(self, name: str) -> str | None:
        """First value of a header (case-insensitive name), or None."""
        low = name.lower()
        for k, v in self.headers:
            if k.lower() == low:
                return v
        return None

    @property
    def scenario(self) -> str | None:
        parts = self.path.split("/")
        if len(parts) >= 3 and parts[1] == "s":
            return parts[2]
        return None

    @property
    def rest(self) -> str:
        """The path after ``/s/<scenario>`` (always starts with "/" or is "")."""
        parts = self.path.split("/", 3)
        return "/" + parts[3] if len(parts) >= 4 else ""

    @property
    def nonce(self) -> str | None:
        vals = self.params.get("n")
        return vals[0] if vals else None


@dataclass
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    reason: str | None = None


Handler = Callable[[Request], Response]

REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    206: "Partial Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass(frozen=True)
class Record:
    """One request as the server saw it (what the tests inspect)."""

    time: float
    scenario: str | None
    nonce: str | None
    method: str
    host: str
    path: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body_len: int
    port: int

    def header(self, name: str) -> str | None:
        low = name.lower()
        for k, v in self.headers:
            if k.lower() == low:
                return v
        return None

    @property
    def is_preflight(self) -> bool:
        return self.method == "OPTIONS" and self.header("access-control-request-method") is not None

    def as_dict(self) -> dict:
        return {
            "method": self.method,
            "host": self.host,
            "target": self.target,
            "headers": [list(p) for p in self.headers],
            "body_len": self.body_len,
            "is_preflight": self.is_preflight,
        }


class BadRequest(Exception):
    pass


def _read_request(conn: socket.socket, port: int) -> Request | None:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            if buf.strip():
                raise BadRequest("connection closed inside the request head")
            return None  # speculative/pre-connect socket that never spoke
        buf += chunk
        if len(buf) > MAX_HEAD:
            raise BadRequest("request head too large")
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0] or not parts[1] or not parts[2].startswith("HTTP/"):
        raise BadRequest(f"bad request line {lines[0]!r}")
    method, target, version = parts
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if ":" not in line:
            raise BadRequest(f"bad header line {line!r}")
        name, _, value = line.partition(":")
        headers.append((name, value.strip(" \t")))
    length = 0
    for k, v in headers:
        if k.lower() == "content-length":
            try:
                length = int(v)
            except ValueError as exc:
                raise BadRequest("bad content-length") from exc
        if k.lower() == "transfer-encoding" and "chunked" in v.lower():
            raise BadRequest("chunked request bodies are not supported")
    if length < 0 or length > MAX_BODY:
        raise BadRequest("bad content-length")
    body = rest
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    body = body[:length]
    split = urlsplit(target)
    host = next((v for k, v in headers if k.lower() == "host"), "")
    return Request(
        method=method,
        target=target,
        path=split.path,
        query=split.query,
        params=parse_qs(split.query, keep_blank_values=True),
        host=host,
        headers=tuple(headers),
        body=body,
        version=version,
        port=port,
    )


def _encode_response(req_method: str, resp: Response) -> bytes:
    reason = resp.reason if resp.reason is not None else REASONS.get(resp.status, "Status")
    out = [f"HTTP/1.1 {resp.status} {reason}".encode("latin-1")]
    names = {k.lower() for k, _ in resp.headers}
    for k, v in resp.headers:
        out.append(f"{k}: {v}".encode("latin-1") if k else v.encode("latin-1"))
    bodyless = req_method == "HEAD" or resp.status in (204, 304) or 100 <= resp.status < 200
    if "content-length" not in names and resp.status not in (204, 304):
        out.append(f"Content-Length: {len(resp.body)}".encode("latin-1"))
    if "connection" not in names:
        out.append(b"Connection: close")
    data = b"\r\n".join(out) + b"\r\n\r\n"
    if not bodyless:
        data += resp.body
    return data


class ScenarioServer:
    """Threaded raw-socket HTTP/1.1 server; one request per connection.

    ``handlers`` maps scenario name -> handler.  ``extra_ports`` are further
    fixed ports to listen on as well (e.g. 80, for an origin with the default
    port); a port that cannot be bound is reported in ``unavailable_ports``.
    """

    def __init__(
        self, handlers: dict[str, Handler] | None = None, extra_ports: tuple[int, ...] = (),
        tls: bool = False,
    ) -> None:
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self.records: list[Record] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self.port = 0
        self.closed_port = 0  # bound, never listening: connections are refused
        self._closed_sock: socket.socket | None = None
        self.ports: list[int] = []
        self.unavailable_ports: dict[int, str] = {}
        self._extra_ports = extra_ports
        self._tls = tls
        self.tls_port = 0
        # Local Network Access: ports the engines are told to count as a public address (a
        # page served there is public; plain and TLS) and as a private one (a target)
        self.public_port = self.public_tls_port = self.private_port = 0
        self._tls_ports: set[int] = set()
        self.cert_file: str | None = None
        self._ssl: Any = None

    # -- lifecycle ---------------------------------------------------------
    def _listen(self, port: int) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(128)
        s.settimeout(0.2)
        return s

    def start(self) -> ScenarioServer:
        main = self._listen(0)
        self.port = main.getsockname()[1]
        self._socks.append(main)
        for p in self._extra_ports:
            try:
                self._socks.append(self._listen(p))
            except OSError as exc:
                self.unavailable_ports[p] = str(exc)
        if self._tls:
            self._ssl, self.cert_file = _tls_context()
            for attr, tls in (("tls_port", True), ("public_port", False),
                              ("public_tls_port", True), ("private_port", False)):
                sock = self._listen(0)
                setattr(self, attr, sock.getsockname()[1])
                self._socks.append(sock)
                if tls:
                    self._tls_ports.add(sock.getsockname()[1])
        self.ports = [s.getsockname()[1] for s in self._socks]
        self._closed_sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._closed_sock.bind(("127.0.0.1", 0))
        self.closed_port = self._closed_sock.getsockname()[1]
        for s in self._socks:
            t = threading.Thread(
                target=self._accept_loop,
                args=(s,),
                daemon=True,
                name=f"scenario-server-{s.getsockname()[1]}",
            )
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=2)
        for s in self._socks:
            s.close()
        if self._closed_sock is not None:
            self._closed_sock.close()

    def __enter__(self) -> ScenarioServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- origins -----------------------------------------------------------
    def origin(self, host: str = "app.test", port: int | None = None) -> str:
        port = self.port if port is None else port
        return f"http://{host}" if port == 80 else f"http://{host}:{port}"

    # -- records -----------------------------------------------------------
    def requests_for(self, nonce: str) -> list[Record]:
        with self._lock:
            return [r for r in self.records if r.nonce == nonce]

    def clear(self) -> None:
        with self._lock:
            self.records.clear()

    # -- serving -----------------------------------------------------------
    def _accept_loop(self, lsock: socket.socket) -> None:
        port = lsock.getsockname()[1]
        while not self._stop.is_set():
            try:
                conn, _ = lsock.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            threading.Thread(target=self._serve, args=(conn, port), daemon=True).start()

    def _serve(self, conn: socket.socket, port: int) -> None:
        conn.settimeout(10)
        if port in self._tls_ports and self._ssl is not None:
            try:
                conn = self._ssl.wrap_socket(conn, server_side=True)
            except (OSError, ValueError):
                conn.close()  # a refused certificate or a probe that never spoke TLS
                return
        try:
            try:
                req = _read_request(conn, port)
            except BadRequest as exc:
                self._note(f"bad request: {exc}")
                conn.sendall(
                    _encode_response(
                        "GET", Response(400, [("Content-Type", "text/plain")], b"bad request\n")
                    )
                )
                return
            except (TimeoutError, OSError):
                return
            if req is None:
                return
            with self._lock:
                self.records.append(
                    Record(
                        time=time.time(),
                        scenario=req.scenario,
                        nonce=req.nonce,
                        method=req.method,
                        host=req.host,
                        path=req.path,
                        target=req.target,
                        headers=req.headers,
                        body_len=len(req.body),
                        port=port,
                    )
                )
            try:
                resp = self._dispatch(req)
            except Exception as exc:  # a broken handler must not kill the server
                self._note(f"handler error for {req.target}: {exc!r}")
                resp = Response(
                    599,
                    [("Content-Type", "text/plain")],
                    b"handler error\n",
                    reason="Handler Error",
                )
            conn.sendall(_encode_response(req.method, resp))
        except OSError:
            pass
        finally:
            try:
                conn.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            conn.close()

    def _note(self, msg: str) -> None:
        with self._lock:
            self.errors.append(msg)

    def _dispatch(self, req: Request) -> Response:
        hostname = req.host.split(":")[0].lower()
        if req.path == "/page" and hostname == "app.test":
            return Response(
                200,
                [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
                PAGE_HTML,
            )
        name = req.scenario
        if name is not None:
            handler = self.handlers.get(name)
            if handler is None:
                return Response(
                    404, [("Content-Type", "text/plain")], f"unknown scenario {name}\n".encode()
                )
            return handler(req)
        return Response(404, [("Content-Type", "text/plain")], b"not found\n")


def lna_overrides(server: ScenarioServer) -> dict[str, str]:
    """Which of the server's ports the engines count as public and private addresses."""
    if not server.public_port:
        return {}
    return {
        "public": f"127.0.0.1:{server.public_port},127.0.0.1:{server.public_tls_port}",
        "private": f"127.0.0.1:{server.private_port}",
    }


def _tls_context() -> tuple[Any, str]:
    """A server SSLContext with a fresh self-signed certificate, and the certificate's file."""
    import datetime
    import ipaddress
    import ssl
    import tempfile

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "corsprobe scenario server")])
    now = datetime.datetime.now(datetime.timezone.utc)
    sans = [x509.DNSName(n) for n in ("app.test", "api.test", "other.test", "*.test",
                                       "www.app.test", "localhost")]
    sans += [x509.IPAddress(ipaddress.ip_address(a)) for a in ("127.0.0.1", "::1")]
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tempfile.mkdtemp(prefix="corsprobe-tls-")
    cert_file, key_file = f"{folder}/cert.pem", f"{folder}/key.pem"
    with open(cert_file, "wb") as fh:
        fh.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_file, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_file, key_file)
    return ctx, cert_file


if __name__ == "__main__":  # manual poking: python -m tests.browser.scenario_server
    import sys

    from .scenarios import SCENARIOS, make_handlers

    srv = ScenarioServer(extra_ports=(80,)).start()
    srv.handlers.update(make_handlers(SCENARIOS, srv))
    print(f"listening on 127.0.0.1:{srv.port} (also {srv.ports[1:]})", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
