"""`corsprobe check` end to end against a real loopback server: keys, exit codes, safety."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.browser.scenario_server import Response, ScenarioServer

REQUIRED_KEYS = {
    "schema", "tool", "target", "origin", "browser", "request", "preflight", "actual",
    "allowed", "blocked_at", "browser_error", "console_message", "readable_headers", "findings",
}


ALLOWED = "https://app.example.com"


def _echo(req):
    if req.header("origin") != ALLOWED:
        return Response(200, [("Vary", "Origin")], b"{}")
    headers = [("Access-Control-Allow-Origin", ALLOWED), ("Vary", "Origin"), ("Access-Control-Allow-Credentials", "true"),
               ("Access-Control-Allow-Methods", "GET, PUT, POST, DELETE"),
               ("Access-Control-Allow-Headers", "authorization, content-type, x-token"),
               ("X-Request-ID", "42"), ("Access-Control-Expose-Headers", "X-Request-ID")]
    return Response(200, headers, b"{}")


def _missing(req):
    return Response(200, [("Content-Type", "application/json")], b"{}")


def _echo_secret(req):
    return Response(200, [("Access-Control-Allow-Origin", ALLOWED), ("Vary", "Origin"),
                          ("Access-Control-Allow-Credentials", "true"),
                          ("Access-Control-Allow-Headers", "authorization"),
                          ("X-Seen-Auth", req.header("authorization") or ""),
                          ("X-Seen-Cookie", req.header("cookie") or "")],
                    (req.header("authorization") or "").encode())


@pytest.fixture(scope="module")
def server():
    with ScenarioServer({"echo": _echo, "missing": _missing, "secret": _echo_secret}) as s:
        yield s


def run(*args: str) -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-m", "corsprobe", *args], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def check(server, path, *args):
    url = f"http://api.test:{server.port}/s/{path}"
    return run("check", url, "--origin", "https://app.example.com",
               "--resolve", f"api.test:{server.port}:127.0.0.1", *args)


def test_allowed_json_has_every_contract_key_and_exit_0(server):
    code, out, err = check(server, "echo/a", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert REQUIRED_KEYS <= set(report)
    assert report["schema"] == "corsprobe/report/v1"
    assert report["allowed"] is True and report["browser_error"] is None
    assert "x-request-id" in report["readable_headers"]
    resp = report["actual"]["exchanges"][0]["response"]
    assert isinstance(resp["headers"], list) and all(len(p) == 2 for p in resp["headers"])


def test_blocked_exit_1_and_console_message(server):
    code, out, _ = check(server, "missing/a", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["allowed"] is False and report["blocked_at"] == "actual"
    assert report["browser_error"] == "MissingAllowOriginHeader"
    assert report["console_message"].startswith("Access to fetch at 'http://api.test:")
    assert [f["rule"] for f in report["findings"]] == ["CORS101"]


def test_text_report_shows_wire_and_verdict(server):
    code, out, _ = check(server, "missing/a", "--no-color")
    assert code == 1
    assert "> GET http://api.test:" in out and "< HTTP/1.1 200 OK" in out
    assert "Chrome would BLOCK" in out and "CORS101" in out


def test_unsafe_method_actual_not_sent_without_flag(server):
    server.clear()
    code, out, _ = check(server, "echo/put?n=unsafe1", "-X", "PUT", "--format", "json")
    methods = [r.method for r in server.requests_for("unsafe1")]
    assert "PUT" not in methods and set(methods) == {"OPTIONS"}  # probes are OPTIONS too
    server.clear()
    code, out, _ = check(server, "echo/put?n=unsafe1", "-X", "PUT", "--format", "json", "--no-probe")
    report = json.loads(out)
    methods = [r.method for r in server.requests_for("unsafe1")]
    assert methods == ["OPTIONS"]
    assert report["allowed"] is None and report["actual"]["sent"] is False
    assert "--send-actual" in report["actual"]["why_not"]
    assert code == 0


def test_unsafe_method_sent_with_flag(server):
    code, out, _ = check(server, "echo/put?n=unsafe2", "-X", "PUT", "--send-actual", "--format", "json",
                         "--no-probe")
    assert [r.method for r in server.requests_for("unsafe2")] == ["OPTIONS", "PUT"]
    assert json.loads(out)["allowed"] is True and code == 0


def test_no_actual_sends_only_the_preflight(server):
    check(server, "echo/x?n=noactual", "-H", "X-Token: 1", "--no-actual", "--format", "json",
          "--no-probe")
    assert [r.method for r in server.requests_for("noactual")] == ["OPTIONS"]


def test_preflight_is_sent_as_chromium_sends_it(server):
    check(server, "echo/x?n=pf", "-X", "PUT", "-H", "X-Token: 1", "-H", "Content-Type: application/json",
          "-H", "Authorization: Bearer s3cr3t-token", "--credentials", "--format", "json")
    pre = server.requests_for("pf")[0]
    assert pre.method == "OPTIONS"
    assert pre.header("access-control-request-method") == "PUT"
    assert pre.header("access-control-request-headers") == "authorization,content-type,x-token"
    assert pre.header("authorization") is None and pre.header("cookie") is None
    assert pre.body_len == 0


def test_secrets_are_redacted_everywhere(server):
    secret = "s3cr3t-token-value"
    for fmt in ("json", "text"):
        code, out, err = check(server, "secret/x", "-H", f"Authorization: Bearer {secret}",
                               "-H", "Cookie: session=cookie-secret-123", "--credentials",
                               "--format", fmt)
        assert secret not in out and secret not in err
        assert "cookie-secret-123" not in out
        assert "REDACTED" in out
        assert code == 0, err


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["check", "http://127.0.0.1:9/", "--origin", "https://app.example.com/"], "slash"),
        (["check", "http://127.0.0.1:9/", "--origin", "app.example.com"], "no scheme"),
        (["check", "not a url", "--origin", "https://a.example"], "URL"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "-H", "NoColon"], "colon"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "-X", "TRACE"], "forbidden"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "--resolve", "x"], "HOST:PORT"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "-d", "x"], "body"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "--bogus"], "bogus"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "-H", "Host: x"], "--resolve"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "-H", "Origin: x"], "--origin"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "-H", "Sec-Fetch-Site: none"], "forbidden"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "-H", "Cookie: a=b"], "without --credentials"),
        (["check", "http://::1:8080/", "--origin", "https://a.example"], "brackets"),
        (["check", "http://127.0.0.1:9/", "--origin", "http://::1:3000"], "brackets"),
        (["check", "http://127.0.0.1:70000/", "--origin", "https://a.example"], "port"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "-X", "GE T"], "token"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(args, fragment):
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert fragment.lower() in err.lower()
    assert "Traceback" not in err and "Traceback" not in out


def test_unreachable_exit_3_and_json_error_object():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    code, out, err = run("check", f"http://127.0.0.1:{port}/", "--origin", "https://a.example",
                         "--format", "json")
    assert code == 3
    report = json.loads(out)
    assert report["allowed"] is False and report["browser_error"] is None
    assert report["error"]["kind"] == "connect"
    code, out, err = run("check", f"http://127.0.0.1:{port}/", "--origin", "https://a.example")
    assert code == 3 and "cannot connect" in err and "Traceback" not in err


def test_timeout_exit_3():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)  # accepts (kernel backlog) but never answers
    try:
        code, out, err = run("check", f"http://127.0.0.1:{s.getsockname()[1]}/", "--origin",
                             "https://a.example", "--timeout", "0.5", "--format", "json")
    finally:
        s.close()
    assert code == 3 and json.loads(out)["error"]["kind"] == "timeout"


def test_help_is_fast_to_import():
    code, out, _ = run("--help")
    assert code == 0 and "check" in out
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, corsprobe.cli; "
         "print(sorted(m for m in ('httpx', 'rich', 'corsprobe.rules') if m in sys.modules))"],
        capture_output=True, text=True)
    assert probe.stdout.strip() == "[]"


def test_reflecting_server_is_flagged_by_untrusted_origin_probes():
    def reflect(req):
        return Response(200, [("Access-Control-Allow-Origin", req.header("origin") or ""),
                              ("Access-Control-Allow-Credentials", "true"), ("Vary", "Origin")], b"")

    with ScenarioServer({"reflect": reflect}) as s:
        code, out, _ = check(s, "reflect/x?n=refl", "--credentials", "--format", "json")
        report = json.loads(out)
        assert report["allowed"] is True and code == 1
        assert "CORS804" in [f["rule"] for f in report["findings"]]
        methods = {r.method for r in s.requests_for("refl")}
        assert methods == {"GET"}  # probes are never unsafe
        code, out, _ = check(s, "reflect/x", "--credentials", "--no-probe", "--format", "json")
        assert code == 0 and json.loads(out)["probes"] == []


def test_refused_origin_variant_is_named():
    def slash(req):
        if req.header("origin") == ALLOWED + "/":
            return Response(200, [("Access-Control-Allow-Origin", ALLOWED + "/")], b"")
        return Response(200, [], b"")

    with ScenarioServer({"slash": slash}) as s:
        code, out, _ = check(s, "slash/x", "--format", "json")
        report = json.loads(out)
        rules = {f["rule"]: f for f in report["findings"]}
        assert "CORS111" in rules and "trailing slash" in rules["CORS111"]["message"]
        assert report["probes"][-1]["accepted"] is True
