"""Golden files: every output format of every command, byte for byte, from canonical cases.

The cases run the real command line (``python -m corsprobe``) against the built-in demo API
(``corsprobe.demo.Handler``: six typical mistakes) on a loopback port, and against the HAR
fixtures. Only what changes from run to run is normalised: the port, timings, the version.
Anything else that changes in an output is a behaviour change and fails here.

To accept an intended change: ``CORSPROBE_UPDATE_GOLDEN=1 pytest tests/report/test_golden.py``,
then read the diff of ``tests/report/golden/`` and say why in the commit.
"""

from __future__ import annotations

import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from corsprobe.demo import PAGE, Handler

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
ROOT = HERE.parents[1]
HAR = ROOT / "fixtures" / "har"
UPDATE = os.environ.get("CORSPROBE_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def base() -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def normalise(text: str, port: str | None) -> str:
    if port:
        text = text.replace(f":{port}", ":PORT")
    text = re.sub(r"127\.0\.0\.1:\d{4,5}", "127.0.0.1:PORT", text)  # the demo's own server
    text = re.sub(r"corsprobe=[0-9a-f]{12}", "corsprobe=NONCE", text)  # each probe's own URL
    text = re.sub(r'("(?:elapsed_ms|duration_ms|duration_s)": )[0-9.e-]+', r"\g<1>0", text)
    text = re.sub(r'time="[0-9.]+"', 'time="0"', text)
    text = re.sub(r"\b\d+(\.\d+)? ms\b", "N ms", text)
    text = re.sub(r"\bin \d+(\.\d+)? s\b", "in N s", text)
    text = re.sub(r'("version": )"[^"]*"', r'\1"VERSION"', text)
    text = re.sub(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", "DATE", text)
    return text


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run([sys.executable, "-m", "corsprobe", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)


def compare(name: str, done: subprocess.CompletedProcess[str], port: str | None) -> None:
    got = (f"exit {done.returncode}\n--- stdout\n{normalise(done.stdout, port)}"
           f"--- stderr\n{normalise(done.stderr, port)}")
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
        return
    assert path.exists(), f"no golden file {path}; run with CORSPROBE_UPDATE_GOLDEN=1"
    want = path.read_text(encoding="utf-8")
    assert got == want, f"{name} differs from its golden file"


def port_of(base: str) -> str:
    return base.rsplit(":", 1)[1]


CHECKS = {
    "users-trailing-slash": ("/api/users",),
    "orders-put-preflight": ("/api/orders/7", "-X", "PUT", "-H", "Content-Type: application/json"),
    "boom-500": ("/api/boom",),
    "me-wildcard-credentials": ("/api/me", "--credentials", "-H", "Cookie: session=s3cr3t-value"),
    "items-not-exposed": ("/api/items", "--expect-header", "X-Total-Count"),
    "reports-redirect": ("/api/reports",),
    "authorization-not-allowed": ("/api/ok", "-H", "Authorization: Bearer tok-abcdef-123"),
    "allowed": ("/api/ok", "-H", "Content-Type: text/plain"),
}


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("case", sorted(CHECKS))
def test_check(base: str, case: str, fmt: str) -> None:
    path, *rest = CHECKS[case]
    done = cli("check", base + path, "--origin", PAGE, *rest, "--format", fmt, "--no-color")
    compare(f"check/{case}.{fmt}", done, port_of(base))


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("case", ["orders-put-preflight", "users-trailing-slash"])
def test_check_all_browsers(base: str, case: str, fmt: str) -> None:
    path, *rest = CHECKS[case]
    done = cli("check", base + path, "--origin", PAGE, *rest, "--browser", "all",
               "--format", fmt, "--no-color")
    compare(f"check-all/{case}.{fmt}", done, port_of(base))


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_check_unreachable(fmt: str) -> None:
    done = cli("check", "http://127.0.0.1:9/api", "--origin", PAGE, "--format", fmt,
               "--no-color", "--timeout", "5")
    compare(f"check/unreachable.{fmt}", done, None)


def test_check_usage_error() -> None:
    done = cli("check", "http://127.0.0.1:9/api", "--origin", "http://localhost:5173/")
    compare("check/usage-bad-origin.text", done, None)


CONFIG = """\
headers = {{ "X-Client" = "web" }}
timeout = 10

[[checks]]
name = "users"
url = "{base}/api/users"
origin = "{page}"
expect = "allowed"

[[checks]]
name = "orders"
url = "{base}/api/orders/7"
origin = "{page}"
method = "PUT"
headers = {{ "Content-Type" = "application/json" }}
expect = "blocked"
expect_error = "PreflightMissingAllowOriginHeader"

[[checks]]
name = "items"
url = "{base}/api/items"
origin = "{page}"
readable = ["X-Total-Count"]
tags = ["smoke"]

[[checks]]
name = "me"
url = "{base}/api/me"
origin = "{page}"
credentials = true
expect = "blocked"

[[checks]]
name = "ok"
url = "{base}/api/ok"
origin = "{page}"
max_severity = "none"

[[checks]]
name = "down"
url = "http://127.0.0.1:9/x"
origin = "{page}"
"""


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "markdown", "github"])
def test_run(base: str, tmp_path: Path, fmt: str) -> None:
    config = tmp_path / "corsprobe.toml"
    config.write_text(CONFIG.format(base=base, page=PAGE), encoding="utf-8")
    done = cli("run", "corsprobe.toml", "--concurrency", "1", "--format", fmt, "--no-color",
               cwd=tmp_path)
    compare(f"run/six-checks.{fmt}", done, port_of(base))


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
@pytest.mark.parametrize("case", ["me", "items"])
def test_scan(base: str, case: str, fmt: str) -> None:
    extra = ("--credentials",) if case == "me" else ()
    done = cli("scan", f"{base}/api/{case}", "--origin", PAGE, *extra, "--format", fmt,
               "--no-color")
    compare(f"scan/{case}.{fmt}", done, port_of(base))


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
@pytest.mark.parametrize("har", ["actual-blocked", "allowed", "preflight-blocked", "redirects"])
def test_har(har: str, fmt: str) -> None:
    done = cli("har", str(HAR / f"{har}.har"), "--format", fmt)
    compare(f"har/{har}.{fmt}", done.__class__(done.args, done.returncode,
                                               done.stdout.replace(str(ROOT), "ROOT"),
                                               done.stderr.replace(str(ROOT), "ROOT")), None)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_demo(fmt: str) -> None:
    compare(f"demo/demo.{fmt}", cli("demo", "--format", fmt, "--no-color"), None)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_rules(fmt: str) -> None:
    compare(f"rules/rules.{fmt}", cli("rules", "--format", fmt), None)


@pytest.mark.parametrize("rule", ["CORS101", "wildcard-origin-with-credentials"])
def test_explain(rule: str) -> None:
    compare(f"explain/{rule}.text", cli("explain", rule), None)
