"""AsyncTransport: the same wire as the sync Transport (it shares the request building and
the recording), keep-alive connection reuse, and the same error kinds."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from corsprobe.model import HttpRequest
from corsprobe.net import AsyncTransport, Transport, TransportOptions
from corsprobe.runner import run_coroutine
from tests.browser.scenario_server import Response, ScenarioServer

HEADERS = (("Origin", "https://app.example.com"), ("X-Dup", "1"), ("x-dup", "2"),
           ("Content-Type", "application/json"))


def _odd(req):
    return Response(201, [("access-control-allow-origin", "https://app.example.com"),
                          ("Access-Control-Allow-Origin", "https://app.example.com"),
                          ("X-Empty", ""), ("X-Case", "Mixed"), ("Set-Cookie", "a=1"),
                          ("Set-Cookie", "b=2")], b"x" * 200_000, reason="Made Up")


@pytest.fixture(scope="module")
def odd_server():
    with ScenarioServer({"odd": _odd}) as s:
        yield s


def _send_both(request, options=None):
    options = options or TransportOptions()
    with Transport(options) as t:
        sync = t.send(request)

    async def go():
        async with AsyncTransport(options) as t:
            return await t.send(request)

    return sync, run_coroutine(go())


def test_async_records_exactly_what_sync_records(odd_server):
    url = f"http://api.test:{odd_server.port}/s/odd/x?q=1"
    request = HttpRequest("PUT", url, HEADERS, b'{"a": 1}')
    options = TransportOptions(resolve=(("api.test", odd_server.port, "127.0.0.1"),), body_cap=1000)
    sync, asy = _send_both(request, options)
    assert sync.error is None and asy.error is None
    assert asy.request == sync.request
    assert asy.request.headers == (("Host", f"api.test:{odd_server.port}"), *HEADERS,
                                   ("Content-Length", "8"))
    assert asy.response == sync.response
    r = asy.response
    assert (r.status, r.reason) == (201, "Made Up")
    assert [k for k, _ in r.headers][:2] == ["access-control-allow-origin",
                                             "Access-Control-Allow-Origin"]
    assert ("X-Empty", "") in r.headers and r.headers.count(("Set-Cookie", "a=1")) == 1
    assert len(r.body) == 1000 and r.body_truncated
    # and the server received the same bytes from both
    received = [rec for rec in odd_server.records if rec.target == "/s/odd/x?q=1"]
    assert len(received) == 2 and received[0].headers == received[1].headers


class KeepAliveServer:
    """Answers every request on a connection with a small keep-alive response; counts
    connections. ``mode``: ok, garbage (not HTTP), silent (never answers)."""

    def __init__(self, mode="ok", tls=None):
        self.mode = mode
        self.tls = tls
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        buf = b""
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except OSError:  # ssl.SSLError too: the client refused the certificate
                conn.close()
                return
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                _, _, buf = buf.partition(b"\r\n\r\n")
                if self.mode == "silent":
                    conn.recv(1)
                    return
                if self.mode == "garbage":
                    conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
                    return
                conn.sendall(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\n"
                             b"Content-Length: 2\r\n\r\nok")

    def close(self):
        self.stop = True
        self.sock.close()


def test_connections_are_reused():
    server = KeepAliveServer()
    url = f"http://127.0.0.1:{server.port}/x"

    async def go():
        async with AsyncTransport(TransportOptions()) as t:
            for _ in range(10):
                ex = await t.send(HttpRequest("GET", url, ()))
                assert ex.response is not None and ex.response.body == b"ok"
            first = server.connections
            exchanges = await asyncio.gather(*(t.send(HttpRequest("GET", url, ())) for _ in range(8)))
            assert all(e.response is not None for e in exchanges)
            return first

    try:
        first = run_coroutine(go())
    finally:
        server.close()
    assert first == 1
    assert server.connections <= 8


@pytest.mark.parametrize("mode,kind", [("garbage", "protocol"), ("silent", "timeout")])
def test_error_kinds_match_the_sync_transport(mode, kind):
    server = KeepAliveServer(mode)
    try:
        sync, asy = _send_both(HttpRequest("GET", f"http://127.0.0.1:{server.port}/", ()),
                               TransportOptions(timeout=0.5))
    finally:
        server.close()
    assert sync.error is not None and asy.error is not None
    assert sync.error.kind == asy.error.kind == kind
    assert asy.request == sync.request


def test_connect_refused_is_a_connect_error(odd_server):
    sync, asy = _send_both(HttpRequest("GET", f"http://127.0.0.1:{odd_server.closed_port}/", ()))
    assert sync.error.kind == asy.error.kind == "connect"


def test_httpx_engine_gives_the_same_record(odd_server):
    url = f"http://127.0.0.1:{odd_server.port}/s/odd/y"
    request = HttpRequest("GET", url, HEADERS[:3])

    async def go(engine):
        async with AsyncTransport(TransportOptions(body_cap=10), engine=engine) as t:
            return await t.send(request)

    pool, httpx_engine = run_coroutine(go("pool")), run_coroutine(go("httpx"))
    assert pool.request == httpx_engine.request and pool.response == httpx_engine.response


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """A keep-alive HTTPS server on 127.0.0.1 with a self-signed certificate for api.test."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=api.test", "-addext", "subjectAltName=DNS:api.test",
                    "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")],
                   check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    server = KeepAliveServer(tls=ctx)
    yield server, str(d / "cert.pem")
    server.close()


def test_https_through_the_pool_with_sni_and_verification(tls_server):
    server, cacert = tls_server
    url = f"https://api.test:{server.port}/x"
    resolve = (("api.test", server.port, "127.0.0.1"),)

    async def go(options):
        async with AsyncTransport(options) as t:
            return [await t.send(HttpRequest("GET", url, ())) for _ in range(3)]

    verified = run_coroutine(go(TransportOptions(resolve=resolve, cacert=cacert)))
    assert all(e.response is not None and e.response.status == 200 for e in verified), verified[0]
    untrusted = run_coroutine(go(TransportOptions(resolve=resolve, timeout=3)))
    assert untrusted[0].error is not None and untrusted[0].error.kind == "tls"
    insecure = run_coroutine(go(TransportOptions(resolve=resolve, insecure=True)))
    assert insecure[0].response is not None
