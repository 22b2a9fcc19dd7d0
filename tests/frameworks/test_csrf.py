"""The CSRF layer behind CORS, against a real Django: django-cors-headers configured
correctly, a session login behind CsrfViewMiddleware, CSRF_TRUSTED_ORIGINS left out."""

from __future__ import annotations

import json
import subprocess
import sys

from .test_diagnosis import JSON, ORIGIN, corsprobe


def test_django_csrf_origin_check_is_named_behind_a_correct_cors_answer(framework_server):
    base = framework_server("django", "csrf_session")
    code, report = corsprobe(base, "/api/login", "-X", "POST", *JSON, "-d", "{}",
                             "--send-actual", "--credentials")
    assert report["allowed"] is True  # the CORS answer is right: the page reads the 403
    assert report["preflight"]["required"] is True
    found = {f["rule"]: f for f in report["findings"]}
    assert "CORS403" in found, [(f["rule"], f["message"]) for f in report["findings"]]
    csrf = found["CORS403"]
    assert csrf["severity"] == "error" and code == 1
    assert f"the Origin {ORIGIN} is not in CSRF_TRUSTED_ORIGINS" in csrf["message"]
    assert f'CSRF_TRUSTED_ORIGINS = ["{ORIGIN}"]' in csrf["fix"]["generic"]
    assert "X-CSRFToken" in csrf["fix"]["generic"]
    assert csrf["evidence"]["status"] == 403
    assert "CORS401" not in found  # the CORS headers are on the 403


def test_django_csrf_finding_in_the_text_report(framework_server):
    base = framework_server("django", "csrf_session")
    _, out = corsprobe(base, "/api/login", "-X", "POST", *JSON, "-d", "{}", "--send-actual",
                       "--credentials", fmt="text")
    assert "CORS403" in out and "CSRF_TRUSTED_ORIGINS" in out


def test_django_csrf_exempt_view_is_quiet(framework_server):
    base = framework_server("django", "csrf_session")
    _, report = corsprobe(base, "/api/users", "-X", "POST", *JSON, "-d", "{}", "--send-actual",
                          "--credentials")
    assert "CORS403" not in {f["rule"] for f in report["findings"]}


def _drf_session(base: str) -> str:
    import httpx

    r = httpx.post(base + "/api/drf/login", headers={"Origin": ORIGIN}, timeout=10)
    return r.cookies["sessionid"]


def test_drf_session_authentication_csrf_is_named(framework_server):
    base = framework_server("django", "drf_session")
    session = _drf_session(base)
    code, report = corsprobe(base, "/api/drf/items", "-X", "POST", *JSON, "-d", "{}",
                             "--send-actual", "--credentials", "-H", f"Cookie: sessionid={session}")
    assert report["allowed"] is True and code == 1
    found = {f["rule"]: f for f in report["findings"]}
    csrf = found["CORS403"]
    assert csrf["message"].startswith("Django REST framework's SessionAuthentication refused "
                                      "the request (403, \"CSRF Failed: Origin checking failed")
    assert f"the Origin {ORIGIN} is not in CSRF_TRUSTED_ORIGINS" in csrf["message"]
    fix = csrf["fix"]["generic"]
    assert fix.startswith(f'Django REST framework: CSRF_TRUSTED_ORIGINS = ["{ORIGIN}"]')
    assert "X-CSRFToken" in fix and "TokenAuthentication" in fix
    assert csrf["evidence"]["csrf_layer"] == "django-rest-framework"
    assert csrf["evidence"]["csrf_check"] == "origin"
    assert session not in json.dumps(report)


def test_drf_session_in_a_flow_of_corsprobe_run(framework_server, tmp_path):
    """The session from a login step reaches the DRF view, whose CSRF check refuses it."""
    base = framework_server("django", "drf_session")
    (tmp_path / "corsprobe.toml").write_text(
        f'base_url = "{base}"\norigin = "{ORIGIN}"\nthird_party_cookies = "allow"\n'
        '[[flows]]\nname = "drf"\n'
        '[[flows.steps]]\nname = "login"\nurl = "/api/drf/login"\nmethod = "POST"\n'
        'send_actual = true\nmax_severity = "error"\n'
        '[[flows.steps]]\nname = "create"\nurl = "/api/drf/items"\nmethod = "POST"\n'
        'headers = { "Content-Type" = "application/json" }\nbody = "{}"\nsend_actual = true\n')
    p = subprocess.run([sys.executable, "-m", "corsprobe", "run", "--format", "json"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    results = {r["name"]: r for r in json.loads(p.stdout)["results"]}
    login, create = results["drf › login"], results["drf › create"]
    # Django's default session cookie is SameSite=Lax: the browser refuses it cross-site
    assert [(c["name"], c["stored"]) for c in login["report"]["cookies"]] == [("sessionid", False)]
    assert "CORS403" not in {f["rule"] for f in create["report"]["findings"]}
    assert create["report"]["actual"]["exchanges"][0]["response"]["status"] == 201


def test_flask_wtf_csrf_is_named(framework_server):
    base = framework_server("flask", "wtf_csrf")
    code, report = corsprobe(base, "/api/login", "-X", "POST", *JSON, "-d", "{}",
                             "--send-actual", "--credentials")
    assert report["allowed"] is True and code == 1
    csrf = {f["rule"]: f for f in report["findings"]}["CORS403"]
    assert csrf["message"].startswith("Flask-WTF's CSRFProtect refused the request (400, "
                                      "\"The CSRF token is missing.\")")
    fix = csrf["fix"]["generic"]
    assert fix.startswith("Flask-WTF: hand the token out from a view")
    assert "generate_csrf()" in fix and "X-CSRFToken" in fix
    assert 'SESSION_COOKIE_SAMESITE="None"' in fix
    assert csrf["evidence"]["status"] == 400 and csrf["evidence"]["csrf_layer"] == "flask-wtf"


def test_starlette_csrf_is_named(framework_server):
    base = framework_server("fastapi", "starlette_csrf")
    code, report = corsprobe(base, "/api/users", "-X", "POST", *JSON, "-d", "{}",
                             "--send-actual", "--credentials")
    assert report["allowed"] is True and code == 1
    csrf = {f["rule"]: f for f in report["findings"]}["CORS403"]
    assert csrf["message"].startswith("The starlette-csrf middleware refused the request (403, "
                                      "\"CSRF token verification failed\")")
    fix = csrf["fix"]["generic"]
    assert "x-csrftoken" in fix and 'cookie_samesite="none"' in fix
    assert csrf["evidence"]["csrf_layer"] == "starlette-csrf"
    _, text = corsprobe(base, "/api/users", "-X", "POST", *JSON, "-d", "{}", "--send-actual",
                        "--credentials", fmt="text")
    assert "CORS403" in text and "starlette-csrf" in text


def test_a_plain_400_or_403_is_not_csrf(framework_server):
    base = framework_server("flask", "wtf_csrf")
    _, report = corsprobe(base, "/api/me", "--credentials")
    assert "CORS403" not in {f["rule"] for f in report["findings"]}
