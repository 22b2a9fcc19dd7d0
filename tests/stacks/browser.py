"""Chromium's verdict on a stack: a page whose origin is ``https://app.example.com`` (or
``https://other.example.com``) fetches ``http://127.0.0.1:PORT/...`` from a layer.

The page is served over TLS by :class:`PageServer` (a self-signed certificate from
tests/browser/scenario_server.py, accepted by the browser context).  Chromium maps those two
names to the page server's port (``--host-resolver-rules``, which replaces the rules of
tests/browser/chromium.py: the last switch wins); every other name still fails to resolve,
so the browser never reaches outside 127.0.0.0/8.  Page and target both resolve to loopback,
so Local Network Access has nothing to restrict, and http://127.0.0.1 is potentially
trustworthy, so an https page may fetch it (no mixed content).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.browser.chromium import Chromium, FetchSpec
from tests.browser.scenario_server import PAGE_HTML, _tls_context

PAGE_HOSTS = ("app.example.com", "other.example.com")


class _Page(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(PAGE_HTML)))
        self.end_headers()
        self.wfile.write(PAGE_HTML)

    def log_message(self, *args):
        pass


class PageServer:
    """https://<any host>/page -> the initiator page, on 127.0.0.1:port."""

    def __enter__(self) -> PageServer:
        ctx, _ = _tls_context()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def resolver_args(page_port: int) -> tuple[str, ...]:
    maps = ", ".join(f"MAP {h} 127.0.0.1:{page_port}" for h in PAGE_HOSTS)
    return (f"--host-resolver-rules={maps}, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, "
            "EXCLUDE localhost",)


def chromium_verdict(chromium: Chromium, url: str, method: str = "GET", headers=(),
                     credentials: bool = False, body: str | None = None,
                     page_origin: str = "https://app.example.com"):
    """(allowed, CDP Network.CorsError name or None, status seen by JS or None) of one fetch
    in a fresh context (its own HTTP and preflight caches)."""
    res = chromium.run(FetchSpec(page_url=page_origin + "/page", url=url, method=method,
                                 headers=tuple(headers), credentials=credentials, body=body))
    return res.allowed, res.cors_error, res.status


def chromium_result(chromium: Chromium, url: str, method: str = "GET", headers=(),
                    credentials: bool = False, body: str | None = None,
                    page_origin: str = "https://app.example.com"):
    """The full BrowserResult (console, issues, net error) of the same fetch."""
    return chromium.run(FetchSpec(page_url=page_origin + "/page", url=url, method=method,
                                  headers=tuple(headers), credentials=credentials, body=body))
