"""Secrets and safety: secret header values never appear in any output format, nothing is
written to disk unless asked, and an unsafe method's actual request is never sent without
the explicit flag (checked on what the server received)."""

from __future__ import annotations

import json

import pytest

from tests.browser.scenario_server import Response, ScenarioServer
from tests.hostile.harness import corsprobe
from tests.hostile.server import HostileServer

APP = "https://app.example.com"
BEARER = "bearer-secret-0xA1B2C3"
COOKIE = "cookie-secret-0xD4E5F6"
API_KEY = "apikey-secret-0x778899"
OTHER = "other-secret-0x445566"  # marked secret in one check only
SECRETS = (BEARER, COOKIE, API_KEY, OTHER)


def _echo(req):
    """Allows APP with credentials and echoes every request header back, in headers and body."""
    seen = "; ".join(f"{k}={v}" for k, v in req.headers)
    return Response(200, [("Access-Control-Allow-Origin", APP),
                          ("Access-Control-Allow-Credentials", "true"),
                          ("Access-Control-Allow-Headers", "authorization, x-api-key"),
                          ("Access-Control-Allow-Methods", "GET, PUT"),
                          ("X-Echo", seen)], f"seen: {seen}".encode())


def _refuse(req):
    """Refuses with an error page that echoes the headers (a non-2xx body is shown)."""
    seen = "; ".join(f"{k}={v}" for k, v in req.headers)
    return Response(401, [("X-Echo", seen)], f"denied: {seen}".encode())


@pytest.fixture(scope="module")
def echo():
    with ScenarioServer({"echo": _echo, "refuse": _refuse}) as s:
        yield s


def _assert_clean(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


SECRET_ARGS = ("-H", f"Authorization: Bearer {BEARER}", "-H", f"Cookie: session={COOKIE}",
               "-H", f"X-Api-Key: {API_KEY}", "--secret-header", "X-Api-Key", "--credentials")


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("path", ["echo", "refuse"])
def test_check_redacts_in_every_format(echo, fmt, path):
    ran = corsprobe("check", f"http://127.0.0.1:{echo.port}/s/{path}/x", "--origin", APP,
                    "-X", "PUT", "--send-actual", "--format", fmt, "--no-color", *SECRET_ARGS)
    assert "Traceback" not in ran.err
    _assert_clean(ran.out, ran.err)
    if path == "refuse":  # the refused preflight carries no secret; the actual is not sent
        return
    assert "REDACTED" in ran.out
    if fmt == "json":
        report = json.loads(ran.out)
        assert report["request"]["headers"]["X-Api-Key"] == "REDACTED"
        assert report["request"]["headers"]["Authorization"] == "Bearer REDACTED"


def test_the_server_really_received_the_secrets(echo):
    """The redaction is in the output only: the request carries the real values."""
    corsprobe("check", f"http://127.0.0.1:{echo.port}/s/echo/x?n=real", "--origin", APP,
              "--no-probe", *SECRET_ARGS)
    got = echo.requests_for("real")[-1]
    assert got.header("x-api-key") == API_KEY and BEARER in got.header("authorization")


def test_run_redacts_in_every_format(echo, tmp_path):
    config = tmp_path / "corsprobe.toml"
    config.write_text(f'''
secret_headers = ["X-Api-Key"]
origin = "{APP}"
credentials = true
headers = {{ "Authorization" = "Bearer {BEARER}", "X-Api-Key" = "{API_KEY}" }}

[[checks]]
name = "allowed but expected blocked"
url = "http://127.0.0.1:{echo.port}/s/echo/x"
expect = "blocked"

[[checks]]
name = "refused"
url = "http://127.0.0.1:{echo.port}/s/refuse/x"

[[checks]]
name = "put"
url = "http://127.0.0.1:{echo.port}/s/echo/x"
method = "PUT"
send_actual = true
headers = {{ "X-Other" = "{OTHER}" }}
secret_headers = ["X-Other"]
''')
    summary = tmp_path / "summary.md"
    outputs = []
    for fmt in ("text", "json", "junit", "sarif", "markdown", "github"):
        ran = corsprobe("run", "--config", str(config), "--format", fmt, "--no-color",
                        cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary)})
        assert ran.code == 1 and "Traceback" not in ran.err, (fmt, ran.err)
        outputs += [ran.out, ran.err]
    files = {kind: tmp_path / f"report.{kind}" for kind in ("json", "junit", "sarif", "markdown")}
    ran = corsprobe("run", "--config", str(config), *(a for k, p in files.items()
                                                      for a in (f"--{k}", str(p))), cwd=tmp_path)
    outputs += [ran.out, ran.err, *(p.read_text() for p in files.values())]
    assert summary.read_text().strip()
    outputs.append(summary.read_text())
    _assert_clean(*outputs)
    assert "REDACTED" in outputs[2]  # the JSON report held the (masked) secret headers


def test_nothing_is_written_to_disk_unless_asked(echo, tmp_path):
    cwd, home = tmp_path / "cwd", tmp_path / "home"
    cwd.mkdir()
    home.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "PYTHONDONTWRITEBYTECODE": "1"}
    url = f"http://127.0.0.1:{echo.port}/s/echo/x"
    for fmt in ("text", "json"):
        ran = corsprobe("check", url, "--origin", APP, "--format", fmt, cwd=cwd, env=env)
        assert ran.code == 0, ran.err
    config = tmp_path / "corsprobe.toml"  # outside cwd: given explicitly
    config.write_text(f'[[checks]]\nname = "a"\nurl = "{url}"\norigin = "{APP}"\n')
    for fmt in ("text", "json", "junit", "sarif", "markdown", "github"):
        ran = corsprobe("run", "--config", str(config), "--format", fmt, cwd=cwd, env=env)
        assert ran.code == 0, (fmt, ran.err)
    assert list(cwd.iterdir()) == [] and list(home.iterdir()) == []
    ran = corsprobe("run", "--config", str(config), "--json", "asked.json", cwd=cwd, env=env)
    assert [p.name for p in cwd.iterdir()] == ["asked.json"]


@pytest.fixture(scope="module")
def recorder():
    with HostileServer() as s:
        yield s


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST", "PATCH"])
def test_check_never_sends_an_unsafe_actual_request_without_the_flag(recorder, method):
    url = recorder.url("cors_ok", f"check-{method}")
    args = ("-X", method, "-H", "Content-Type: application/json") + (
        ("-d", "{}") if method != "DELETE" else ())
    ran = corsprobe("check", url, "--origin", APP, "--format", "json", *args)
    seen = {r.method for r in recorder.records if r.target.endswith(f"check-{method}")}
    assert seen == {"OPTIONS"}, seen  # the preflight (and any probe) only
    assert json.loads(ran.out)["actual"]["sent"] is False and ran.code == 0
    corsprobe("check", url, "--origin", APP, "--send-actual", "--no-probe", *args)
    seen = [r.method for r in recorder.records if r.target.endswith(f"check-{method}")]
    assert seen.count(method) == 1


def test_a_simple_post_is_not_sent_either(recorder):
    """A text/plain POST needs no preflight, so without the flag nothing at all is sent."""
    url = recorder.url("cors_ok", "simple-post")
    ran = corsprobe("check", url, "--origin", APP, "-X", "POST", "-d", "x", "--no-probe")
    assert not [r for r in recorder.records if r.target.endswith("simple-post")]
    assert ran.code == 0 and "--send-actual" in ran.out


def test_run_never_sends_an_unsafe_actual_request_without_the_flag(recorder, tmp_path):
    config = tmp_path / "corsprobe.toml"
    config.write_text(f'''
origin = "{APP}"
[[checks]]
name = "delete, preflight only"
url = "{recorder.url("cors_ok", "run-delete")}"
method = "DELETE"
[[checks]]
name = "put, explicitly sent"
url = "{recorder.url("cors_ok", "run-put")}"
method = "PUT"
send_actual = true
''')
    ran = corsprobe("run", "--config", str(config), "--format", "json", cwd=tmp_path)
    assert ran.code == 0, ran.out
    methods = {t: [r.method for r in recorder.records if r.target.endswith(t)]
               for t in ("run-delete", "run-put")}
    assert methods == {"run-delete": ["OPTIONS"], "run-put": ["OPTIONS", "PUT"]}
