"""Bad input, table-driven: every case exits 2 with one line on stderr that names the bad
part and shows a valid example, and never a traceback."""

from __future__ import annotations

import json
import os

import pytest

from tests.browser.scenario_server import Response, ScenarioServer
from tests.hostile.harness import corsprobe

URL = "http://127.0.0.1:9/"
ORIGIN = "https://app.example.com"

# (args after `check`, what the line must name, a valid example it must show)
CHECK = [
    ([URL, "--origin", "https://app.example.com/"], "ends with a slash", "'https://app.example.com'"),
    ([URL, "--origin", "https://app.example.com/app"], "has a path", "e.g. https://"),
    ([URL, "--origin", "app.example.com"], "has no scheme", "e.g. https://"),
    ([URL, "--origin", "https://app .example.com"], "whitespace", "e.g. https://"),
    ([URL, "--origin", "ftp://app.example.com"], "only http and https", "e.g. https://"),
    ([URL, "--origin", "NULL"], "spelled 'null'", "'null'"),
    ([URL, "--origin", "https://app.example.com:99999"], "port", "e.g. https://app.example.com:8080"),
    ([URL, "--origin", "https://app.example.com:-1"], "port", ":8080"),
    ([URL, "--origin", "http://::1:3000"], "needs brackets", "http://[::1]:8080"),
    ([URL, "--origin", "http://[::1"], "not closed with ']'", "http://[::1]:8080"),
    ([URL, "--origin", "http://[::zz]"], "not a valid IPv6 address", "http://[::1]:8080"),
    ([URL, "--origin", "https://xn--zz.example"], "'xn--zz.example' is not a valid domain", "e.g. https://"),
    ([URL, "--origin", "https://u:pw@app.example.com"], "user:password", "scheme://host[:port]"),
    (["http://::1:8080/x", "--origin", ORIGIN], "needs brackets", "http://[::1]:8080"),
    (["http://127.0.0.1:65536/", "--origin", ORIGIN], "port", ":8080"),
    (["127.0.0.1:8080/users", "--origin", ORIGIN], "has no scheme", "e.g. https://api.example.com/users"),
    (["http://127.0.0.1/a b", "--origin", ORIGIN], "whitespace", "e.g. https://"),
    (["http:///users", "--origin", ORIGIN], "has no host", "e.g. https://"),
    ([URL, "--origin", ORIGIN, "-H", "X-Token"], "'X-Token' has no colon", "-H 'Name: value'"),
    ([URL, "--origin", ORIGIN, "-H", ": v"], "has no name", "-H 'Name: value'"),
    ([URL, "--origin", ORIGIN, "-H", "X Token: v"], "'X Token' is not a valid token", "e.g. -H"),
    ([URL, "--origin", ORIGIN, "-X", "CONNECT"], "forbidden method", "CONNECT"),
    ([URL, "--origin", ORIGIN, "-X", "trace"], "forbidden method", "TRACE"),
    ([URL, "--origin", ORIGIN, "-X", "TRACK"], "forbidden method", "TRACK"),
    ([URL, "--origin", ORIGIN, "-X", "GE T"], "not a valid HTTP method token", "e.g. -X PUT"),
    ([URL, "--origin", ORIGIN, "--secret-header", "X Key"], "--secret-header 'X Key'", "--secret-header X-Api-Key"),
    ([URL, "--origin", ORIGIN, "--bogus"], "No such option: --bogus", "e.g. corsprobe check"),
    ([URL, "--origin", ORIGIN, "--timeout", "soon"], "'--timeout'", "e.g. corsprobe check"),
    ([URL], "Missing option '--origin'", "e.g. corsprobe check"),
    ([URL, "--origin", ORIGIN, "--resolve", "api.example.com"], "--resolve", "e.g. --resolve"),
    ([URL, "--origin", ORIGIN, "--data-file", "/nonexistent/body"], "--data-file", "/nonexistent/body"),
    ([URL, "--origin", ORIGIN, "--stack", "nginx,haproxy"], "--stack: unknown layer 'haproxy'", "nginx"),
]


def _one_line(ran) -> str:
    assert "Traceback" not in ran.err and "Traceback" not in ran.out
    lines = [line for line in ran.err.splitlines() if line.strip()]
    assert len(lines) == 1, ran.err
    assert lines[0].startswith("corsprobe: ")
    return lines[0]


@pytest.mark.parametrize("args,names,example", CHECK, ids=[" ".join(c[0][1:])[:50] or c[0][0]
                                                          for c in CHECK])
def test_check_bad_input(args, names, example):
    ran = corsprobe("check", *args, "--no-probe")
    assert ran.code == 2, (ran.out, ran.err)
    line = _one_line(ran)
    assert names in line and example in line, line
    assert ran.out == ""


def test_a_header_without_colon_is_not_echoed_whole():
    ran = corsprobe("check", URL, "--origin", ORIGIN, "-H", "Authorization Bearer hunter2-secret")
    assert ran.code == 2 and "hunter2-secret" not in ran.err
    assert "'Authorization ...' has no colon" in _one_line(ran)


def test_credentials_in_a_bad_url_are_not_echoed():
    ran = corsprobe("check", "http://user:hunter2-secret@127.0.0.1:99999/", "--origin", ORIGIN)
    assert ran.code == 2 and "hunter2-secret" not in ran.err and "REDACTED@" in ran.err


GOOD_CONFIG = f'[[checks]]\nname = "a"\nurl = "http://127.0.0.1:9/"\norigin = "{ORIGIN}"\n'
RUN = [
    ("nothing.toml", None, "no such config file", "nothing.toml"),
    ("dir.toml", "DIR", "cannot read the config", "dir.toml"),
    ("binary.toml", b"\xff\xfe\x00garbage", "cannot read the config", "binary.toml"),
    ("bad.toml", "[[checks]\nname =", "not valid TOML", "line"),
    ("empty.toml", "", "no checks", "[[checks]]"),
    ("unknown.toml", "timout = 3\n" + GOOD_CONFIG, "unknown key (did you mean 'timeout'?)", "known keys"),
    ("type.toml", "timeout = \"soon\"\n" + GOOD_CONFIG, "key 'timeout': expected a number", "timeout"),
    ("origin.toml", GOOD_CONFIG.replace(ORIGIN, ORIGIN + "/"), "ends with a slash", "'https://app.example.com'"),
    ("url.toml", GOOD_CONFIG.replace("http://127.0.0.1:9/", "users"), "relative and there is no base_url", "https://api.example.com/users"),
    ("header.toml", GOOD_CONFIG + 'headers = { "X Key" = "x" }\n', "'X Key' is not a valid header name", "key 'headers'"),
    ("secret.toml", 'secret_headers = ["X Key"]\n' + GOOD_CONFIG, "key 'secret_headers'", '["X-Api-Key"]'),
    ("stack.toml", 'stack = "nginx,traefik"\n' + GOOD_CONFIG, "key 'stack': unknown layer 'traefik'", "varnish"),
    ("stack-type.toml", 'stack = 3\n' + GOOD_CONFIG, "key 'stack'", "a string or a list of strings"),
    ("env.toml", GOOD_CONFIG + 'headers = { "X-Key" = "${UNSET_CORSPROBE_VAR}" }\n', "UNSET_CORSPROBE_VAR is not set", "${UNSET_CORSPROBE_VAR}"),
]


@pytest.mark.parametrize("name,content,names,example", RUN, ids=[c[0] for c in RUN])
def test_run_bad_config(tmp_path, name, content, names, example):
    path = tmp_path / name
    if content == "DIR":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    ran = corsprobe("run", "--config", str(path), cwd=tmp_path)
    assert ran.code == 2, (ran.out, ran.err)
    line = _one_line(ran)
    assert names in line and example in line, line


def test_run_unreadable_config(tmp_path):
    # a directory where the config file should be: unreadable for root too (chmod is not)
    path = tmp_path / "corsprobe.toml"
    path.mkdir()
    ran = corsprobe("run", "--config", str(path), cwd=tmp_path)
    assert ran.code == 2, (ran.out, ran.err)
    line = _one_line(ran)
    assert "corsprobe.toml: cannot read the config" in line, line
    assert ran.out == ""


@pytest.mark.parametrize("args", [
    ["run", "--config", "{fifo}"],
    ["scan", "-i", "{fifo}"],
    ["har", "{fifo}"],
    ["check", "http://127.0.0.1:9/", "--origin", "http://a.test", "-X", "POST",
     "--data-file", "{fifo}"],
], ids=["run", "scan", "har", "check"])
def test_a_fifo_as_input_file_does_not_hang(tmp_path, args):
    # a FIFO with no writer would block the read forever
    fifo = tmp_path / "input.fifo"
    os.mkfifo(fifo)
    ran = corsprobe(*[a.format(fifo=fifo) for a in args], cwd=tmp_path)
    assert ran.code == 2, (ran.out, ran.err)
    assert "not a regular file" in _one_line(ran)


@pytest.mark.parametrize("args", [["--bogus"], ["--concurrency", "many"], ["a.toml", "--config", "b.toml"]])
def test_run_bad_options(tmp_path, args):
    ran = corsprobe("run", *args, cwd=tmp_path)
    assert ran.code == 2
    line = _one_line(ran)
    assert "corsprobe run" in line or "config once" in line, line


def test_idn_origin_is_compared_as_the_browser_serializes_it():
    """The browser sends (and compares) an internationalized origin in punycode: a server
    that allows the Unicode spelling refuses it; one that allows the punycode accepts."""
    def unicode_acao(req):
        return Response(200, [("Access-Control-Allow-Origin", "https://bücher.example")], b"")

    def punycode_acao(req):
        return Response(200, [("Access-Control-Allow-Origin", req.header("origin") or "")], b"")

    with ScenarioServer({"uni": unicode_acao, "puny": punycode_acao}) as s:
        base = f"http://127.0.0.1:{s.port}/s"
        ran = corsprobe("check", f"{base}/puny/x?n=idn", "--origin", "https://Bücher.example",
                        "--no-probe", "--format", "json")
        report = json.loads(ran.out)
        assert s.requests_for("idn")[0].header("origin") == "https://xn--bcher-kva.example"
        assert ran.code == 0 and report["origin"] == "https://xn--bcher-kva.example"
        assert any("xn--bcher-kva" in n for n in report["notes"])
        ran = corsprobe("check", f"{base}/uni/x", "--origin", "https://bücher.example",
                        "--no-probe", "--format", "json")
        report = json.loads(ran.out)
        assert ran.code == 1 and report["browser_error"] == "AllowOriginMismatch"
        # non-transitional UTS 46, as Chromium: ß stays ß (not "ss")
        ran = corsprobe("check", f"{base}/puny/x?n=sz", "--origin", "https://faß.example",
                        "--no-probe", "--format", "json")
        assert s.requests_for("sz")[0].header("origin") == "https://xn--fa-hia.example"


# A forbidden request header is not bad input: fetch() drops it silently and makes the request.
FORBIDDEN = [
    ("Origin: https://evil.example", "Origin", "--origin"),
    ("Cookie: sid=hunter2-secret", "Cookie", "--credentials"),
    ("Host: evil.example", "Host", "--resolve"),
    ("Sec-CH-UA: x", "Sec-CH-UA", "Sec-"),
    ("Sec-Fetch-Site: same-origin", "Sec-Fetch-Site", "Sec-"),
    ("Proxy-Authorization: Basic hunter2-secret", "Proxy-Authorization", "Proxy-"),
    ("Accept-Encoding: br", "Accept-Encoding", "forbidden request header"),
    ("Content-Length: 5", "Content-Length", "forbidden request header"),
    ("X-HTTP-Method-Override: TRACE", "X-HTTP-Method-Override", "forbidden method: TRACE"),
]


@pytest.mark.parametrize("header,name,why", FORBIDDEN, ids=[f[1] for f in FORBIDDEN])
def test_a_forbidden_header_is_dropped_with_a_note(header, name, why):
    def echo(req):
        return Response(200, [("Access-Control-Allow-Origin", req.header("origin") or "")], b"")

    with ScenarioServer({"echo": echo}) as s:
        url = f"http://127.0.0.1:{s.port}/s/echo/x?n=fb"
        ran = corsprobe("check", url, "--origin", ORIGIN, "-H", header, "--no-probe",
                        "--format", "json")
        assert ran.code == 0, ran.err
        report = json.loads(ran.out)
        assert report["allowed"] is True and not report["preflight"]["required"]
        note = report["notes"][0]
        assert note.startswith(f"dropped -H '{name}': ") and why in note, note
        assert "hunter2-secret" not in ran.out
        sent = s.requests_for("fb")[0]
        assert sent.header("origin") == ORIGIN
        value = header.split(": ", 1)[1]
        assert (name.lower(), value) not in {(k.lower(), v) for k, v in sent.headers}
        text = corsprobe("check", url, "--origin", ORIGIN, "-H", header, "--no-probe")
        lines = text.out.splitlines()
        assert any(line.startswith(f"note: dropped -H '{name}'") for line in lines[:5]), lines[:6]


def test_ipv6_literals_with_brackets_are_accepted():
    def echo(req):
        return Response(200, [("Access-Control-Allow-Origin", req.header("origin") or "")], b"")

    with ScenarioServer({"echo": echo}) as s:
        ran = corsprobe("check", f"http://127.0.0.1:{s.port}/s/echo/x?n=v6", "--origin",
                        "http://[::1]:3000", "--no-probe", "--format", "json")
        assert ran.code == 0, ran.err
        assert s.requests_for("v6")[0].header("origin") == "http://[::1]:3000"


def _commands() -> list[str]:
    from corsprobe.cli import COMMANDS

    return list(COMMANDS)


@pytest.mark.parametrize("command", _commands())
def test_an_unknown_option_names_the_command_and_shows_an_example(command, tmp_path):
    ran = corsprobe(command, "--bogus", cwd=tmp_path)
    assert ran.code == 2, (ran.out, ran.err)
    line = _one_line(ran)
    assert "No such option: --bogus" in line and f"(see corsprobe {command} --help)" in line, line
    assert f"e.g. corsprobe {command}" in line and "None" not in line, line
