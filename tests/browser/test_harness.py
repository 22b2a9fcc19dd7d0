"""The scenario server itself: raw bytes out, exact records in, robust to junk."""

from __future__ import annotations

import socket

import pytest

from .scenario_server import Response, ScenarioServer

pytestmark = pytest.mark.browser


def _raw(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        chunks = []
        while True:
            c = s.recv(65536)
            if not c:
                break
            chunks.append(c)
    return b"".join(chunks)


@pytest.fixture()
def server():
    def dup(req):
        return Response(
            201,
            [
                ("access-control-allow-origin", "*"),
                ("Access-Control-Allow-Origin", " x "),
                ("X-Empty", ""),
            ],
            b"hey",
            reason="Made",
        )

    with ScenarioServer({"dup": dup, "boom": lambda req: 1 / 0}) as srv:
        yield srv


def test_response_bytes_are_exact(server):
    out = _raw(
        server.port, b"GET /s/dup/a?n=abc HTTP/1.1\r\nHost: api.test\r\nX-A: 1\r\nx-a: 2\r\n\r\n"
    )
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.split(b"\r\n") == [
        b"HTTP/1.1 201 Made",
        b"access-control-allow-origin: *",
        b"Access-Control-Allow-Origin:  x ",
        b"X-Empty: ",
        b"Content-Length: 3",
        b"Connection: close",
    ]
    assert body == b"hey"
    [rec] = server.requests_for("abc")
    assert rec.scenario == "dup" and rec.method == "GET" and rec.path == "/s/dup/a"
    assert rec.headers == (("Host", "api.test"), ("X-A", "1"), ("x-a", "2"))


def test_junk_does_not_kill_the_server(server):
    assert _raw(server.port, b"NONSENSE\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert _raw(server.port, b"GET /s/boom/x?n=b HTTP/1.1\r\nHost: a\r\n\r\n").startswith(
        b"HTTP/1.1 599"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5):
        pass  # connect and hang up without a byte
    out = _raw(server.port, b"GET /page HTTP/1.1\r\nHost: app.test:1\r\n\r\n")
    assert out.startswith(b"HTTP/1.1 200") and b"<!doctype html>" in out
    assert any("bad request" in e for e in server.errors)
