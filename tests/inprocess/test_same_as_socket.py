"""The framework suite's FastAPI, Django and Flask apps checked in-process (``--app``) give
the same verdicts and findings as the same apps served by their real servers over a socket.

Both sides run ``corsprobe check`` on the same URL (the real server's, so every message and
piece of evidence can be compared as is); in-process the request goes to the app through
httpx's ASGI/WSGI transport and never touches that port."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.frameworks.test_diagnosis import CORRECT_REQUESTS, MISTAKES, ORIGIN

ROOT = Path(__file__).resolve().parents[2]


def app_target(framework: str, variant: str, django_entry: str = "wsgi") -> tuple[str, dict]:
    if framework == "django":
        return f"tests.inprocess.django_{django_entry}", {"CORSPROBE_DJANGO_VARIANT": variant}
    return f"tests.inprocess.targets:{framework}_{variant}", {}


def check(url: str, args: list[str], app: str | None = None, env: dict | None = None) -> dict:
    cmd = [sys.executable, "-m", "corsprobe", "check", url, "--origin", ORIGIN, "-f", "json",
           *args]
    if app:
        cmd += ["--app", app]
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=ROOT,
                          env={**full_env, **(env or {})})
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    report["exit_code"] = proc.returncode
    return report


def comparable(report: dict) -> dict:
    """The verdict and the diagnosis; not the wire details a server adds (Server, Date,
    Connection), the framework guess made from them, timings or notes."""
    return {
        "exit_code": report["exit_code"],
        "allowed": report["allowed"],
        "blocked_at": report["blocked_at"],
        "browser_error": report["browser_error"],
        "console_message": report["console_message"],
        "readable_headers": sorted(report["readable_headers"]),
        "preflight": (report["preflight"]["required"], report["preflight"]["reasons"],
                      [e["response"]["status"] for e in report["preflight"]["exchanges"]]),
        "actual": [e["response"]["status"] for e in report["actual"]["exchanges"]],
        # each probe has a URL of its own (?corsprobe=<random>-N)
        "findings": json.loads(re.sub(r"corsprobe=[0-9a-f]{12}", "corsprobe=N",
                                      json.dumps(report["findings"]))),
    }


CASES = [(fw, v, path, args) for fw, v, path, args, _, _ in MISTAKES] + [
    (fw, "correct", path, args) for fw in ("fastapi", "django", "flask")
    for path, args in CORRECT_REQUESTS
]


@pytest.mark.parametrize("framework,variant,path,args", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_in_process_equals_over_a_socket(framework_server, framework, variant, path, args):
    url = framework_server(framework, variant) + path
    over_socket = check(url, args)
    target, env = app_target(framework, variant)
    in_process = check(url, args, target, env)
    assert comparable(in_process) == comparable(over_socket)
    assert any("sent in-process" in n for n in in_process["notes"])
    assert not any("sent in-process" in n for n in over_socket["notes"])


@pytest.mark.parametrize("variant,path,args", [
    ("cors_after_common", "/api/slash", []),
    ("regex_prefix", "/api/users", ["--credentials"]),
    ("correct", "/api/users", ["-X", "POST", "-H", "Content-Type: application/json",
                               "--send-actual"]),
])
def test_django_asgi_handler_equals_the_wsgi_server(framework_server, variant, path, args):
    url = framework_server("django", variant) + path
    target, env = app_target("django", variant, "asgi")
    assert comparable(check(url, args, target, env)) == comparable(check(url, args))


def test_the_comparison_tells_configurations_apart(framework_server):
    """Control: the same request to two different configurations does not compare equal."""
    url = framework_server("flask", "trailing_slash") + "/api/users"
    target, env = app_target("flask", "correct")
    assert comparable(check(url, [], target, env)) != comparable(check(url, []))
