"""`corsprobe check` end to end against a real loopback server: keys, exit codes, safety."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.browser.scenario_server import Response, ScenarioServer
from tests.clihelp import cli

REQUIRED_KEYS = {
    "schema", "tool", "target", "origin", "browser", "request", "preflight", "actual",
    "allowed", "blocked_at", "browser_error", "console_message", "readable_headers", "findings",
}


ALLOWED = "http://app.example.com"  # not https: its page could not fetch the http test server (mixed content)


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


def check(server, path, *args, code=0):
    """`corsprobe check` of a path of ``server`` from http://app.example.com, exiting ``code``."""
    url = f"http://api.test:{server.port}/s/{path}"
    return cli("check", url, "--origin", ALLOWED,
               "--resolve", f"api.test:{server.port}:127.0.0.1", *args, code=code, timeout=60)


def test_allowed_json_has_every_contract_key_and_exit_0(server):
    report = check(server, "echo/a", "--format", "json").json()
    assert REQUIRED_KEYS <= set(report)
    assert report["schema"] == "corsprobe/report/v1"
    assert report["allowed"] is True and report["browser_error"] is None
    assert "x-request-id" in report["readable_headers"]
    resp = report["actual"]["exchanges"][0]["response"]
    assert isinstance(resp["headers"], list) and all(len(p) == 2 for p in resp["headers"])


def test_blocked_exit_1_and_console_message(server):
    report = check(server, "missing/a", "--format", "json", code=1).json()
    assert report["allowed"] is False and report["blocked_at"] == "actual"
    assert report["browser_error"] == "MissingAllowOriginHeader"
    assert report["console_message"].startswith("Access to fetch at 'http://api.test:")
    assert [f["rule"] for f in report["findings"]] == ["CORS101"]


def test_text_report_shows_wire_and_verdict(server):
    out = check(server, "missing/a", "--no-color", code=1).out
    assert "> GET http://api.test:" in out and "< HTTP/1.1 200 OK" in out
    assert "Chrome would BLOCK" in out and "CORS101" in out


def test_unsafe_method_actual_not_sent_without_flag(server):
    server.clear()
    check(server, "echo/put?n=unsafe1", "-X", "PUT", "--format", "json")
    methods = [r.method for r in server.requests_for("unsafe1")]
    assert "PUT" not in methods and set(methods) == {"OPTIONS"}  # probes are OPTIONS too
    server.clear()
    report = check(server, "echo/put?n=unsafe1", "-X", "PUT", "--format", "json", "--no-probe").json()
    methods = [r.method for r in server.requests_for("unsafe1")]
    assert methods == ["OPTIONS"]
    assert report["allowed"] is None and report["actual"]["sent"] is False
    assert "--send-actual" in report["actual"]["why_not"]


def test_unsafe_method_sent_with_flag(server):
    ran = check(server, "echo/put?n=unsafe2", "-X", "PUT", "--send-actual", "--format", "json",
                "--no-probe")
    assert [r.method for r in server.requests_for("unsafe2")] == ["OPTIONS", "PUT"]
    assert ran.json()["allowed"] is True


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
        ran = check(server, "secret/x", "-H", f"Authorization: Bearer {secret}",
                    "-H", "Cookie: session=cookie-secret-123", "--credentials", "--format", fmt)
        assert secret not in ran.out and secret not in ran.err
        assert "cookie-secret-123" not in ran.out
        assert "REDACTED" in ran.out


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
        (["check", "http://::1:8080/", "--origin", "https://a.example"], "brackets"),
        (["check", "http://127.0.0.1:9/", "--origin", "http://::1:3000"], "brackets"),
        (["check", "http://127.0.0.1:70000/", "--origin", "https://a.example"], "port"),
        (["check", "http://127.0.0.1:9/", "--origin", "https://a.example", "-X", "GE T"], "token"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_line(args, fragment):
    ran = cli(*args, code=2, timeout=60)
    assert fragment.lower() in ran.err.lower()
    assert "Traceback" not in ran.err and "Traceback" not in ran.out


def test_unreachable_exit_3_and_json_error_object():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    report = cli("check", f"http://127.0.0.1:{port}/", "--origin", "https://a.example",
                 "--format", "json", code=3).json()
    assert report["allowed"] is False and report["browser_error"] is None
    assert report["error"]["kind"] == "connect"
    err = cli("check", f"http://127.0.0.1:{port}/", "--origin", "https://a.example", code=3).err
    assert "cannot connect" in err and "Traceback" not in err


def test_timeout_exit_3():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)  # accepts (kernel backlog) but never answers
    try:
        ran = cli("check", f"http://127.0.0.1:{s.getsockname()[1]}/", "--origin",
                  "https://a.example", "--timeout", "0.5", "--format", "json", code=3)
    finally:
        s.close()
    assert ran.json()["error"]["kind"] == "timeout"


def test_help_is_fast_to_import():
    assert "check" in cli("--help").out
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
        report = check(s, "reflect/x?n=refl", "--credentials", "--format", "json", code=1).json()
        assert report["allowed"] is True
        assert "CORS804" in [f["rule"] for f in report["findings"]]
        methods = {r.method for r in s.requests_for("refl")}
        assert methods == {"GET"}  # probes are never unsafe
        assert check(s, "reflect/x", "--credentials", "--no-probe", "--format", "json").json()["probes"] == []


def test_refused_origin_variant_is_named():
    def slash(req):
        if req.header("origin") == ALLOWED + "/":
            return Response(200, [("Access-Control-Allow-Origin", ALLOWED + "/")], b"")
        return Response(200, [], b"")

    with ScenarioServer({"slash": slash}) as s:
        report = check(s, "slash/x", "--format", "json", code=1).json()
        rules = {f["rule"]: f for f in report["findings"]}
        assert "CORS111" in rules and "trailing slash" in rules["CORS111"]["message"]
        assert report["probes"][-1]["accepted"] is True


def test_mixed_content_sends_nothing_and_says_no_cors_header_fixes_it(server):
    before = len(server.records)
    args = ("check", f"http://api.test:{server.port}/s/echo/m", "--origin",
            "https://app.example.com", "--resolve", f"api.test:{server.port}:127.0.0.1")
    ran = cli(*args, code=1, timeout=60)
    assert len(server.records) == before  # the server was never asked
    assert "as mixed content" in ran.out and "No CORS header can fix this" in ran.out
    assert "serve the API over https" in ran.out and "CORS001" in ran.out
    report = cli(*args, "--format", "json", code=1, timeout=60).json()
    assert (report["blocked_at"], report["blocked_reason"], report["browser_error"]) == (
        "mixed-content", "mixed-content", None)


def test_page_space_public_blocks_a_loopback_target_before_anything_is_sent(server):
    before = len(server.records)
    report = check(server, "echo/l", "--page-space", "public", "--format", "json", code=1).json()
    assert len(server.records) == before
    assert report["blocked_at"] == "local-network-access"
    assert report["browser_error"] == "InsecureLocalNetwork"  # the page is http
    assert report["blocked_reason"] is None
    assert "CORS002" in {f["rule"] for f in report["findings"]}
    # a rehearsal: the same page against a copy of a public service
    report = check(server, "echo/l", "--page-space", "public", "--target-space", "public",
                   "--format", "json").json()
    assert report["allowed"] is True


def test_cookie_jar_values_never_reach_an_output(server, tmp_path):
    """The jar's cookie matching the URL goes on the actual request and is redacted even where
    the server echoes it (a header, the body)."""
    jar = tmp_path / "jar.txt"
    jar.write_text("# Netscape HTTP Cookie File\n"
                   "api.test\tFALSE\t/\tFALSE\t0\tsid\tjar-secret-4242\n"
                   "api.test\tFALSE\t/\tFALSE\t0\tab\tx9\n")
    for fmt in ("json", "text"):
        ran = check(server, "secret/x", "--credentials", "--cookie-jar", str(jar),
                    "--format", fmt)
        assert "jar-secret-4242" not in ran.out and "jar-secret-4242" not in ran.err
        assert "sid, ab" in ran.out  # the names, in the note
    report = check(server, "secret/x", "--credentials", "--cookie-jar", str(jar),
                   "--format", "json").json()
    sent = dict(report["actual"]["exchanges"][0]["request"]["headers"])
    assert sent["Cookie"] == "REDACTED"


@pytest.mark.parametrize("content,args,fragment", [
    ("not a cookie file\n", [], "Netscape"),
    ("# Netscape HTTP Cookie File\n", ["--browser", "all"], "one browser"),
])
def test_cookie_jar_usage_errors(tmp_path, content, args, fragment):
    jar = tmp_path / "jar.txt"
    jar.write_text(content)
    ran = cli("check", "http://127.0.0.1:9/", "--origin", "https://a.example", "--cookie-jar",
              str(jar), *args, code=2, timeout=60)
    assert fragment in ran.err and "Traceback" not in ran.err
