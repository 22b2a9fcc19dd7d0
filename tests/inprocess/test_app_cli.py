"""``check --app``, ``run`` with ``app =``, the public ``corsprobe.check`` and bad input."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import corsprobe
from corsprobe.errors import UsageError
from tests.inprocess import targets

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "https://app.example.com"


def cli(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    base["PYTHONPATH"] = str(ROOT)  # this worktree's corsprobe, whatever the cwd
    return subprocess.run([sys.executable, "-m", "corsprobe", *args], capture_output=True,
                          text=True, timeout=60, cwd=cwd, env={**base, **(env or {})})


def test_relative_url_goes_to_the_app_and_the_report_says_how():
    p = cli("check", "/api/users", "--app", "tests.inprocess.targets:fastapi_correct",
            "--origin", ORIGIN, "-f", "json")
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    assert report["target"] == "http://localhost/api/users" and report["allowed"] is True
    assert report["actual"]["exchanges"][0]["request"]["headers"][0] == ["Host", "localhost"]
    assert report["framework"]["name"] == "fastapi"
    assert any("in-process" in n and "ASGI" in n for n in report["notes"])


def test_a_django_settings_module_is_accepted():
    apps = ROOT / "tests" / "frameworks" / "apps"
    p = cli("check", "/api/users", "--app", "django_site.settings", "--origin", ORIGIN,
            "--credentials", "-f", "json", cwd=apps)
    assert p.returncode == 0, p.stderr
    report = json.loads(p.stdout)
    assert report["allowed"] is True and report["framework"]["name"] == "django"
    assert any("WSGI" in n for n in report["notes"])


@pytest.mark.parametrize("source,target,words", [
    (None, "nowhere_at_all:app", "no module named 'nowhere_at_all'"),
    (None, "tests.inprocess.targets:nothing", "has no attribute 'nothing'"),
    (None, "tests.inprocess.targets:", "is not module:attribute"),
    (None, "tests.inprocess.targets:fastapi-correct", "is not module:attribute"),
    ("class App:\n    pass\n", "mod_{n}:App", "is a class"),
    ("app = 42\n", "mod_{n}", "is a int, not an ASGI or WSGI app"),
    ("raise RuntimeError('broken at import')\n", "mod_{n}:app", "raised RuntimeError: broken"),
    ("from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
     "mod_{n}", "Django is not configured"),
])
def test_bad_apps_are_usage_errors(tmp_path, source, target, words):
    cwd = ROOT
    if source is not None:
        target = target.format(n=abs(hash(source)) % 10000)
        (tmp_path / (target.split(":")[0] + ".py")).write_text(source)
        cwd = tmp_path
    p = cli("check", "/api/users", "--app", target, "--origin", ORIGIN,
            cwd=cwd, env={"PYTHONPATH": str(ROOT)})
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert words in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_an_exception_escaping_the_app_is_a_bare_500(tmp_path):
    (tmp_path / "raising.py").write_text(
        "def wsgi(environ, start_response):\n    raise RuntimeError('boom')\n\n"
        "async def asgi(scope, receive, send):\n    raise RuntimeError('boom')\n")
    for name in ("raising:wsgi", "raising:asgi"):
        p = cli("check", "/x", "--app", name, "--origin", ORIGIN, "-f", "json", cwd=tmp_path,
                env={"PYTHONPATH": str(ROOT)})
        assert p.returncode == 1, p.stderr
        report = json.loads(p.stdout)
        assert report["actual"]["exchanges"][0]["response"]["status"] == 500
        assert report["browser_error"] == "MissingAllowOriginHeader"
        assert "Traceback" not in p.stderr


def test_run_config_with_app(tmp_path):
    (tmp_path / "corsprobe.toml").write_text("""
app = "tests.inprocess.targets:fastapi_default_methods"

[[checks]]
name = "list users"
url = "/api/users"
origin = "https://app.example.com"
expect = "allowed"

[[checks]]
name = "update a user"
url = "/api/users/1"
method = "PUT"
origin = "https://app.example.com"
expect = "blocked"
expect_error = "PreflightInvalidStatus"

[[checks]]
name = "create a user"
url = "/api/users"
method = "POST"
headers = { "Content-Type" = "application/json" }
origin = "https://app.example.com"
expect = "allowed"
""")
    p = cli("run", str(tmp_path / "corsprobe.toml"), "--format", "json",
            env={"PYTHONPATH": str(ROOT)})
    doc = json.loads(p.stdout)
    status = {r["name"]: r["status"] for r in doc["results"]}
    assert status == {"list users": "passed", "update a user": "passed",
                      "create a user": "failed"}
    assert p.returncode == 1


def test_run_config_rejects_a_bad_app(tmp_path):
    (tmp_path / "corsprobe.toml").write_text(
        'app = "not a target"\n[[checks]]\nurl = "/x"\norigin = "https://a.example"\n')
    p = cli("run", str(tmp_path / "corsprobe.toml"))
    assert p.returncode == 2 and "app" in p.stderr and "module:attribute" in p.stderr


def test_public_api_with_an_app_object():
    report = corsprobe.check("/api/users/1", origin=ORIGIN, method="PUT",
                             headers=["Content-Type: application/json", "X-Custom: 1"],
                             app=targets.flask_restricted_methods)
    assert isinstance(report, corsprobe.Report)
    assert report.allowed is False and report.blocked_at == "preflight"
    assert report.browser_error == "MethodDisallowedByPreflightResponse"
    assert "CORS302" in [f.rule for f in report.errors()]
    assert "methods=" in report.diagnosis()  # Flask's fix, known from the app
    assert str(report) == report.diagnosis()
    assert report.data["schema"] == "corsprobe/report/v1"


def test_public_api_inside_a_running_event_loop():
    async def in_async_test() -> corsprobe.Report:
        return corsprobe.check("/api/users", origin=ORIGIN, app=targets.fastapi_correct)

    # on a thread of its own: this one may already run a loop (Playwright's sync API, which the
    # browser suite keeps open for the whole session)
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, in_async_test()).result().allowed is True


def test_public_api_bad_input_raises_usage_error():
    with pytest.raises(UsageError, match="slash"):
        corsprobe.check("/api/users", origin=ORIGIN + "/", app=targets.fastapi_correct)


def test_corsprobe_check_is_the_documented_function():
    from corsprobe import check
    from corsprobe.api import check as api_check

    assert check is api_check and check.__doc__


def test_import_corsprobe_is_cheap():
    code = ("import sys, corsprobe; print(sorted(m for m in sys.modules "
            "if m.startswith(('httpx', 'rich', 'typer', 'corsprobe.')) "
            "and m != 'corsprobe.version'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


def test_run_config_with_a_wsgi_app(tmp_path):
    (tmp_path / "corsprobe.toml").write_text("""
app = "tests.inprocess.targets:flask_restricted_methods"

[[checks]]
name = "read"
url = "/api/users"
origin = "https://app.example.com"
credentials = true
readable = ["X-Request-ID"]

[[checks]]
name = "update"
url = "/api/users/1"
method = "PUT"
origin = "https://app.example.com"
expect = "blocked"
expect_error = "MethodDisallowedByPreflightResponse"
""")
    p = cli("run", str(tmp_path / "corsprobe.toml"), "--format", "json")
    assert p.returncode == 0, p.stdout + p.stderr
    doc = json.loads(p.stdout)
    assert [r["status"] for r in doc["results"]] == ["passed", "passed"]


LIFESPAN_APP = '''
from contextlib import asynccontextmanager
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

events = []

@asynccontextmanager
async def lifespan(app):
    app.state.ready = True
    yield {"db": "connected"}
    events.append("shutdown")

app = FastAPI(lifespan=lifespan)
app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])

@app.get("/ready")
def ready(request: Request):
    if not getattr(app.state, "ready", False) or request.state.db != "connected":
        return JSONResponse({"ready": False}, status_code=503)
    return {"ready": True}

@asynccontextmanager
async def broken_lifespan(app):
    raise RuntimeError("no database")
    yield

broken = FastAPI(lifespan=broken_lifespan)
'''


def test_an_asgi_apps_lifespan_runs_before_the_first_request(tmp_path, monkeypatch):
    (tmp_path / "lifespan_app.py").write_text(LIFESPAN_APP)
    p = cli("check", "/ready", "--app", "lifespan_app:app", "--origin", ORIGIN, "-f", "json",
            cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["actual"]["exchanges"][0]["response"]["status"] == 200
    p = cli("check", "/ready", "--app", "lifespan_app:broken", "--origin", ORIGIN, cwd=tmp_path)
    assert p.returncode == 2 and "lifespan startup failed" in p.stderr
    assert "Traceback" not in p.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    import lifespan_app

    assert corsprobe.check("/ready", origin=ORIGIN, app=lifespan_app.app).allowed is True
    assert lifespan_app.events == ["shutdown"]
