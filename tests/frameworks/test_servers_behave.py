"""Ground truth: each real framework server answers as the reference says.

Reference: shared/reference/python-frameworks-cors.md (Tables 1-9, "Key
surprises").  Plain httpx requests with exact headers, no corsprobe code.
If one of these fails after a framework upgrade, the reference (and the
corsprobe diagnoses built on these servers) must be revisited.
"""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from .servers import ALL_KEYS, APPS_DIR, VARIANTS

APP = "https://app.example.com"  # the configured allowed origin
EVIL = "https://evil.example.org"
TOKEN = {"Authorization": "Bearer good"}
STARLETTE_PREFLIGHT_VARY = (
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
    "Access-Control-Request-Private-Network"
)
DJANGO_ACAM = "DELETE, GET, OPTIONS, PATCH, POST, PUT"
DJANGO_ACAH = (
    "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with, x-custom"
)

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
ACEH = "access-control-expose-headers"
MAX_AGE = "access-control-max-age"


@pytest.fixture(scope="module", autouse=True)
def _start_all(server_pool):
    server_pool.prestart(ALL_KEYS)  # ~3 s for all of them in parallel


def preflight(
    base,
    path="/api/users",
    origin=APP,
    method="POST",
    request_headers="content-type, authorization",
    extra=None,
):
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if request_headers:
        headers["Access-Control-Request-Headers"] = request_headers
    headers.update(extra or {})
    return httpx.options(base + path, headers=headers, timeout=10)


def send(method, base, path="/api/users", origin=APP, extra=None):
    headers = {"Origin": origin} if origin else {}
    headers.update(extra or {})
    return httpx.request(method, base + path, headers=headers, timeout=10)


def assert_no_cors(r):
    cors = {k: v for k, v in r.headers.items() if k.lower().startswith("access-control-")}
    assert cors == {}, cors


# --------------------------------------------------------------------------- FastAPI


class TestFastAPI:
    def test_correct_preflight(self, framework_server):
        r = preflight(framework_server("fastapi", "correct"))
        assert r.status_code == 200 and r.text == "OK"
        assert r.headers[ACAO] == APP
        assert r.headers[ACAC] == "true"
        assert r.headers[ACAM] == "GET, POST, PUT, DELETE"
        assert r.headers[ACAH] == (
            "Accept, Accept-Language, Authorization, Content-Language, Content-Type, X-Custom"
        )
        assert r.headers[MAX_AGE] == "600"
        assert r.headers["vary"] == STARLETTE_PREFLIGHT_VARY

    def test_correct_put_preflight_with_custom_header(self, framework_server):
        r = preflight(
            framework_server("fastapi", "correct"),
            "/api/users/1",
            method="PUT",
            request_headers="content-type, x-custom",
        )
        assert r.status_code == 200 and r.headers[ACAO] == APP

    def test_correct_refuses_other_origin(self, framework_server):
        base = framework_server("fastapi", "correct")
        r = preflight(base, origin=EVIL)
        assert r.status_code == 400 and r.text == "Disallowed CORS origin"
        assert ACAO not in r.headers
        assert r.headers[ACAC] == "true"  # surprise 12: ACAC even when refused
        r = send("GET", base, origin=EVIL)
        assert r.status_code == 200 and ACAO not in r.headers and r.headers[ACAC] == "true"

    def test_correct_get(self, framework_server):
        r = send("GET", framework_server("fastapi", "correct"))
        assert r.status_code == 200 and r.json() == [{"id": 1, "name": "alice"}]
        assert r.headers[ACAO] == APP and r.headers[ACAC] == "true"
        assert r.headers[ACEH] == "X-Request-ID"
        assert r.headers["vary"] == "Origin"
        assert r.headers["x-request-id"] == "req-1" and r.headers["x-total-count"] == "1"

    def test_correct_post_and_put(self, framework_server):
        base = framework_server("fastapi", "correct")
        r = send("POST", base, extra={"Content-Type": "application/json"})
        assert r.status_code == 201 and r.headers[ACAO] == APP
        r = send("PUT", base, "/api/users/1", extra={"Content-Type": "application/json"})
        assert r.status_code == 200 and r.headers[ACAO] == APP

    def test_correct_private(self, framework_server):
        base = framework_server("fastapi", "correct")
        r = send("GET", base, "/api/private")
        assert r.status_code == 401 and r.headers[ACAO] == APP
        assert r.headers["www-authenticate"] == "Bearer"
        r = send("GET", base, "/api/private", extra=TOKEN)
        assert r.status_code == 200 and r.headers[ACAO] == APP
        r = preflight(base, "/api/private", method="GET", request_headers="authorization")
        assert r.status_code == 200 and r.headers[ACAO] == APP  # CORSMiddleware answers first

    @pytest.mark.parametrize("variant", VARIANTS["fastapi"])
    def test_unhandled_500_has_no_cors_headers(self, framework_server, variant):
        extra = TOKEN if variant == "auth_options_401" else None
        r = send("GET", framework_server("fastapi", variant), "/api/boom", extra=extra)
        assert r.status_code == 500 and r.text == "Internal Server Error"
        assert_no_cors(r)

    def test_trailing_slash_never_matches(self, framework_server):
        base = framework_server("fastapi", "trailing_slash")
        r = preflight(base)
        assert r.status_code == 400 and r.text == "Disallowed CORS origin"
        assert ACAO not in r.headers
        assert ACAO not in send("GET", base).headers

    def test_default_methods(self, framework_server):
        base = framework_server("fastapi", "default_methods")
        r = preflight(base, "/api/users/1", method="PUT", request_headers="content-type")
        assert r.status_code == 400 and r.text == "Disallowed CORS method"
        assert r.headers[ACAO] == APP and r.headers[ACAM] == "GET"
        assert r.headers[ACAH] == "Accept, Accept-Language, Content-Language, Content-Type"
        r = preflight(base)  # POST + content-type, authorization
        assert r.status_code == 400 and r.text == "Disallowed CORS method, headers"
        r = preflight(base, method="GET", request_headers="authorization")
        assert r.status_code == 400 and r.text == "Disallowed CORS headers"
        r = send("GET", base)
        assert r.headers[ACAO] == APP and ACAC not in r.headers and ACEH not in r.headers

    def test_star_credentials_reflects_any_origin(self, framework_server):
        base = framework_server("fastapi", "star_credentials")
        r = preflight(base, origin=EVIL)
        assert r.status_code == 200 and r.headers[ACAO] == EVIL and r.headers[ACAC] == "true"
        r = send("GET", base, origin=EVIL)
        assert r.headers[ACAO] == EVIL and r.headers[ACAC] == "true"
        r = send("GET", base, origin="null")
        assert r.headers[ACAO] == "null" and r.headers[ACAC] == "true"

    def test_no_expose(self, framework_server):
        r = send("GET", framework_server("fastapi", "no_expose"))
        assert r.headers[ACAO] == APP and r.headers["x-request-id"] == "req-1"
        assert ACEH not in r.headers

    @pytest.mark.parametrize(
        "origin, accepted",
        [
            (APP, True),
            ("https://evil-example.com", True),  # unescaped dot
            ("https://evilexample.com", True),
            ("https://app.example.com.evil.net", False),  # fullmatch: end-anchored
            (EVIL, False),
        ],
    )
    def test_unanchored_regex(self, framework_server, origin, accepted):
        base = framework_server("fastapi", "unanchored_regex")
        r = preflight(base, origin=origin)
        if accepted:
            assert r.status_code == 200 and r.headers[ACAO] == origin
            assert send("GET", base, origin=origin).headers[ACAO] == origin
        else:
            assert r.status_code == 400 and r.text == "Disallowed CORS origin"
            assert ACAO not in send("GET", base, origin=origin).headers

    def test_auth_options_401(self, framework_server):
        base = framework_server("fastapi", "auth_options_401")
        r = preflight(base)
        assert r.status_code == 401 and r.json() == {"detail": "Not authenticated"}
        assert_no_cors(r)
        r = send("GET", base)
        assert r.status_code == 401
        assert_no_cors(r)
        r = send("GET", base, extra=TOKEN)
        assert r.status_code == 200 and r.headers[ACAO] == APP and r.headers[ACAC] == "true"


# --------------------------------------------------------------------------- Django


class TestDjango:
    def test_correct_preflight(self, framework_server):
        r = preflight(framework_server("django", "correct"))
        assert r.status_code == 200 and r.content == b""
        assert r.headers[ACAO] == APP and r.headers[ACAC] == "true"
        assert r.headers[ACAM] == DJANGO_ACAM
        assert r.headers[ACAH] == DJANGO_ACAH
        assert r.headers[MAX_AGE] == "600"
        assert r.headers["vary"] == "origin"

    def test_correct_never_validates_method_or_headers(self, framework_server):
        r = preflight(
            framework_server("django", "correct"),
            method="PROPFIND",
            request_headers="x-not-configured",
        )
        assert r.status_code == 200 and r.headers[ACAO] == APP
        assert r.headers[ACAM] == DJANGO_ACAM and r.headers[ACAH] == DJANGO_ACAH

    def test_correct_refuses_other_origin(self, framework_server):
        base = framework_server("django", "correct")
        r = preflight(base, origin=EVIL)
        assert r.status_code == 200 and r.headers["vary"] == "origin"
        assert_no_cors(r)
        assert_no_cors(send("GET", base, origin=EVIL))

    def test_correct_get(self, framework_server):
        r = send("GET", framework_server("django", "correct"))
        assert r.status_code == 200 and r.json() == [{"id": 1, "name": "alice"}]
        assert r.headers[ACAO] == APP and r.headers[ACAC] == "true"
        assert r.headers[ACEH] == "X-Request-ID" and r.headers["vary"] == "origin"
        assert r.headers["x-request-id"] == "req-1" and r.headers["x-total-count"] == "1"

    def test_correct_post_and_put(self, framework_server):
        base = framework_server("django", "correct")
        r = send("POST", base, extra={"Content-Type": "application/json"})
        assert r.status_code == 201 and r.headers[ACAO] == APP
        r = send("PUT", base, "/api/users/1", extra={"Content-Type": "application/json"})
        assert r.status_code == 200 and r.headers[ACAO] == APP

    def test_correct_errors_and_redirect_carry_cors(self, framework_server):
        base = framework_server("django", "correct")
        r = send("GET", base, "/api/boom")
        assert r.status_code == 500 and r.headers[ACAO] == APP
        r = send("GET", base, "/api/private")
        assert r.status_code == 401 and r.headers[ACAO] == APP
        assert send("GET", base, "/api/private", extra=TOKEN).status_code == 200
        r = send("GET", base, "/api/slash")
        assert r.status_code == 301 and r.headers["location"] == "/api/slash/"
        assert r.headers[ACAO] == APP

    def test_cors_after_common_redirect_loses_cors(self, framework_server):
        base = framework_server("django", "cors_after_common")
        r = send("GET", base, "/api/slash")
        assert r.status_code == 301 and r.headers["location"] == "/api/slash/"
        assert_no_cors(r)
        assert "vary" not in r.headers
        r = preflight(base, "/api/slash", method="GET", request_headers=None)
        assert r.status_code == 200 and r.headers[ACAO] == APP
        r = send("GET", base, "/api/slash/")
        assert r.status_code == 200 and r.headers[ACAO] == APP

    def test_allow_all_credentials_reflects_any_origin(self, framework_server):
        base = framework_server("django", "allow_all_credentials")
        r = preflight(base, origin=EVIL)
        assert r.status_code == 200 and r.headers[ACAO] == EVIL and r.headers[ACAC] == "true"
        r = send("GET", base, origin=EVIL)
        assert r.headers[ACAO] == EVIL and r.headers[ACAC] == "true"
        r = send("GET", base, origin="null")
        assert r.headers[ACAO] == "null" and r.headers[ACAC] == "true"

    @pytest.mark.parametrize(
        "origin, accepted",
        [
            (APP, True),
            ("https://app.example.com.evil.net", True),  # re.match: start-anchored only
            ("https://app.example.com:8443", True),
            ("https://evil-example.com", False),
            (EVIL, False),
        ],
    )
    def test_regex_prefix(self, framework_server, origin, accepted):
        base = framework_server("django", "regex_prefix")
        r = send("GET", base, origin=origin)
        p = preflight(base, origin=origin)
        assert p.status_code == 200
        if accepted:
            assert r.headers[ACAO] == origin and r.headers[ACAC] == "true"
            assert p.headers[ACAO] == origin
        else:
            assert ACAO not in r.headers and ACAO not in p.headers

    def test_no_expose(self, framework_server):
        r = send("GET", framework_server("django", "no_expose"))
        assert r.headers[ACAO] == APP and r.headers["x-request-id"] == "req-1"
        assert ACEH not in r.headers

    def test_trailing_slash_matches_when_checks_are_skipped(self, framework_server):
        base = framework_server("django", "trailing_slash")
        r = preflight(base)
        assert r.status_code == 200 and r.headers[ACAO] == APP
        r = send("GET", base)
        assert r.headers[ACAO] == APP and r.headers["server"].startswith("WSGIServer/")

    def test_trailing_slash_fails_system_checks(self):
        env = dict(os.environ, CORSPROBE_DJANGO_VARIANT="trailing_slash")
        env.pop("DJANGO_SETTINGS_MODULE", None)
        p = subprocess.run(
            [sys.executable, str(APPS_DIR / "django_site" / "manage.py"), "check"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode != 0
        assert "corsheaders.E014" in p.stderr


# --------------------------------------------------------------------------- Flask


class TestFlask:
    def test_correct_preflight(self, framework_server):
        r = preflight(framework_server("flask", "correct"))
        assert r.status_code == 200 and r.content == b""
        assert r.headers[ACAO] == APP and r.headers[ACAC] == "true"
        assert r.headers[ACAM] == "DELETE, GET, POST, PUT"
        assert r.headers[ACAH] == "authorization, content-type"  # mirrored
        assert r.headers[MAX_AGE] == "600"
        assert r.headers["vary"] == "Origin"  # added by the app: flask-cors omits it here
        # flask-cors itself sends no Vary for a single literal origin:
        assert "vary" not in preflight(framework_server("flask", "no_expose")).headers

    def test_correct_put_preflight_mirrors_headers(self, framework_server):
        r = preflight(
            framework_server("flask", "correct"),
            "/api/users/1",
            method="PUT",
            request_headers="content-type, x-custom",
        )
        assert r.status_code == 200 and r.headers[ACAO] == APP
        assert r.headers[ACAH] == "content-type, x-custom"

    def test_correct_refuses_other_origin(self, framework_server):
        base = framework_server("flask", "correct")
        r = preflight(base, origin=EVIL)
        assert r.status_code == 200
        assert_no_cors(r)
        assert_no_cors(send("GET", base, origin=EVIL))

    def test_correct_get(self, framework_server):
        r = send("GET", framework_server("flask", "correct"))
        assert r.status_code == 200 and r.json() == [{"id": 1, "name": "alice"}]
        assert r.headers[ACAO] == APP and r.headers[ACAC] == "true"
        assert r.headers[ACEH] == "X-Request-ID" and r.headers["vary"] == "Origin"
        assert r.headers["x-request-id"] == "req-1" and r.headers["x-total-count"] == "1"
        assert "vary" not in send("GET", framework_server("flask", "no_expose")).headers

    def test_correct_sends_cors_without_origin(self, framework_server):
        r = send("GET", framework_server("flask", "correct"), origin=None)
        assert r.headers[ACAO] == APP and r.headers[ACAC] == "true"  # always_send

    def test_correct_post_put_and_errors(self, framework_server):
        base = framework_server("flask", "correct")
        r = send("POST", base, extra={"Content-Type": "application/json"})
        assert r.status_code == 201 and r.headers[ACAO] == APP
        r = send("PUT", base, "/api/users/1", extra={"Content-Type": "application/json"})
        assert r.status_code == 200 and r.headers[ACAO] == APP
        r = send("GET", base, "/api/boom")
        assert r.status_code == 500 and r.headers[ACAO] == APP
        r = send("GET", base, "/api/private")
        assert r.status_code == 401 and r.headers[ACAO] == APP
        assert send("GET", base, "/api/private", extra=TOKEN).status_code == 200

    def test_default_star_reflects_any_origin(self, framework_server):
        base = framework_server("flask", "default_star")
        r = preflight(base, origin=EVIL)
        assert r.status_code == 200 and r.headers[ACAO] == EVIL and ACAC not in r.headers
        r = send("GET", base, origin=EVIL)
        assert r.headers[ACAO] == EVIL and ACAC not in r.headers and r.headers["vary"] == "Origin"
        assert send("GET", base, origin=None).headers[ACAO] == "*"

    def test_star_credentials_reflects_any_origin(self, framework_server):
        base = framework_server("flask", "star_credentials")
        r = preflight(base, origin=EVIL)
        assert r.status_code == 200 and r.headers[ACAO] == EVIL and r.headers[ACAC] == "true"
        r = send("GET", base, origin=EVIL)
        assert r.headers[ACAO] == EVIL and r.headers[ACAC] == "true"
        r = send("GET", base, origin="null")
        assert r.headers[ACAO] == "null" and r.headers[ACAC] == "true"

    def test_restricted_methods(self, framework_server):
        base = framework_server("flask", "restricted_methods")
        r = preflight(base, "/api/users/1", method="PUT", request_headers="content-type")
        assert r.status_code == 200 and r.headers[ACAO] == APP and r.headers[ACAC] == "true"
        assert ACAM not in r.headers and ACAH not in r.headers and MAX_AGE not in r.headers
        r = preflight(base)
        assert r.status_code == 200 and r.headers[ACAM] == "GET, POST"

    @pytest.mark.parametrize(
        "origin, accepted",
        [
            (APP, True),
            ("https://app.example.com.evil.net", True),  # re.match: start-anchored only
            ("https://APP.EXAMPLE.COM", True),  # re.IGNORECASE
            ("https://app.example.com:8443", True),
            ("https://evil-example.com", False),
            (EVIL, False),
        ],
    )
    def test_regex_prefix(self, framework_server, origin, accepted):
        base = framework_server("flask", "regex_prefix")
        r = send("GET", base, origin=origin)
        p = preflight(base, origin=origin)
        assert p.status_code == 200
        if accepted:
            assert r.headers[ACAO] == origin and r.headers[ACAC] == "true"
            assert p.headers[ACAO] == origin
        else:
            assert_no_cors(r)
            assert_no_cors(p)

    def test_no_expose(self, framework_server):
        r = send("GET", framework_server("flask", "no_expose"))
        assert r.headers[ACAO] == APP and r.headers["x-request-id"] == "req-1"
        assert ACEH not in r.headers

    def test_trailing_slash_never_matches(self, framework_server):
        base = framework_server("flask", "trailing_slash")
        r = preflight(base)
        assert r.status_code == 200
        assert_no_cors(r)
        assert_no_cors(send("GET", base))
        # always_send: an Origin-less request gets the configured string verbatim
        assert send("GET", base, origin=None).headers[ACAO] == APP + "/"

    def test_no_cors_has_no_cors_headers(self, framework_server):
        base = framework_server("flask", "no_cors")
        p = preflight(base)
        assert p.status_code == 200 and p.content == b""
        # Flask's own OPTIONS; the order of Allow varies between runs (a set)
        assert set(p.headers["allow"].split(", ")) == {"HEAD", "OPTIONS", "POST", "GET"}
        assert_no_cors(p)
        r = send("GET", base)
        assert r.status_code == 200 and r.headers["x-request-id"] == "req-1"
        assert_no_cors(r)
        assert "vary" not in r.headers
        assert send("GET", base, "/api/boom").status_code == 500


# ---------------------------------------------------------------------------
# The CSRF layers behind a correct CORS answer (tests/frameworks/README.md,
# "CSRF layers"): a cross-origin credentialed POST whose preflight passes.
# ---------------------------------------------------------------------------


class TestCsrfLayers:
    JSON_POST = {"Origin": APP, "Referer": APP + "/", "Content-Type": "application/json"}

    def assert_cors(self, r):
        assert r.headers.get(ACAO) == APP and r.headers.get(ACAC) == "true"

    def test_drf_session_authentication(self, framework_server):
        base = framework_server("django", "drf_session")
        assert preflight(base, "/api/drf/items", request_headers="content-type").status_code == 200
        with httpx.Client(timeout=10) as client:
            login = client.post(base + "/api/drf/login", headers={"Origin": APP})
            assert login.status_code == 200 and "sessionid" in login.cookies
            r = client.post(base + "/api/drf/items", content=b"{}", headers=self.JSON_POST)
        assert r.status_code == 403
        self.assert_cors(r)
        assert r.headers["content-type"] == "application/json"
        assert r.json() == {"detail": "CSRF Failed: Origin checking failed - "
                                      "https://app.example.com does not match any trusted "
                                      "origins."}
        # without the session (no authenticated user) DRF does not check CSRF at all
        anonymous = httpx.post(base + "/api/drf/items", content=b"{}", headers=self.JSON_POST)
        assert anonymous.status_code == 201 and anonymous.json() == {"user": None}

    def test_flask_wtf_csrf_protect(self, framework_server):
        base = framework_server("flask", "wtf_csrf")
        assert preflight(base, "/api/login", request_headers="content-type").status_code == 200
        r = httpx.post(base + "/api/login", content=b"{}", headers=self.JSON_POST, timeout=10)
        assert r.status_code == 400
        self.assert_cors(r)
        assert r.headers["content-type"] == "text/html; charset=utf-8"
        assert "<title>400 Bad Request</title>" in r.text
        assert "<p>The CSRF token is missing.</p>" in r.text
        # a token without the session that holds its secret
        r = httpx.post(base + "/api/login", content=b"{}",
                       headers={**self.JSON_POST, "X-CSRFToken": "abc"}, timeout=10)
        assert r.status_code == 400 and "<p>The CSRF session token is missing.</p>" in r.text

    def test_starlette_csrf_middleware(self, framework_server):
        base = framework_server("fastapi", "starlette_csrf")
        assert preflight(base, "/api/users", request_headers="content-type").status_code == 200
        r = httpx.post(base + "/api/users", content=b"{}", headers=self.JSON_POST, timeout=10)
        assert r.status_code == 403
        self.assert_cors(r)
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert r.text == "CSRF token verification failed"
        # a safe request gets the double-submit cookie, SameSite=Lax by default
        got = httpx.get(base + "/api/users", headers={"Origin": APP}, timeout=10)
        cookie = got.headers["set-cookie"]
        assert cookie.startswith("csrftoken=") and cookie.endswith("; Path=/; SameSite=lax")
