"""`corsprobe paste` end to end: DevTools snippets and console lines drive a real check of a
loopback server, before and after it is fixed."""

from __future__ import annotations

import pytest

from tests.clihelp import cli
from tests.paste import devtools
from tests.paste.conftest import PAGE
from tests.paste.test_snippets import SAFARI_UA, chrome_headers, firefox_headers

SECRETS = ("tok-SECRET-123456", "COOKIE-SECRET-987654")
BODY = '{"name":"x"}'


def url_of(server, path: str = "items") -> str:
    return f"http://127.0.0.1:{server.port}/s/api/{path}"


def snippets(url: str) -> dict[str, str]:
    safari = [("Content-Type", "application/json"), ("Accept", "*/*"),
              ("Authorization", "Bearer tok-SECRET-123456"), ("Origin", PAGE),
              ("User-Agent", SAFARI_UA), ("Cookie", "session=COOKIE-SECRET-987654")]
    return {
        "chrome-bash": devtools.chrome_curl(url, "PUT", chrome_headers(), BODY),
        "chrome-cmd": devtools.chrome_curl(url, "PUT", chrome_headers(), BODY, platform="win"),
        "firefox-curl": devtools.firefox_curl(url, "PUT", firefox_headers(), BODY),
        "safari-curl": devtools.safari_curl(url, "PUT", safari, BODY),
        "chrome-fetch": devtools.chrome_fetch(url, "PUT", chrome_headers(), BODY),
        "chrome-node-fetch": devtools.chrome_fetch(url, "PUT", chrome_headers(), BODY, node=True),
        "firefox-fetch": devtools.firefox_fetch(url, "PUT", firefox_headers(), BODY),
    }


FORMS = list(snippets("http://x"))


@pytest.mark.parametrize("form", FORMS)
def test_snippet_reproduces_then_not_after_the_fix(api, form):
    server, handler = api
    text = snippets(url_of(server))[form]
    broken = cli("paste", text, "--format", "json", code=1).json()
    assert broken["schema"] == "corsprobe/paste/v1"
    assert broken["source"] == ("fetch" if "fetch" in form else "curl")
    assert broken["request"]["method"] == "PUT" and broken["request"]["origin"] == PAGE
    assert broken["request"]["credentials"] is True
    assert broken["reproduced"] is True
    assert broken["report"]["blocked_at"] == "preflight"
    # the preflight asked for the page's headers only, never the browser's own
    [preflight] = [r for r in server.records if r.method == "OPTIONS"]
    assert preflight.header("access-control-request-method") == "PUT"
    asked = set(preflight.header("access-control-request-headers").split(","))
    assert asked <= {"authorization", "content-type", "x-empty", "x-request-id"}
    assert {"authorization", "content-type"} <= asked
    assert preflight.header("cookie") is None

    handler.mode = "fixed"
    server.clear()
    # PUT may change data: only the preflight is sent, and it passes: unknown
    unsent = cli("paste", text, "--format", "json").json()
    assert unsent["reproduced"] is None and "--send-actual" in unsent["reproduced_why"]
    assert all(r.method == "OPTIONS" for r in server.records)
    fixed = cli("paste", text, "--format", "json", "--send-actual").json()
    assert fixed["reproduced"] is False and fixed["report"]["allowed"] is True
    assert "preflight cache" in fixed["reproduced_why"]
    actual = [r for r in server.records if r.method == "PUT"]
    if "fetch" not in form or "node" in form:  # the cookie came with the paste
        assert actual[-1].header("cookie", ) and "COOKIE-SECRET-987654" in actual[-1].header("cookie")


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("form", ["chrome-bash", "chrome-cmd", "firefox-curl", "chrome-node-fetch"])
def test_secrets_never_shown(api, form, fmt):
    server, handler = api
    text = snippets(url_of(server))[form]
    for mode, code in (("broken", 1), ("fixed", 0)):
        handler.mode = mode
        for extra in ((), ("--send-actual",), ("--no-check",)):
            ran = cli("paste", text, "--format", fmt, "--no-color", *extra,
                      code=0 if "--no-check" in extra else code)
            for secret in SECRETS:
                assert secret not in ran.out and secret not in ran.err, (mode, extra)
            assert "REDACTED" in ran.out


def chrome_line(url: str, reason: str) -> str:
    return (f"Access to fetch at '{url}' from origin '{PAGE}' has been blocked by CORS policy: "
            f"{reason}")


METHOD = "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
MISSING = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
MISMATCH = ("The 'Access-Control-Allow-Origin' header has a value 'http://other.test' that is "
            "not equal to the supplied origin. Have the server send the header with a valid value.")


def test_chrome_method_line(api):
    server, handler = api
    line = "index.html:1 " + chrome_line(url_of(server), METHOD) + "\nFailed to load resource: net::ERR_FAILED"
    doc = cli("paste", line, "--format", "json", code=1).json()
    assert doc["source"] == "chrome-console" and doc["request"]["method"] == "PUT"
    assert doc["browser_error"] == "MethodDisallowedByPreflightResponse"
    assert doc["reproduced"] is True
    handler.mode = "fixed"
    doc = cli("paste", line, "--format", "json").json()
    assert doc["reproduced"] is False and doc["report"]["allowed"] is None
    assert "preflight cache" in doc["reproduced_why"]


def test_chrome_missing_line_text(api):
    server, handler = api
    line = chrome_line(url_of(server), MISSING)
    out = cli("paste", line, "--no-color", code=1).out
    assert out.startswith("corsprobe paste  from Chrome's console")
    assert "REPRODUCED: the server still answers this way: MissingAllowOriginHeader" in out
    assert "Chrome would BLOCK" in out
    handler.mode = "fixed"
    out = cli("paste", line, "--no-color").out
    assert "NOT REPRODUCED: the server now allows this request" in out


def test_a_different_error_is_named(api):
    server, _ = api
    doc = cli("paste", chrome_line(url_of(server), MISMATCH), "--format", "json", code=1).json()
    assert doc["browser_error"] == "AllowOriginMismatch"
    assert doc["reproduced"] is False
    assert doc["reproduced_why"].startswith("a different error now: MissingAllowOriginHeader")


def test_firefox_line_needs_origin(api):
    server, handler = api
    line = ("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
            f"resource at {url_of(server)}. (Reason: CORS header ‘Access-Control-Allow-Origin’ "
            "missing). Status code: 200.")
    ran = cli("paste", line, code=2)
    assert ran.err.count("\n") == 1 and "--origin" in ran.err and "Firefox" in ran.err
    doc = cli("paste", line, "--origin", PAGE, "--format", "json", code=1).json()
    assert doc["browser_reason"] == "CORSMissingAllowOrigin" and doc["browser"] == "firefox"
    assert doc["report"]["browser_reason"] == "CORSMissingAllowOrigin"
    assert doc["reproduced"] is True
    handler.mode = "fixed"
    assert cli("paste", line, "--origin", PAGE, "--format", "json").json()["reproduced"] is False


def test_safari_pair(api):
    server, handler = api
    text = (f"[Error] Origin {PAGE} is not allowed by Access-Control-Allow-Origin. Status code: 200\n"
            f"[Error] Fetch API cannot load {url_of(server)} due to access control checks.")
    doc = cli("paste", text, "--format", "json", code=1).json()
    assert doc["source"] == "safari-console" and doc["request"]["origin"] == PAGE
    assert doc["browser"] == "safari" and doc["reproduced"] is True
    handler.mode = "fixed"
    assert cli("paste", text, "--format", "json").json()["reproduced"] is False


def test_several_lines_one_request_each(api):
    server, _ = api
    a, b = chrome_line(url_of(server, "a"), MISSING), chrome_line(url_of(server, "b"), MISSING)
    docs = cli("paste", "\n".join([a, b, a]), "--format", "json", "--no-check").json()
    assert [d["request"]["url"] for d in docs] == [url_of(server, "a"), url_of(server, "b")]
    assert server.records == []


def test_stdin_and_no_check(api):
    server, _ = api
    import subprocess
    import sys

    from tests.clihelp import ROOT
    p = subprocess.run([sys.executable, "-m", "corsprobe", "paste", "--no-check", "--format",
                        "json"], input=chrome_line(url_of(server), METHOD), capture_output=True,
                       text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert p.returncode == 0, p.stderr
    import json
    doc = json.loads(p.stdout)
    assert doc["report"] is None and doc["reproduced"] is None


def test_not_recognised_is_one_usage_line():
    ran = cli("paste", "this is not what a browser says", code=2)
    assert ran.err.count("\n") == 1 and "Copy as cURL" in ran.err and "Copy as fetch" in ran.err


def test_clipboard_without_a_tool(tmp_path):
    ran = cli("paste", "--clipboard", code=2, env={"PATH": str(tmp_path)})
    assert ran.err.count("\n") == 1 and "xclip" in ran.err
