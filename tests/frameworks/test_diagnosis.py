"""corsprobe against real FastAPI, Django and Flask servers: each mistake gets its finding
and its framework's fix; each correct configuration gets no error or warning."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ORIGIN = "https://app.example.com"
JSON = ["-H", "Content-Type: application/json"]


def corsprobe(base: str, path: str, *args: str, fmt: str = "json") -> tuple[int, dict | str]:
    p = subprocess.run(
        [sys.executable, "-m", "corsprobe", "check", base + path, "--origin", ORIGIN,
         "--format", fmt, "--no-color", *args] if fmt == "text" else
        [sys.executable, "-m", "corsprobe", "check", base + path, "--origin", ORIGIN,
         "--format", fmt, *args],
        capture_output=True, text=True, timeout=60,
    )
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, json.loads(p.stdout) if fmt == "json" else p.stdout


# (framework, variant, path, args, rule, framework fix must mention)
MISTAKES = [
    ("fastapi", "trailing_slash", "/api/users", [], "CORS111", "allow_origins"),
    ("fastapi", "default_methods", "/api/users/1", ["-X", "PUT"], "CORS301", "allow_methods"),
    ("fastapi", "default_methods", "/api/users", ["-X", "POST", *JSON], "CORS301", "allow_"),
    ("fastapi", "correct", "/api/boom", [], "CORS401", "ServerErrorMiddleware"),
    ("fastapi", "auth_options_401", "/api/private", ["-H", "Authorization: Bearer good"], "CORS301", "outermost"),
    ("fastapi", "star_credentials", "/api/users", ["--credentials"], "CORS804", "allow_credentials"),
    ("fastapi", "no_expose", "/api/users", ["--expect-header", "X-Request-ID"], "CORS601", "expose_headers"),
    ("fastapi", "unanchored_regex", "/api/users", ["--credentials"], "CORS804", "escape every dot"),
    ("django", "cors_after_common", "/api/slash", [], "CORS501", "CommonMiddleware"),
    ("django", "allow_all_credentials", "/api/users", ["--credentials"], "CORS804", "CORS_ALLOW_ALL_ORIGINS"),
    ("django", "regex_prefix", "/api/users", ["--credentials"], "CORS804", "end with $"),
    ("django", "no_expose", "/api/users", ["--expect-header", "X-Request-ID"], "CORS601", "CORS_EXPOSE_HEADERS"),
    ("flask", "trailing_slash", "/api/users", [], "CORS111", "origins="),
    ("flask", "restricted_methods", "/api/users/1", ["-X", "PUT"], "CORS302", "methods="),
    ("flask", "star_credentials", "/api/users", ["--credentials"], "CORS804", "reflects every origin"),
    ("flask", "regex_prefix", "/api/users", ["--credentials"], "CORS804", "$"),
    ("flask", "no_expose", "/api/users", ["--expect-header", "X-Request-ID"], "CORS601", "expose_headers"),
]

CORRECT_REQUESTS = [
    ("/api/users", []),
    ("/api/users", ["--credentials", "--expect-header", "X-Request-ID"]),
    ("/api/users", ["-X", "POST", *JSON, "-H", "Authorization: Bearer good", "--credentials"]),
    ("/api/users/1", ["-X", "PUT", *JSON, "-H", "X-Custom: 1", "--send-actual"]),
]


@pytest.mark.parametrize("framework,variant,path,args,rule,fix_text", MISTAKES,
                         ids=[f"{m[0]}-{m[1]}-{m[4]}" for m in MISTAKES])
def test_mistake_is_diagnosed_with_the_framework_fix(framework_server, framework, variant, path,
                                                     args, rule, fix_text):
    base = framework_server(framework, variant)
    _, report = corsprobe(base, path, *args)
    found = {f["rule"]: f for f in report["findings"]}
    assert rule in found, f"expected {rule}; got {[(f['rule'], f['message']) for f in report['findings']]}"
    fix = found[rule]["fix"]
    assert fix_text in fix.get(framework, ""), fix


@pytest.mark.parametrize("framework", ["fastapi", "django", "flask"])
@pytest.mark.parametrize("path,args", CORRECT_REQUESTS)
def test_correct_configuration_has_no_error_or_warning(framework_server, framework, path, args):
    base = framework_server(framework, "correct")
    code, report = corsprobe(base, path, *args)
    bad = [(f["rule"], f["message"]) for f in report["findings"] if f["severity"] != "info"]
    assert bad == []
    assert report["allowed"] in (True, None), report["browser_error"]
    assert code == 0


def test_starlette_refusal_is_fingerprinted_and_its_fix_leads(framework_server):
    base = framework_server("fastapi", "default_methods")
    _, out = corsprobe(base, "/api/users/1", "-X", "PUT", fmt="text")
    assert "looks like FastAPI / Starlette" in out
    section = out.split("CORS301", 1)[1]
    assert section.index("FastAPI:") < section.index("Fix:")


def test_django_redirect_names_the_trailing_slash(framework_server):
    base = framework_server("django", "cors_after_common")
    _, report = corsprobe(base, "/api/slash")
    assert report["blocked_at"] == "redirect"
    msg = {f["rule"]: f["message"] for f in report["findings"]}["CORS501"]
    assert "trailing slash" in msg


def test_django_trailing_slash_setting_still_matches_without_system_checks(framework_server):
    # django-cors-headers compares scheme+netloc only: the slash is harmless once running.
    base = framework_server("django", "trailing_slash")
    code, report = corsprobe(base, "/api/users")
    assert report["allowed"] is True and code == 0
