"""``corsprobe run`` with ``[[flows]]`` against the real Flask session login.

A flow's steps run in order and share one cookie jar that keeps what the browser model stores:
after the login from the app's origin, ``/api/me`` answers 200 when the session cookie is one a
cross-site page can keep (variant ``session_none``: SameSite=None; Secure), and 401 when the
browser refused it (Flask's default, no SameSite). Cookie values appear in no output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .test_diagnosis import ORIGIN

ROOT = Path(__file__).resolve().parents[2]

CONFIG = '''
base_url = "{base}"
origin = "{origin}"

[[checks]]
name = "users"
url = "/api/users"

[[flows]]
name = "session"

[[flows.steps]]
name = "login"
url = "/api/login"
method = "POST"
headers = {{ "Content-Type" = "application/json" }}
body = "{{}}"
send_actual = true

[[flows.steps]]
name = "me"
url = "/api/me"
headers = {{ "X-Custom" = "1" }}            # a preflight, which must carry no cookie
expect_status = 200

[[flows]]
name = "anonymous"

[[flows.steps]]
name = "me"
url = "/api/me"
expect_status = 401
'''


def run(tmp_path: Path, base: str, *args: str) -> tuple[int, str, str]:
    (tmp_path / "corsprobe.toml").write_text(CONFIG.format(base=base, origin=ORIGIN))
    p = subprocess.run(
        [sys.executable, "-m", "corsprobe", "run", "--format", "json", "--junit", "r.xml",
         "--sarif", "r.sarif", "--markdown", "r.md", *args],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert p.returncode in (0, 1), p.stderr
    return p.returncode, p.stdout, p.stderr


def header(exchange: dict, side: str, name: str) -> list[str]:
    return [v for k, v in exchange[side]["headers"] if k.lower() == name]


def test_session_travels_to_me_when_the_browser_keeps_it(framework_server, tmp_path):
    base = framework_server("flask", "session_none")
    code, out, err = run(tmp_path, base)
    doc = json.loads(out)
    results = {r["name"]: r for r in doc["results"]}
    assert code == 0, [r["failures"] for r in doc["results"]]
    assert sorted(r["index"] for r in doc["results"]) == [0, 1, 2, 3]
    assert [results[n]["index"] for n in ("users", "session › login", "session › me",
                                          "anonymous › me")] == [0, 1, 2, 3]
    login, me = results["session › login"], results["session › me"]
    assert login["flow"] == me["flow"] == "session" and "flow" not in results["users"]
    assert [(c["name"], c["stored"]) for c in login["report"]["cookies"]] == [("session", True)]
    assert any("jar keeps cookie(s) session" in n for n in login["report"]["notes"])
    # the cookie on the actual request, never on the preflight
    pre = me["report"]["preflight"]["exchanges"][0]
    actual = me["report"]["actual"]["exchanges"][0]
    assert header(pre, "request", "cookie") == []
    assert header(actual, "request", "cookie") == ["REDACTED"]
    assert actual["response"]["status"] == 200
    assert json.loads(actual["response"]["body_excerpt"]) == {"user": "alice"}
    assert any("jar sends cookie(s) session on the actual request" in n
               for n in me["report"]["notes"])
    # another flow has a jar of its own
    anon = results["anonymous › me"]
    assert anon["status"] == "passed"
    assert header(anon["report"]["actual"]["exchanges"][0], "request", "cookie") == []
    # the session's value is in no output: find it from the server, as the browser got it
    secret = _session_value(base)
    outputs = [out, err, *((tmp_path / f).read_text() for f in ("r.xml", "r.sarif", "r.md"))]
    assert not [o for o in outputs if secret in o]
    assert 'name="session › me" classname="corsprobe.session"' in outputs[2]
    assert "| session › me |" in outputs[4]


def test_me_is_anonymous_when_the_browser_refuses_the_session(framework_server, tmp_path):
    base = framework_server("flask", "correct")  # Flask's default cookie: no SameSite
    code, out, _ = run(tmp_path, base, "--only", "session › me")  # one step runs its flow
    assert code == 1
    results = {r["name"]: r for r in json.loads(out)["results"]}
    assert sorted(results) == ["session › login", "session › me"]
    login, me = results["session › login"], results["session › me"]
    assert [(c["name"], c["stored"], c["blocked_reasons"]) for c in login["report"]["cookies"]] \
        == [("session", False, ["SchemefulSameSiteUnspecifiedTreatedAsLax"])]
    assert any(f["rule"] == "CORS901" for f in login["report"]["findings"])
    assert any("does not keep cookie(s) session" in n for n in login["report"]["notes"])
    actual = me["report"]["actual"]["exchanges"][0]
    assert header(actual, "request", "cookie") == []
    assert me["status"] == "failed" and me["report"]["allowed"] is True  # CORS passes...
    assert me["failures"] == [{"expectation": "status",  # ...the session does not
                               "message": "expected status 200, but the server answered 401"}]
    assert any("the flow's jar is empty" in n for n in me["report"]["notes"])


def _session_value(base: str) -> str:
    import httpx

    r = httpx.post(base + "/api/login", json={}, headers={"Origin": ORIGIN})
    value = r.cookies.get("session")
    assert value and len(value) > 20
    # Flask signs the same payload the same way within a second; take its stable prefix too
    return value.split(".")[0]


def test_the_readme_flow_runs_as_written(framework_server, tmp_path):
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Many checks at once")
    section = readme[start:readme.index("\n## ", start + 3)]
    toml = next(b for b in re.findall(r"```toml\n(.*?)```", section, flags=re.S)
                if "[[flows]]" in b)
    base = framework_server("flask", "session_none")
    (tmp_path / "corsprobe.toml").write_text(f'base_url = "{base}"\n' + toml)
    password = "pw-7c1e9b3f2a"
    p = subprocess.run([sys.executable, "-m", "corsprobe", "run", "--format", "json"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                            "PASSWORD": password})
    assert p.returncode == 0, p.stdout + p.stderr
    results = json.loads(p.stdout)["results"]
    assert [(r["name"], r["status"]) for r in results] == [
        ("session › login", "passed"), ("session › me", "passed")]
    assert password not in p.stdout
