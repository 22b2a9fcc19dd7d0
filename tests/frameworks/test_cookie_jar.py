"""``check --cookie-jar``: a login check then a /me check against a real Flask session login.

The jar is curl's Netscape file: what the browser model stores is written to it, its cookies
matching the URL go on the next actual credentialed request (never on a preflight), and
their values appear in no output."""

from __future__ import annotations

import json
import subprocess
import sys
from http.cookiejar import MozillaCookieJar

from .test_diagnosis import JSON, ORIGIN


def run(base: str, path: str, jar, *args: str, fmt: str = "json") -> str:
    p = subprocess.run(
        [sys.executable, "-m", "corsprobe", "check", base + path, "--origin", ORIGIN,
         "--cookie-jar", str(jar), "--format", fmt, *(["--no-color"] if fmt == "text" else []),
         *args],
        capture_output=True, text=True, timeout=60,
    )
    assert p.returncode in (0, 1), p.stderr
    return p.stdout


def login(base: str, jar, fmt: str = "json") -> str:
    return run(base, "/api/login", jar, "-X", "POST", *JSON, "-d", "{}", "--send-actual",
               "--credentials", fmt=fmt)


def cookies_in(jar) -> dict[str, str]:
    cj = MozillaCookieJar(str(jar))
    cj.load(ignore_discard=True)
    return {c.name: c.value or "" for c in cj}


def test_session_travels_when_the_browser_stores_it(framework_server, tmp_path):
    base = framework_server("flask", "session_none")  # SameSite=None; Secure
    jar = tmp_path / "cookies.txt"
    first = json.loads(login(base, jar))
    assert [(c["name"], c["stored"]) for c in first["cookies"]] == [("session", True)]
    assert any("wrote cookie(s) session" in n for n in first["notes"])
    secret = cookies_in(jar)["session"]
    assert len(secret) > 20
    assert jar.read_text().startswith("# Netscape HTTP Cookie File")
    assert "#HttpOnly_127.0.0.1\tFALSE\t/\tTRUE\t" in jar.read_text()  # curl's line

    # the next check carries it (on the actual request, not the preflight X-Custom forces)
    out = run(base, "/api/me", jar, "--credentials", "-H", "X-Custom: 1")
    me = json.loads(out)
    assert me["allowed"] is True
    pre = me["preflight"]["exchanges"][0]["request"]["headers"]
    actual = me["actual"]["exchanges"][0]
    assert not [v for k, v in pre if k.lower() == "cookie"]
    assert [v for k, v in actual["request"]["headers"] if k.lower() == "cookie"] == ["REDACTED"]
    assert actual["response"]["status"] == 200
    assert json.loads(actual["response"]["body_excerpt"]) == {"user": "alice"}
    assert any("jar sends cookie(s) session on the actual request" in n for n in me["notes"])
    assert secret not in out
    text = run(base, "/api/me", jar, "--credentials", fmt="text")
    assert secret not in text and "Cookie: REDACTED" in text
    assert secret not in login(base, tmp_path / "again.txt", fmt="text")


def test_a_refused_session_cookie_is_not_written_and_me_stays_anonymous(framework_server,
                                                                         tmp_path):
    base = framework_server("flask", "correct")  # Flask's default: no SameSite
    jar = tmp_path / "cookies.txt"
    first = json.loads(login(base, jar))
    assert [(c["name"], c["stored"], c["blocked_reasons"]) for c in first["cookies"]] == [
        ("session", False, ["SchemefulSameSiteUnspecifiedTreatedAsLax"])]
    assert any("did not write cookie(s) session" in n for n in first["notes"])
    assert cookies_in(jar) == {}
    me = json.loads(run(base, "/api/me", jar, "--credentials"))
    actual = me["actual"]["exchanges"][0]
    assert not [v for k, v in actual["request"]["headers"] if k.lower() == "cookie"]
    assert actual["response"]["status"] == 401
    assert any("the jar is empty" in n for n in me["notes"])


def test_jar_cookies_without_credentials_are_not_sent(framework_server, tmp_path):
    base = framework_server("flask", "session_none")
    jar = tmp_path / "cookies.txt"
    login(base, jar)
    before = jar.read_text()
    me = json.loads(run(base, "/api/me", jar))
    actual = me["actual"]["exchanges"][0]
    assert not [v for k, v in actual["request"]["headers"] if k.lower() == "cookie"]
    assert actual["response"]["status"] == 401
    assert any("not sent: without --credentials" in n for n in me["notes"])
    assert cookies_in(jar) and jar.read_text() == before  # kept as it was


def test_a_curl_written_jar_is_read(framework_server, tmp_path):
    """A file as curl -c writes it (expiry 0: a session cookie), for another host and path."""
    base = framework_server("flask", "session_none")
    jar = tmp_path / "cookies.txt"
    login(base, jar)
    secret = cookies_in(jar)["session"]
    jar.write_text("# Netscape HTTP Cookie File\n"
                   f"#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\t{secret}\n"
                   "other.example\tFALSE\t/\tFALSE\t0\tforeign\tnot-for-this-host\n"
                   "127.0.0.1\tFALSE\t/admin\tFALSE\t0\tadmin\tnot-for-this-path\n")
    out = run(base, "/api/me", jar, "--credentials")
    me = json.loads(out)
    assert me["actual"]["exchanges"][0]["response"]["status"] == 200
    assert any("sends cookie(s) session on" in n for n in me["notes"])
    assert "foreign" not in json.dumps(me["notes"]) and secret not in out
