"""`corsprobe run` (the asyncio keep-alive pool) against the hostile servers: every broken
target is a per-check result, never a crash, and the run as a whole stays within time and
memory bounds."""

from __future__ import annotations

import json

from .harness import APP, corsprobe
from .test_check import CASES, TIMEOUT

KEY = [c for c in CASES if c.name in {
    "close", "garbage", "http09", "slowloris", "stalled_body_cors", "huge_headers", "huge_body",
    "space_in_name", "obs_fold", "conflicting_length", "redirect_loop", "redirect_data",
    "redirect_ftp", "informational_storm", "informational_then_ok", "non_utf8",
}]


def _config(tmp_path, checks: list[tuple[str, str, str]], engine_timeout: float = TIMEOUT):
    parts = [f'timeout = {engine_timeout}\nprobe = "off"\norigin = "{APP}"\n']
    for name, url, expect in checks:
        parts.append(f'[[checks]]\nname = "{name}"\nurl = "{url}"\nexpect = "{expect}"\n'
                     'max_severity = "error"\n')
    path = tmp_path / "corsprobe.toml"
    path.write_text("\n".join(parts))
    return path


def _run(tmp_path, hostile, extra=(), cases=KEY):
    checks = [(c.name, hostile.url(c.name), "allowed" if c.code == 0 else "blocked")
              for c in cases]
    path = _config(tmp_path, checks)
    return corsprobe("run", "--config", str(path), *extra, cwd=tmp_path)


def test_every_broken_target_is_a_per_check_result(hostile, tmp_path):
    ran = _run(tmp_path, hostile, ("--format", "json"))
    assert "Traceback" not in ran.err
    doc = json.loads(ran.out)
    results = {r["name"]: r for r in doc["results"]}
    assert set(results) == {c.name for c in KEY}
    for c in KEY:
        r = results[c.name]
        if c.code == 3:
            assert r["status"] == "unreachable", (c.name, r["failures"])
            assert r["report"]["error"]["kind"] == c.kind, (c.name, r["report"]["error"])
            assert c.says in r["failures"][0]["message"], (c.name, r["failures"])
        else:
            assert r["status"] == "passed", (c.name, r["failures"])
            assert r["report"]["browser_error"] == c.error
    # no expectation failed, some targets were unreachable: exit 3
    assert ran.code == 3 and doc["summary"]["unreachable"] == sum(c.code == 3 for c in KEY)
    # concurrent: the slow cases overlap, so the whole run is far from their sum
    assert ran.seconds < 4 * TIMEOUT + 10
    assert ran.peak_mb < 200


def test_text_format_says_what_each_server_did(hostile, tmp_path):
    ran = _run(tmp_path, hostile, ("--format", "text", "--no-color"))
    assert "Traceback" not in ran.err and ran.code == 3
    for c in KEY:
        line = next(line for line in ran.out.splitlines() if f" {c.name}  " in line)
        if c.code == 3:
            assert line.startswith("! ") and c.says in line, line
        else:
            assert line.startswith("✓ "), line


def test_a_port_that_never_reads_a_large_body(never_read, tmp_path):
    body = "x" * 3_000_000
    path = tmp_path / "corsprobe.toml"
    path.write_text(f'timeout = {TIMEOUT}\nprobe = "off"\n[[checks]]\nname = "upload"\n'
                    f'url = "{never_read.url("x")}"\norigin = "{APP}"\nmethod = "POST"\n'
                    f'send_actual = true\nbody = "{body}"\n')
    ran = corsprobe("run", "--config", str(path), "--format", "json", cwd=tmp_path)
    assert "Traceback" not in ran.err and ran.code == 3
    result = json.loads(ran.out)["results"][0]
    assert result["status"] == "unreachable"
    assert "stopped reading the request" in result["report"]["error"]["message"]
    assert ran.seconds < 3 * TIMEOUT + 8


def test_tls_mismatches(plain_port, tls_port, tmp_path):
    path = _config(tmp_path, [("tls to plain", plain_port.url("x", scheme="https"), "allowed"),
                              ("plain to tls", tls_port.url("x"), "allowed")])
    ran = corsprobe("run", "--config", str(path), "--format", "json", cwd=tmp_path)
    assert "Traceback" not in ran.err and ran.code == 3
    results = {r["name"]: r for r in json.loads(ran.out)["results"]}
    assert results["tls to plain"]["report"]["error"]["kind"] == "tls"
    assert "does not speak TLS" in results["tls to plain"]["report"]["error"]["message"]
    assert results["plain to tls"]["report"]["error"]["kind"] == "protocol"


def test_run_verifies_tls_by_default_and_notes_insecure(tls_port, tmp_path):
    url = f"https://api.test:{tls_port.port}/h/cors_ok/x"
    base = (f'timeout = {TIMEOUT}\nprobe = "off"\nresolve = ["api.test:{tls_port.port}:127.0.0.1"]'
            f'\n[[checks]]\nname = "tls"\nurl = "{url}"\norigin = "{APP}"\n')
    path = tmp_path / "corsprobe.toml"
    path.write_text(base)
    ran = corsprobe("run", "--config", str(path), "--format", "json", cwd=tmp_path)
    result = json.loads(ran.out)["results"][0]
    assert ran.code == 3 and result["report"]["error"]["kind"] == "tls"
    assert "certificate" in result["report"]["error"]["message"].lower()
    path.write_text("insecure = true\n" + base)
    ran = corsprobe("run", "--config", str(path), "--format", "json", cwd=tmp_path)
    result = json.loads(ran.out)["results"][0]
    assert ran.code == 0 and result["status"] == "passed", result["failures"]
    assert any("--insecure" in n for n in result["report"]["notes"])
