"""`corsprobe run` end to end against a real loopback server: expectations, exit codes,
selection, concurrency and discovery."""

from __future__ import annotations

import json

from .conftest import APP, EVIL, run_cli

REQUIRED_KEYS = {
    "schema", "tool", "target", "origin", "browser", "request", "preflight", "actual",
    "allowed", "blocked_at", "browser_error", "console_message", "readable_headers", "findings",
}


def results(out: str) -> dict[str, dict]:
    doc = json.loads(out)
    assert doc["schema"] == "corsprobe/run/v1"
    return {r["name"]: r for r in doc["results"]}


def test_every_expectation_kind_passes(base, write, tmp_path):
    write(f'''
base_url = "{base}"
[[checks]]
name = "allowed and readable"
url = "/ok/users"
origin = "{APP}"
readable = ["X-Request-ID"]

[[checks]]
name = "put with preflight and actual"
url = "/ok/users/1"
origin = "{APP}"
method = "PUT"
headers = {{ "Content-Type" = "application/json" }}
body = '{{"name": "x"}}'
send_actual = true
readable = ["x-request-id"]
max_severity = "none"

[[checks]]
name = "json post, preflight only"
url = "/ok/users"
origin = "{APP}"
method = "POST"
headers = {{ "Content-Type" = "application/json" }}

[[checks]]
name = "other origins are refused"
url = "/ok/users"
origin = "{EVIL}"
expect = "blocked"

[[checks]]
name = "refused with the expected error"
url = "/none/users"
origin = "{APP}"
expect = "blocked"
expect_error = "MissingAllowOriginHeader"

[[checks]]
name = "preflight refused"
url = "/nopreflight/x"
origin = "{APP}"
method = "DELETE"
expect_error = "PreflightMissingAllowOriginHeader"

[[checks]]
name = "wildcard with credentials"
url = "/wildcard/x"
origin = "{APP}"
credentials = true
expect = "blocked"
expect_error = "WildcardOriginNotAllowed"

[[checks]]
name = "warnings tolerated"
url = "/novary/x"
origin = "{APP}"
max_severity = "warning"
''')
    ran = run_cli("--format", "json", cwd=tmp_path)
    assert ran.code == 0, ran.err + ran.out
    got = results(ran.out)
    assert len(got) == 8
    assert {r["status"] for r in got.values()} == {"passed"}, {
        n: r["failures"] for n, r in got.items() if r["failures"]}
    for r in got.values():
        assert REQUIRED_KEYS <= set(r["report"])
        assert r["failures"] == []
    assert got["json post, preflight only"]["report"]["allowed"] is None
    assert got["refused with the expected error"]["report"]["browser_error"] == "MissingAllowOriginHeader"
    assert json.loads(ran.out)["summary"] == {**json.loads(ran.out)["summary"], "total": 8,
                                              "passed": 8, "failed": 0, "unreachable": 0,
                                              "exit_code": 0}


def test_every_expectation_kind_fails_with_its_reason(base, write, tmp_path):
    write(f'''
base_url = "{base}"
[[checks]]
name = "expected allowed"
url = "/none/x"
origin = "{APP}"

[[checks]]
name = "expected blocked"
url = "/ok/x"
origin = "{APP}"
expect = "blocked"

[[checks]]
name = "expected blocked, actual not sent"
url = "/ok/x"
origin = "{APP}"
method = "PUT"
expect = "blocked"

[[checks]]
name = "wrong error"
url = "/none/x"
origin = "{APP}"
expect_error = "AllowOriginMismatch"

[[checks]]
name = "not exposed"
url = "/hidden/x"
origin = "{APP}"
readable = ["X-Request-ID"]

[[checks]]
name = "readable needs the actual request"
url = "/ok/x"
origin = "{APP}"
method = "PUT"
readable = ["X-Request-ID"]

[[checks]]
name = "too severe"
url = "/novary/x"
origin = "{APP}"
max_severity = "info"
''')
    ran = run_cli("--format", "json", cwd=tmp_path)
    assert ran.code == 1, ran.err
    got = results(ran.out)
    kinds = {name: [f["expectation"] for f in r["failures"]] for name, r in got.items()}
    assert kinds == {
        "expected allowed": ["allowed"],
        "expected blocked": ["blocked"],
        "expected blocked, actual not sent": ["blocked"],
        "wrong error": ["expect_error"],
        "not exposed": ["readable"],
        "readable needs the actual request": ["readable"],
        "too severe": ["max_severity"],
    }
    assert all(r["status"] == "failed" for r in got.values())
    msg = {name: r["failures"][0]["message"] for name, r in got.items()}
    assert "blocks it at the response: MissingAllowOriginHeader" in msg["expected allowed"]
    assert "expected AllowOriginMismatch, but Chrome reports MissingAllowOriginHeader" in msg["wrong error"]
    assert "Access-Control-Expose-Headers: X-Request-ID" in msg["not exposed"]
    assert "send_actual = true" in msg["readable needs the actual request"]
    assert "CORS701" in msg["too severe"]
    # the refused origin was probed for a close variant (a diagnosis for the failure)
    assert got["expected allowed"]["report"]["probes"]


def test_default_max_severity_fails_an_allowed_check_on_an_error_finding_only(base, write, tmp_path):
    write(f'base_url = "{base}"\n[[checks]]\nname = "w"\nurl = "/novary/x"\norigin = "{APP}"\n')
    ran = run_cli("--format", "json", cwd=tmp_path)
    assert ran.code == 0, ran.out
    r = results(ran.out)["w"]
    assert r["expect"]["max_severity"] == "warning"
    assert {f["severity"] for f in r["report"]["findings"]} == {"warning"}


def test_unreachable_target_is_exit_3_and_reported_per_check(server, base, write, tmp_path):
    write(f'''
[[checks]]
name = "down"
url = "http://127.0.0.1:{server.closed_port}/x"
origin = "{APP}"

[[checks]]
name = "up"
url = "{base}/ok/x"
origin = "{APP}"
''')
    ran = run_cli("--format", "json", cwd=tmp_path)
    assert ran.code == 3, ran.err
    got = results(ran.out)
    assert got["down"]["status"] == "unreachable"
    assert got["down"]["report"]["error"]["kind"] == "connect"
    assert got["down"]["failures"][0]["expectation"] == "reachable"
    assert got["up"]["status"] == "passed"
    assert "Traceback" not in ran.err


def test_a_real_failure_outranks_unreachable(server, base, write, tmp_path):
    write(f'''
[[checks]]
name = "down"
url = "http://127.0.0.1:{server.closed_port}/x"
origin = "{APP}"

[[checks]]
name = "fails"
url = "{base}/none/x"
origin = "{APP}"
''')
    ran = run_cli(cwd=tmp_path)
    assert ran.code == 1
    assert "1 passed" not in ran.out and "0 passed, 1 failed, 1 unreachable" in ran.out


def test_only_and_tag_select_checks(base, write, tmp_path):
    write(f'''
base_url = "{base}"
[[checks]]
name = "a"
url = "/ok/a"
origin = "{APP}"
tags = ["smoke"]

[[checks]]
name = "b"
urls = ["/ok/b1", "/ok/b2"]
origin = "{APP}"
tags = ["slow", "smoke"]

[[checks]]
name = "c"
url = "/none/c"
origin = "{APP}"
''')
    ran = run_cli("--format", "json", "--only", "a", cwd=tmp_path)
    assert ran.code == 0 and list(results(ran.out)) == ["a"]
    ran = run_cli("--format", "json", "--only", "b", "--only", "a", cwd=tmp_path)
    assert sorted(results(ran.out)) == ["a", "b [/ok/b1]", "b [/ok/b2]"]
    ran = run_cli("--format", "json", "--only", "b [/ok/b2]", cwd=tmp_path)
    assert list(results(ran.out)) == ["b [/ok/b2]"]
    ran = run_cli("--format", "json", "--tag", "smoke", cwd=tmp_path)
    assert ran.code == 0 and len(results(ran.out)) == 3
    ran = run_cli("--format", "json", "--tag", "slow", cwd=tmp_path)
    assert sorted(results(ran.out)) == ["b [/ok/b1]", "b [/ok/b2]"]
    ran = run_cli(cwd=tmp_path)  # everything: c fails
    assert ran.code == 1
    bad = run_cli("--only", "nope", cwd=tmp_path)
    assert bad.code == 2 and "--only 'nope'" in bad.err
    bad = run_cli("--tag", "nope", cwd=tmp_path)
    assert bad.code == 2 and "nope" in bad.err


def test_checks_run_concurrently(base, write, tmp_path):
    write(f'base_url = "{base}"\n[[checks]]\nname = "slow"\n'
          f'urls = [{", ".join(f"{chr(34)}/slow/{i}{chr(34)}" for i in range(20))}]\n'
          f'origin = "{APP}"\nprobe = "off"\n')
    ran = run_cli("--format", "json", cwd=tmp_path)
    assert ran.code == 0, ran.err
    assert len(results(ran.out)) == 20
    # one after the other: 20 x 0.3 s = 6 s at least; generous bound for a slow machine
    assert json.loads(ran.out)["summary"]["duration_s"] < 3.0, ran.out[-200:]


def test_pyproject_discovery_from_a_subdirectory(base, write, tmp_path):
    write(f'[project]\nname = "app"\n\n[tool.corsprobe]\nbase_url = "{base}"\n\n'
          f'[[tool.corsprobe.checks]]\nname = "from pyproject"\nurl = "/ok/x"\norigin = "{APP}"\n',
          name="pyproject.toml")
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    ran = run_cli("--format", "json", cwd=sub)
    assert ran.code == 0, ran.err
    assert list(results(ran.out)) == ["from pyproject"]
    assert json.loads(ran.out)["config"] == str(tmp_path / "pyproject.toml")


def test_config_argument_and_option(base, write, tmp_path):
    path = write(f'[[checks]]\nname = "x"\nurl = "{base}/ok/x"\norigin = "{APP}"\n', name="ci.toml")
    for args in ([str(path)], ["--config", str(path)], ["-c", "ci.toml"]):
        ran = run_cli("--format", "json", *args, cwd=tmp_path)
        assert ran.code == 0 and list(results(ran.out)) == ["x"], ran.err


def test_config_errors_exit_2_in_one_line(write, tmp_path):
    write('[[checks]]\nname = "users"\nurl = "https://api.example.com/x"\norigin = "https://app.example.com"\n'
          'expect = "alowed"\n')
    ran = run_cli(cwd=tmp_path)
    assert ran.code == 2
    assert ran.err.strip() == ("corsprobe: corsprobe.toml: check 'users': key 'expect': 'alowed' is "
                               "not one of: allowed, blocked")
    ran = run_cli("--config", "missing.toml", cwd=tmp_path)
    assert ran.code == 2 and "missing.toml: no such config file" in ran.err
    write('[[checks]]\nname = "u"\nurl = "https://api.example.com/x?t=${UNSET_VAR_FOR_TEST}"\n'
          'origin = "https://app.example.com"\n')
    ran = run_cli(cwd=tmp_path)
    assert ran.code == 2 and "check 'u': key 'url': environment variable UNSET_VAR_FOR_TEST" in ran.err
    assert "Traceback" not in ran.err


def test_text_output_and_plain_progress(base, write, tmp_path):
    write(f'base_url = "{base}"\n[[checks]]\nname = "good"\nurl = "/ok/x"\norigin = "{APP}"\n'
          f'[[checks]]\nname = "bad"\nurl = "/none/x"\norigin = "{APP}"\n')
    ran = run_cli(cwd=tmp_path)
    assert ran.code == 1
    assert "✓ good" in ran.out and "✗ bad" in ran.out
    assert "allowed: expected Chrome to allow it" in ran.out
    assert "console: Access to fetch at" in ran.out
    assert "CORS101" in ran.out and "fix:" in ran.out
    assert ran.out.rstrip().endswith("2 checks: 1 passed, 1 failed in " + ran.out.rstrip().split(" in ")[-1])
    assert ran.err == ""  # stdout already has one line per check
    ran = run_cli("--format", "json", cwd=tmp_path)
    lines = ran.err.splitlines()
    assert lines[0] == "corsprobe: 2 checks from corsprobe.toml"
    assert lines[-1].startswith("corsprobe: 2 checks: 1 passed, 1 failed")
    # the failure in full, the passing check not at all (tests/run/test_quiet_logs.py)
    assert any(line.endswith("] FAIL bad") for line in lines) and "good" not in ran.err
    assert any(line.startswith("    allowed: expected Chrome to allow it") for line in lines)
