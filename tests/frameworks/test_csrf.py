"""The CSRF layer behind CORS, against a real Django: django-cors-headers configured
correctly, a session login behind CsrfViewMiddleware, CSRF_TRUSTED_ORIGINS left out."""

from __future__ import annotations

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
