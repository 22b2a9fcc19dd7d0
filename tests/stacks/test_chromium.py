"""Chromium's verdict on each stack case: a page at https://app.example.com (the origin every
app allows; https://other.example.com is refused by every app) fetches the case's key
request from the layer.  Each fetch runs in a fresh browser context, so only the layer's
cache is shared between fetches.  Verdicts as observed (Debian chromium); README table."""

from __future__ import annotations

import pytest

from .browser import chromium_verdict
from .servers import CASES

APP = "https://app.example.com"
OTHER = "https://other.example.com"
AUTH_PUT = dict(method="PUT", headers=(("Authorization", "Bearer good"),
                                       ("Content-Type", "application/json")), body="{}")

# case -> [(label, path, fetch options, (allowed, CorsError, status))]
VERDICTS = {
    "nginx_correct": [
        ("credentialed GET", "/api/users", dict(credentials=True), (True, None, 200)),
        ("PUT + Authorization", "/api/users/1", AUTH_PUT, (True, None, 200)),
    ],
    "nginx_duplicate": [
        ("credentialed GET", "/api/users", dict(credentials=True),
         (False, "MultipleAllowOriginValues", None)),
        ("GET", "/api/users", {}, (False, "MultipleAllowOriginValues", None)),
    ],
    "nginx_no_always": [
        ("GET 200", "/api/users", {}, (True, None, 200)),
        ("GET app 500", "/api/boom", {}, (False, "MissingAllowOriginHeader", None)),
        ("POST over client_max_body_size (413)", "/api/users",
         dict(method="POST", headers=(("Content-Type", "text/plain"),), body="x" * 2048),
         (False, "MissingAllowOriginHeader", None)),
        ("GET nginx 502", "/down/x", {}, (False, "MissingAllowOriginHeader", None)),
    ],
    "nginx_options": [
        ("PUT + Authorization", "/api/users/1", AUTH_PUT,
         (False, "HeaderDisallowedByPreflightResponse", None)),
        ("PUT + X-Custom", "/api/users/1",
         dict(method="PUT", headers=(("X-Custom", "1"),)), (True, None, 200)),
    ],
    "nginx_nested": [
        ("GET /api/users", "/api/users", {}, (True, None, 200)),
        ("credentialed GET /api/private", "/api/private", dict(credentials=True),
         (False, "MissingAllowOriginHeader", None)),
    ],
    "nginx_slash": [
        ("GET /api (nginx 301)", "/api", {}, (False, "MissingAllowOriginHeader", None)),
    ],
    "apache_correct": [
        ("credentialed GET", "/api/users", dict(credentials=True), (True, None, 200)),
        ("PUT + Authorization", "/api/users/1", AUTH_PUT, (True, None, 200)),
    ],
    "apache_duplicate": [
        ("credentialed GET", "/api/users", dict(credentials=True),
         (False, "MultipleAllowOriginValues", None)),
        ("GET Apache 503", "/down/x", {}, (True, None, 503)),
    ],
    "apache_no_always": [
        ("GET app 500", "/api/boom", {}, (True, None, 500)),
        ("GET Apache 503", "/down/x", {}, (False, "MissingAllowOriginHeader", None)),
    ],
    "caddy_correct": [
        ("credentialed GET", "/api/users", dict(credentials=True), (True, None, 200)),
        ("PUT + Authorization", "/api/users/1", AUTH_PUT, (True, None, 200)),
    ],
    "caddy_duplicate": [
        ("credentialed GET", "/api/users", dict(credentials=True),
         (False, "MultipleAllowOriginValues", None)),
        ("GET Caddy 502", "/down/x", {}, (True, None, 502)),
    ],
}

# cache cases: other.example.com fetches first (fills the layer's cache), then app.example.com
CACHE_VERDICTS = {
    "nginx_cache_novary": ((False, "MissingAllowOriginHeader", None),
                           (False, "MissingAllowOriginHeader", None)),
    "nginx_cache_vary": ((False, "MissingAllowOriginHeader", None), (True, None, 200)),
    "varnish_novary": ((False, "MissingAllowOriginHeader", None),
                       (False, "MissingAllowOriginHeader", None)),
    "varnish_vary": ((False, "MissingAllowOriginHeader", None), (True, None, 200)),
    "varnish_correct": ((False, "MissingAllowOriginHeader", None), (True, None, 200)),
}

assert set(VERDICTS) | set(CACHE_VERDICTS) | {"nginx_slash"} >= set(CASES)


@pytest.fixture(scope="module", autouse=True)
def _start_all(stack_pool):
    stack_pool.prestart(CASES)


@pytest.mark.parametrize(
    "case,label,path,opts,expected",
    [(c, *row) for c, rows in VERDICTS.items() for row in rows],
    ids=[f"{c}-{row[0]}" for c, rows in VERDICTS.items() for row in rows],
)
def test_verdict(stack_chromium, stack_server, case, label, path, opts, expected):
    got = chromium_verdict(stack_chromium, stack_server(case) + path, **opts)
    assert got == expected, f"{case} {label}: Chromium says {got}"


def test_http_to_https_redirect(stack_chromium, stack_pool, stack_server):
    stack_server("nginx_slash")
    url2 = stack_pool.server("nginx_slash").url2
    got = chromium_verdict(stack_chromium, url2 + "/api/users")
    assert got == (False, "MissingAllowOriginHeader", None)


@pytest.mark.parametrize("case", list(CACHE_VERDICTS))
def test_cache_other_origin_first(stack_chromium, stack_server, case):
    url = stack_server(case) + "/api/users?t=chromium-other-first"
    first = chromium_verdict(stack_chromium, url, page_origin=OTHER)
    second = chromium_verdict(stack_chromium, url, page_origin=APP)
    assert (first, second) == CACHE_VERDICTS[case]


@pytest.mark.parametrize("case", ["nginx_cache_novary", "varnish_novary"])
def test_cache_app_first_leaks_acao_to_other(stack_chromium, stack_server, case):
    url = stack_server(case) + "/api/users?t=chromium-app-first"
    assert chromium_verdict(stack_chromium, url, page_origin=APP) == (True, None, 200)
    # the cached answer names app.example.com: still blocked for other.example.com
    assert chromium_verdict(stack_chromium, url, page_origin=OTHER) == (
        False, "AllowOriginMismatch", None)
