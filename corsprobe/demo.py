"""`corsprobe demo`: a small API with typical CORS mistakes, on an ephemeral loopback port.

The API behaves like the servers developers really run: an allow list with a trailing slash,
a preflight that forgets PUT, a crash outside the CORS layer, a wildcard with credentials, a
header the page needs but cannot read, and a redirect answered before CORS.
"""

from __future__ import annotations

import http.server
import sys
import threading
from typing import Any

from .model import RequestSpec

PAGE = "http://localhost:5173"
ALLOWED = {"http://localhost:5173"}


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "corsprobe-demo/1"
    sys_version = ""
    wbufsize = 65536

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes = b"") -> None:
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _cors(self, allow: set[str] = ALLOWED) -> list[tuple[str, str]]:
        origin = self.headers.get("Origin", "")
        if origin in allow:
            return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        return [("Vary", "Origin")]

    def do_OPTIONS(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        if path == "/api/users":
            # mistake: the allow list was written with a trailing slash
            self._send(204, self._cors({"http://localhost:5173/"}) + [
                ("Access-Control-Allow-Methods", "GET, POST")])
        elif path.startswith("/api/orders"):
            # mistake: PUT is not in the list
            self._send(204, self._cors() + [("Access-Control-Allow-Methods", "GET, POST"),
                                            ("Access-Control-Allow-Headers", "content-type"),
                                            ("Access-Control-Max-Age", "600")])
        else:
            self._send(204, self._cors() + [("Access-Control-Allow-Methods", "GET, POST, PUT"),
                                            ("Access-Control-Allow-Headers", "content-type"),
                                            ("Access-Control-Max-Age", "600")])

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?")[0]
        json_type = [("Content-Type", "application/json")]
        if path == "/api/users":
            self._send(200, json_type + self._cors({"http://localhost:5173/"}), b"[]")
        elif path == "/api/boom":
            # mistake: the error page is rendered outside the CORS layer
            self._send(500, [("Content-Type", "text/plain")], b"Internal Server Error")
        elif path == "/api/me":
            # mistake: a wildcard with credentials
            self._send(200, json_type + [("Access-Control-Allow-Origin", "*"),
                                         ("Access-Control-Allow-Credentials", "true")], b"{}")
        elif path == "/api/items":
            # mistake: X-Total-Count is sent but not exposed
            self._send(200, json_type + self._cors() + [("X-Total-Count", "3")], b"[1,2,3]")
        elif path == "/api/reports":
            # mistake: a trailing-slash redirect answered before the CORS layer
            self._send(301, [("Location", "/api/reports/")])
        else:
            self._send(200, json_type + self._cors(), b"{}")

    do_HEAD = do_GET


def checks(base: str) -> list[tuple[str, RequestSpec]]:
    def spec(path: str, **kw: Any) -> RequestSpec:
        return RequestSpec(url=base + path, origin=PAGE, **kw)

    return [
        ("A GET refused because the allow list has a trailing slash", spec("/api/users")),
        ("A PUT the preflight does not allow", spec(
            "/api/orders/7", method="PUT", headers=(("Content-Type", "application/json"),))),
        ("A server error that looks like a CORS error", spec("/api/boom")),
        ("Cookies with Access-Control-Allow-Origin: *", spec("/api/me", credentials=True)),
        ("A header the page needs but cannot read", spec(
            "/api/items", expect_headers=("X-Total-Count",))),
        ("A redirect answered before the CORS layer", spec("/api/reports")),
    ]


def run_demo(fmt: str, color: bool | None) -> None:
    from .core import check
    from .render import DEMO, reporter

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        items = checks(base)
        out = reporter(DEMO, fmt, sys.stdout, color)
        out.start({"base": base, "page": PAGE, "total": len(items)})
        for title, spec in items:
            out.result({"title": title, "report": check(spec).data})
        out.finish({})
    finally:
        server.shutdown()
        server.server_close()
