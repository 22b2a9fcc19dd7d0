"""Fixtures for `corsprobe run`: a real loopback server and a way to run the CLI on a config."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.scenario_server import Response, ScenarioServer

APP = "https://app.example.com"
EVIL = "https://evil.example.com"
SECRET = "tok-3f9a1c7e5b-secret"  # the value of $API_TOKEN in the tests
ROOT = Path(__file__).resolve().parents[2]


def _cors(req, extra=()):
    """Allows APP (GET/PUT/POST/DELETE; content-type, authorization, x-api-key, x-client;
    credentials), exposes X-Request-ID; any other origin gets no CORS headers."""
    if req.header("origin") != APP:
        return Response(200, [("Vary", "Origin"), ("Content-Type", "application/json")], b"{}")
    headers = [
        ("Access-Control-Allow-Origin", APP), ("Vary", "Origin"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE"),
        ("Access-Control-Allow-Headers", "content-type, authorization, x-api-key, x-client"),
        ("Access-Control-Max-Age", "600"),
        ("X-Request-ID", "42"), ("Access-Control-Expose-Headers", "X-Request-ID"),
        ("Content-Type", "application/json"), *extra,
    ]
    return Response(200, headers, b"{}")


def _echo(req):
    """Like _cors, and echoes every credential it received in headers and body."""
    seen = " ".join(v for k, v in req.headers if k.lower() in ("authorization", "x-api-key"))
    resp = _cors(req, extra=[("X-Echo", seen)])
    resp.body = f'{{"seen": "{seen}", "target": "{req.target}"}}'.encode()
    return resp


def _hidden(req):
    """Allows APP but exposes nothing."""
    resp = _cors(req)
    resp.headers = [h for h in resp.headers if h[0] != "Access-Control-Expose-Headers"]
    return resp


def _novary(req):
    """Allows APP, but without Vary: Origin and with a Max-Age above every browser's cap:
    allowed, with warning findings."""
    resp = _cors(req)
    resp.headers = [h for h in resp.headers if h[0] not in ("Vary", "Access-Control-Max-Age")]
    resp.headers.append(("Access-Control-Max-Age", "86400"))
    return resp


def _none(req):
    return Response(200, [("Content-Type", "application/json")], b"{}")


def _wildcard(req):
    return Response(200, [("Access-Control-Allow-Origin", "*"), ("Content-Type", "text/plain")],
                    b"ok")


def _slow(req):
    time.sleep(0.3)
    return _cors(req)


def _nopreflight(req):
    """Answers the actual request with CORS headers, but refuses every preflight."""
    if req.method == "OPTIONS":
        return Response(405, [("Allow", "GET")], b"")
    return _cors(req)


@pytest.fixture(scope="session")
def server():
    handlers = {"ok": _cors, "echo": _echo, "hidden": _hidden, "none": _none,
                "wildcard": _wildcard, "slow": _slow, "nopreflight": _nopreflight,
                "novary": _novary}
    with ScenarioServer(handlers) as s:
        yield s


@dataclass
class Ran:
    code: int
    out: str
    err: str
    seconds: float


def corsprobe_cli(*args: str, cwd: Path, env: dict[str, str] | None = None,
                  timeout: float = 120) -> Ran:
    """``corsprobe ARGS...`` in a subprocess, with this checkout first on the path."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    started = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "corsprobe", *args], cwd=cwd,
                       capture_output=True, text=True, timeout=timeout, env=full_env)
    return Ran(p.returncode, p.stdout, p.stderr, time.perf_counter() - started)


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Ran:
    return corsprobe_cli("run", *args, cwd=cwd, env=env, timeout=timeout)


@pytest.fixture
def base(server):
    return f"http://127.0.0.1:{server.port}/s"


@pytest.fixture
def write(tmp_path):
    def write(text: str, name: str = "corsprobe.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
