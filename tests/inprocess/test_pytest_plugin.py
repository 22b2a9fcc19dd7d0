"""The pytest plugin, run by pytest itself (``pytester``) in a fresh process that finds the
plugin through a ``pytest11`` entry point, as an installed corsprobe provides it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

ROOT = Path(__file__).resolve().parents[2]
JSON = '{"Content-Type": "application/json"}'


def test_pyproject_declares_the_entry_point():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["entry-points"]["pytest11"] == {"corsprobe": "corsprobe.pytest_plugin"}


@pytest.fixture
def run(pytester, monkeypatch, tmp_path):
    """Run pytest in a subprocess; the plugin comes from an entry point (a dist-info that
    declares the same entry point as pyproject.toml), corsprobe from this worktree."""
    entry = tmp_path / "entry"
    dist = entry / "corsprobe_plugin_entry-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: corsprobe-plugin-entry\n"
                                   "Version: 0\n")
    (dist / "entry_points.txt").write_text("[pytest11]\ncorsprobe = corsprobe.pytest_plugin\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), str(entry)]))
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)

    def go(source: str, **env: str):
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        pytester.makepyfile(test_cors=source)
        return pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", timeout=120)

    return go


def test_passing_and_failing_expectations_for_fastapi(run):
    result = run(f"""
from corsprobe.pytest_plugin import assert_cors
from tests.inprocess import targets

def test_correct_allows_post():
    assert_cors(targets.fastapi_correct, "/api/users", origin="https://app.example.com",
                method="POST", headers={JSON}, allowed=True)

def test_default_methods_refuse_put():
    assert_cors(targets.fastapi_default_methods, "/api/users/1",
                origin="https://app.example.com", method="PUT", allowed=True)

def test_blocked_expectation_with_the_error_name():
    report = assert_cors(targets.fastapi_default_methods, "/api/users/1",
                         origin="https://app.example.com", method="PUT", allowed=False,
                         error="PreflightInvalidStatus")
    assert report.blocked_at == "preflight"
""")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "CORS expectation failed for PUT /api/users/1 from https://app.example.com" in out
    assert "expected Chrome to allow it, but it blocks it at the preflight: PreflightInvalidStatus" in out
    assert "CORS301" in out and "allow_methods" in out  # the diagnosis and FastAPI's fix


def test_the_fixture_and_flask(run):
    result = run("""
from tests.inprocess import targets

def test_expose(assert_cors):
    assert_cors(targets.flask_no_expose, "/api/users", origin="https://app.example.com",
                credentials=True, readable=["X-Request-ID"])

def test_trailing_slash_blocks(assert_cors):
    assert_cors(targets.flask_trailing_slash, "/api/users", origin="https://app.example.com",
                allowed=False, error="MissingAllowOriginHeader")

def test_max_severity(assert_cors):
    assert_cors(targets.flask_correct, "/api/users", origin="https://app.example.com",
                max_severity="info")
""")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "X-Request-ID is not readable from JavaScript" in out
    assert "CORS601" in out


def test_django_by_module_name(run):
    result = run("""
def test_after_common_middleware(assert_cors):
    assert_cors("tests.inprocess.django_wsgi", "/api/slash", origin="https://app.example.com")

def test_correct_put(assert_cors):
    assert_cors("tests.inprocess.django_wsgi", "/api/users/1", origin="https://app.example.com",
                method="PUT", headers={"X-Custom": "1"}, send_actual=True, max_severity="info")
""", CORSPROBE_DJANGO_VARIANT="cors_after_common")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "test_after_common_middleware FAILED" in out or "FAILED test_cors.py::test_after" in out
    assert "CORS501" in out and "CommonMiddleware" in out


def test_an_unsent_actual_request_is_not_a_pass_for_readable(run):
    result = run("""
from tests.inprocess import targets

def test_post_readable(assert_cors):
    assert_cors(targets.fastapi_correct, "/api/users", origin="https://app.example.com",
                method="POST", readable=["X-Request-ID"])
""")
    result.assert_outcomes(failed=1)
    assert ("the actual request was not sent, so the readable headers cannot be checked; pass "
            "send_actual=True") in result.stdout.str()


def test_importing_the_plugin_is_cheap():
    import subprocess

    code = ("import sys, corsprobe.pytest_plugin; "
            "print(sorted(m for m in ('httpx', 'rich', 'corsprobe.api', 'corsprobe.engine') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"
