"""Ground truth: each real layer (nginx, Apache httpd, Caddy, Varnish) in front of a real
framework app answers as tests/stacks/README.md says.  Plain httpx requests; header lines
are read raw (``response.headers.raw``: duplicates, order and letter case kept)."""

from __future__ import annotations

import httpx
import pytest

from .servers import CASES, versions

APP = "https://app.example.com"  # allowed by every app
OTHER = "https://other.example.com"  # refused by every app
WERKZEUG = "Werkzeug/3.1.8 Python/3.11.7"
NGINX = "nginx/1.22.1"
APACHE = "Apache/2.4.71 (Debian)"
VIA_VARNISH = "1.1 varnish (Varnish/7.1)"
NGINX_PAGE = (
    "<html>\r\n<head><title>{s}</title></head>\r\n<body>\r\n<center><h1>{s}</h1></center>\r\n"
    "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n"
)
APACHE_503 = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">'
    "\n<html><head>\n<title>503 Service Unavailable</title>\n</head><body>\n"
    "<h1>Service Unavailable</h1>\n<p>The server is temporarily unable to service your\n"
    "request due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n"
    "</body></html>\n"
)


@pytest.fixture(scope="module", autouse=True)
def _start_all(stack_pool):
    stack_pool.prestart(CASES)  # apps and layers in parallel: ~2 s


def send(method, url, origin=APP, headers=None, **kw) -> httpx.Response:
    h = {"Origin": origin} if origin else {}
    h.update(headers or {})
    return httpx.request(method, url, headers=h, timeout=10, **kw)


def preflight(url, method="PUT", request_headers="authorization, content-type", origin=APP):
    return send("OPTIONS", url, origin, {"Access-Control-Request-Method": method,
                                         "Access-Control-Request-Headers": request_headers})


def lines(r: httpx.Response, name: str) -> list[tuple[str, str]]:
    """Every raw line of header ``name`` as (name as sent, value), in wire order."""
    return [(k.decode(), v.decode()) for k, v in r.headers.raw
            if k.decode().lower() == name.lower()]


def values(r, name):
    return [v for _, v in lines(r, name)]


def cors_names(r) -> list[str]:
    return [k.decode() for k, _ in r.headers.raw
            if k.decode().lower().startswith("access-control-")]


def test_versions():
    v = versions()
    assert v["/usr/sbin/nginx"] == "nginx version: nginx/1.22.1"
    assert v["/usr/sbin/apache2"] == "Server version: Apache/2.4.71 (Debian)"
    assert v["/usr/bin/caddy"] == "2.6.2"
    assert v["/usr/sbin/varnishd"].startswith("varnishd (varnish-7.1.1 revision")


# --------------------------------------------------------------------------- nginx


class TestNginx:
    def test_correct_replaces_server_keeps_app_case(self, stack_server):
        base = stack_server("nginx_correct")  # fastapi/correct behind
        r = send("GET", base + "/api/users")
        assert values(r, "server") == [NGINX]  # uvicorn's Server is hidden
        assert values(r, "connection") == ["keep-alive"]
        assert lines(r, "access-control-allow-origin") == [("access-control-allow-origin", APP)]
        assert lines(r, "x-request-id") == [("x-request-id", "req-1")]  # uvicorn's lower case
        assert not lines(r, "via") and not lines(r, "age")
        p = preflight(base + "/api/users")
        assert p.status_code == 200 and p.text == "OK" and values(p, "server") == [NGINX]
        assert "Authorization" in p.headers["access-control-allow-headers"]

    def test_duplicate_app_line_first_then_nginx(self, stack_server):
        base = stack_server("nginx_duplicate")  # flask/correct behind
        r = send("GET", base + "/api/users")
        assert lines(r, "access-control-allow-origin") == [
            ("Access-Control-Allow-Origin", APP), ("Access-Control-Allow-Origin", "*")]
        assert values(r, "access-control-allow-credentials") == ["true", "true"]
        assert values(r, "server") == [NGINX]
        p = preflight(base + "/api/users")
        assert p.status_code == 200
        assert values(p, "access-control-allow-origin") == [APP, "*"]
        # a refused origin: only nginx's '*' (flask sends nothing)
        assert values(send("GET", base + "/api/users", OTHER),
                      "access-control-allow-origin") == ["*"]

    def test_no_always_only_on_success(self, stack_server):
        base = stack_server("nginx_no_always")  # flask/no_cors behind
        ok = send("GET", base + "/api/users")
        assert ok.status_code == 200 and values(ok, "access-control-allow-origin") == [APP]
        boom = send("GET", base + "/api/boom")
        assert boom.status_code == 500 and cors_names(boom) == []
        assert values(boom, "server") == [NGINX]
        assert "<title>500 Internal Server Error</title>" in boom.text  # Werkzeug's page
        big = send("POST", base + "/api/users", headers={"Content-Type": "text/plain"},
                   content=b"x" * 2048)
        assert big.status_code == 413 and big.reason_phrase == "Request Entity Too Large"
        assert cors_names(big) == [] and values(big, "connection") == ["close"]
        assert big.text == NGINX_PAGE.format(s="413 Request Entity Too Large")
        assert values(big, "content-type") == ["text/html"]
        down = send("GET", base + "/down/x")
        assert down.status_code == 502 and cors_names(down) == []
        assert down.text == NGINX_PAGE.format(s="502 Bad Gateway")
        p = preflight(base + "/api/users")  # Flask's own OPTIONS 200 + nginx's two lines
        assert p.status_code == 200 and cors_names(p) == [
            "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"]

    def test_options_answered_by_nginx(self, stack_server):
        base = stack_server("nginx_options")  # fastapi/correct behind, never sees OPTIONS
        p = preflight(base + "/api/users")
        assert p.status_code == 204 and p.content == b""
        assert values(p, "server") == [NGINX] and not lines(p, "vary")
        assert values(p, "access-control-allow-headers") == ["Content-Type, X-Custom"]
        assert values(p, "access-control-allow-origin") == [APP]
        assert values(p, "access-control-allow-methods") == ["GET, POST, PUT, DELETE"]
        # every origin gets the same fixed answer
        assert values(preflight(base + "/api/users", origin=OTHER),
                      "access-control-allow-origin") == [APP]
        r = send("PUT", base + "/api/users/1", headers={"Authorization": "Bearer x"})
        assert r.status_code == 200 and values(r, "access-control-allow-origin") == [APP]

    def test_nested_location_drops_server_level_headers(self, stack_server):
        base = stack_server("nginx_nested")  # flask/no_cors behind
        r = send("GET", base + "/api/users")
        assert values(r, "access-control-allow-origin") == [APP]
        priv = send("GET", base + "/api/private", headers={"Authorization": "Bearer good"})
        assert priv.status_code == 200 and cors_names(priv) == []
        assert values(priv, "x-frame-options") == ["DENY"]

    def test_slash_redirect_by_nginx(self, stack_pool, stack_server):
        stack_server("nginx_slash")
        srv = stack_pool.server("nginx_slash")
        for method in ("GET", "OPTIONS"):
            r = send(method, srv.base_url + "/api",
                     headers={"Access-Control-Request-Method": "PUT"}
                     if method == "OPTIONS" else None)
            assert r.status_code == 301 and cors_names(r) == []
            assert values(r, "location") == [srv.base_url + "/api/"]
            assert values(r, "server") == [NGINX] and values(r, "content-type") == ["text/html"]
            assert r.text == NGINX_PAGE.format(s="301 Moved Permanently")
        assert send("GET", srv.base_url + "/api/users").status_code == 200
        r = send("GET", srv.url2 + "/api/users")
        assert r.status_code == 301 and cors_names(r) == []
        assert values(r, "location") == ["https://127.0.0.1/api/users"]  # $host: no port
        assert r.text == NGINX_PAGE.format(s="301 Moved Permanently")


class TestNginxCache:
    def test_novary_serves_one_origins_answer_to_another(self, stack_server):
        base = stack_server("nginx_cache_novary")  # flask/no_expose: no Vary
        u = base + "/api/users?t=novary-b-first"
        b = send("GET", u, OTHER)
        assert values(b, "x-cache-status") == ["MISS"] and cors_names(b) == []
        a = send("GET", u, APP)  # the refusal, cached, served to the allowed origin
        assert values(a, "x-cache-status") == ["HIT"] and cors_names(a) == []
        assert not lines(a, "vary") and not lines(a, "age")  # nginx adds no Age
        u = base + "/api/users?t=novary-a-first"
        assert values(send("GET", u, APP), "x-cache-status") == ["MISS"]
        b = send("GET", u, OTHER)
        assert values(b, "x-cache-status") == ["HIT"]
        assert values(b, "access-control-allow-origin") == [APP]  # A's ACAO to origin B
        p = preflight(base + "/api/users")  # OPTIONS is not cached: no X-Cache-Status
        assert p.status_code == 200 and not lines(p, "x-cache-status")

    def test_vary_keeps_origins_apart(self, stack_server):
        base = stack_server("nginx_cache_vary")  # flask/correct: Vary: Origin
        u = base + "/api/users?t=vary"
        b = send("GET", u, OTHER)
        assert values(b, "x-cache-status") == ["MISS"] and values(b, "vary") == ["Origin"]
        a = send("GET", u, APP)
        assert values(a, "x-cache-status") == ["MISS"]
        assert values(a, "access-control-allow-origin") == [APP]
        a2 = send("GET", u, APP)
        assert values(a2, "x-cache-status") == ["HIT"]
        assert values(a2, "access-control-allow-origin") == [APP]
        assert cors_names(send("GET", u, OTHER)) == []  # B's own variant


# --------------------------------------------------------------------------- Varnish


def varnish_ids(r) -> list[str]:
    return values(r, "x-varnish")[0].split()


class TestVarnish:
    def test_default_headers(self, stack_server):
        r = send("GET", stack_server("varnish_vary") + "/api/users?t=headers")
        assert values(r, "server") == [WERKZEUG]  # the app's, passed through
        assert values(r, "via") == [VIA_VARNISH]
        assert len(varnish_ids(r)) == 1 and values(r, "age") == ["0"]
        assert values(r, "accept-ranges") == ["bytes"]
        assert [k for k, _ in lines(r, "x-varnish")] == ["X-Varnish"]

    def test_novary_caches_the_refusal_and_serves_it_to_the_allowed_origin(
            self, stack_server):
        base = stack_server("varnish_novary")  # flask/no_expose: no Vary
        u = base + "/api/users?t=poison"
        b = send("GET", u, OTHER)
        assert b.status_code == 200 and cors_names(b) == [] and len(varnish_ids(b)) == 1
        a = send("GET", u, APP)
        # "<this request's vxid> <vxid of the backend fetch that stored the object>"
        assert len(varnish_ids(a)) == 2
        assert cors_names(a) == []  # cache poisoning: the allowed origin gets no ACAO
        u = base + "/api/users?t=leak"
        a = send("GET", u, APP)
        b = send("GET", u, OTHER)
        assert len(varnish_ids(b)) == 2 and values(b, "access-control-allow-origin") == [APP]
        p = preflight(base + "/api/users")  # builtin VCL: OPTIONS is passed, never cached
        assert len(varnish_ids(p)) == 1 and values(p, "access-control-allow-origin") == [APP]
        assert len(varnish_ids(preflight(base + "/api/users"))) == 1

    def test_vary_keeps_origins_apart(self, stack_server):
        base = stack_server("varnish_vary")  # flask/correct: Vary: Origin
        u = base + "/api/users?t=vary"
        b = send("GET", u, OTHER)
        a = send("GET", u, APP)
        assert len(varnish_ids(a)) == 1 and values(a, "access-control-allow-origin") == [APP]
        a2 = send("GET", u, APP)
        assert len(varnish_ids(a2)) == 2 and values(a2, "access-control-allow-origin") == [APP]
        assert cors_names(b) == [] and values(a2, "vary") == ["Origin"]

    def test_correct_hashes_origin(self, stack_server):
        base = stack_server("varnish_correct")  # flask/no_expose, vcl_hash adds Origin
        u = base + "/api/users?t=hash"
        b = send("GET", u, OTHER)
        a = send("GET", u, APP)
        assert len(varnish_ids(a)) == 1 and values(a, "access-control-allow-origin") == [APP]
        assert not lines(a, "vary")
        a2 = send("GET", u, APP)
        assert len(varnish_ids(a2)) == 2 and values(a2, "access-control-allow-origin") == [APP]
        assert cors_names(b) == []


# --------------------------------------------------------------------------- Apache


class TestApache:
    def test_correct_passes_app_server_and_case(self, stack_server):
        base = stack_server("apache_correct")  # fastapi/correct behind
        r = send("GET", base + "/api/users")
        assert values(r, "server") == ["uvicorn"]  # the app's Server, passed through
        assert lines(r, "access-control-allow-origin") == [("access-control-allow-origin", APP)]
        assert values(r, "connection") == ["Keep-Alive"]
        assert values(r, "keep-alive") == ["timeout=5, max=100"]
        assert not lines(r, "via")

    def test_own_error_is_503_in_house_style(self, stack_server):
        r = send("GET", stack_server("apache_correct") + "/down/x")
        assert r.status_code == 503 and r.reason_phrase == "Service Unavailable"
        assert values(r, "server") == [APACHE]
        assert values(r, "content-type") == ["text/html; charset=iso-8859-1"]
        assert r.text == APACHE_503 and cors_names(r) == []

    def test_duplicate_always_set_apache_line_first(self, stack_server):
        base = stack_server("apache_duplicate")  # flask/correct behind
        r = send("GET", base + "/api/users")
        assert lines(r, "access-control-allow-origin") == [
            ("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Origin", APP)]
        assert values(r, "access-control-allow-credentials") == ["true", "true"]
        assert values(r, "server") == [WERKZEUG]
        boom = send("GET", base + "/api/boom")
        assert boom.status_code == 500 and values(boom, "access-control-allow-origin") == [
            "*", APP]
        down = send("GET", base + "/down/x")
        assert down.status_code == 503 and values(down, "access-control-allow-origin") == ["*"]
        assert down.text == APACHE_503

    def test_set_without_always(self, stack_server):
        base = stack_server("apache_no_always")  # flask/no_cors behind
        assert values(send("GET", base + "/api/users"), "access-control-allow-origin") == [APP]
        boom = send("GET", base + "/api/boom")  # a proxied 500 still gets 'Header set'
        assert boom.status_code == 500 and values(boom, "access-control-allow-origin") == [APP]
        down = send("GET", base + "/down/x")  # Apache's own error does not
        assert down.status_code == 503 and cors_names(down) == []


# --------------------------------------------------------------------------- Caddy


class TestCaddy:
    def test_correct_two_server_lines_canonical_case(self, stack_server):
        base = stack_server("caddy_correct")  # fastapi/correct behind
        r = send("GET", base + "/api/users")
        assert values(r, "server") == ["Caddy", "uvicorn"]  # Caddy's first
        # Go canonicalises names: uvicorn's x-request-id -> X-Request-Id
        assert lines(r, "x-request-id") == [("X-Request-Id", "req-1")]
        assert lines(r, "access-control-allow-origin") == [("Access-Control-Allow-Origin", APP)]
        names = [k.decode() for k, _ in r.headers.raw]
        assert names == sorted(names)  # written in sorted order
        assert not lines(r, "via")

    def test_own_502_is_empty(self, stack_server):
        r = send("GET", stack_server("caddy_correct") + "/down/x")
        assert r.status_code == 502 and r.content == b""
        assert [(k.decode(), v.decode()) for k, v in r.headers.raw if k != b"Date"] == [
            ("Server", "Caddy"), ("Content-Length", "0")]

    def test_duplicate_caddy_line_first(self, stack_server):
        base = stack_server("caddy_duplicate")  # flask/correct behind
        r = send("GET", base + "/api/users")
        assert values(r, "access-control-allow-origin") == ["*", APP]
        assert values(r, "server") == ["Caddy", WERKZEUG]
        assert values(r, "access-control-allow-credentials") == ["true"]  # only the app's
        boom = send("GET", base + "/api/boom")
        assert boom.status_code == 500 and values(boom, "access-control-allow-origin") == [
            "*", APP]
        down = send("GET", base + "/down/x")  # set before proxying: also on Caddy's 502
        assert down.status_code == 502 and values(down, "access-control-allow-origin") == ["*"]
