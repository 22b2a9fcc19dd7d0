"""corsprobe against real nginx, Apache httpd, Caddy and Varnish in front of the real apps.

Three things for every case:
- the verdict is Chromium's (the same rows test_chromium.py asserts against real Chromium);
- each misconfiguration is diagnosed with the right layer, and that layer's fix comes first;
- a correctly configured stack has no error or warning finding.

And the cache probe: it proves a cache that hands one origin's answer to another, stays
quiet behind a cache that varies on Origin, and never leaves anything in the cache that a
real user could be served.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import httpx
import pytest

import corsprobe

from .servers import CASES
from .test_chromium import APP, CACHE_VERDICTS, VERDICTS


@pytest.fixture(scope="module", autouse=True)
def _start_all(stack_pool):
    stack_pool.prestart(CASES)


def check(url: str, *, method: str = "GET", headers=(), credentials: bool = False,
          body: str | None = None, stack: str = "") -> corsprobe.Report:
    return corsprobe.check(url, origin=APP, method=method, headers=list(headers),
                           credentials=credentials, body=body, send_actual=True,
                           timeout=10.0, stack=stack)


def fresh(base: str, path: str = "/api/users") -> str:
    """A URL no earlier test asked for: the caches start empty for it."""
    return f"{base}{path}?t={uuid.uuid4().hex[:8]}"


def fired(report: corsprobe.Report) -> dict[str, dict]:
    return {f["rule"]: f for f in report.data["findings"]}


# -- the verdict is Chromium's ----------------------------------------------------------------

@pytest.mark.parametrize(
    "case,label,path,opts,expected",
    [(c, *row) for c, rows in VERDICTS.items() for row in rows],
    ids=[f"{c}-{row[0]}" for c, rows in VERDICTS.items() for row in rows],
)
def test_verdict_is_chromiums(stack_server, case, label, path, opts, expected):
    report = check(stack_server(case) + path, **opts)
    allowed, error, status = expected
    assert (report.allowed, report.browser_error) == (allowed, error), (
        case, label, report.diagnosis())


@pytest.mark.parametrize("case", list(CACHE_VERDICTS))
def test_cache_verdicts_are_chromiums(stack_server, case):
    """Another site asks first, then the page: what the page gets is Chromium's verdict."""
    url = fresh(stack_server(case))
    httpx.get(url, headers={"Origin": "https://other.example.com"})
    allowed, error, _ = CACHE_VERDICTS[case][1]
    report = check(url)
    assert (report.allowed, report.browser_error) == (allowed, error), report.diagnosis()


# -- two layers add the same header -------------------------------------------------------------

@pytest.mark.parametrize("case,layer,label,proxy_first,stack", [
    ("nginx_duplicate", "nginx", "probably nginx", False, ""),
    # Apache passes the app's Server and adds nothing of its own: only --stack names it
    ("apache_duplicate", "apache", "Apache httpd", True, "apache"),
    ("caddy_duplicate", "caddy", "probably Caddy", True, ""),
])
def test_duplicate_names_both_layers(stack_server, case, layer, label, proxy_first, stack):
    report = check(stack_server(case) + "/api/users", credentials=True, stack=stack)
    finding = fired(report)["CORS108"]
    want = [f"'*' ({label})", f"'{APP}' (the app"]
    message = finding["message"]
    assert all(w in message for w in want), message
    assert (message.index(want[0]) < message.index(want[1])) == proxy_first, message
    assert finding["evidence"]["added_by"]
    assert layer in finding["fix"] and layer in [s["name"] for s in report.data["stack"]]
    # the text report leads with the layer's fix
    text = cli_text(stack_server(case) + "/api/users", "--credentials",
                    *(("--stack", stack) if stack else ()))
    block = text.split("CORS108", 1)[1]
    first_fix = next(line.strip() for line in block.splitlines()[2:] if line.strip())
    assert first_fix.startswith(("nginx:", "Apache:", "Caddy:")), block[:600]


def test_nginx_duplicate_allow_credentials_is_named_too(stack_server):
    report = check(stack_server("nginx_duplicate") + "/api/users", credentials=True)
    dup = fired(report)["CORS801"]
    assert "Access-Control-Allow-Credentials" in dup["message"]
    assert "proxy_hide_header" in dup["fix"]["nginx"]


# -- errors and redirects the proxy writes itself ----------------------------------------------

@pytest.mark.parametrize("case,path,opts,layer,status", [
    ("nginx_no_always", "/down/x", {}, "nginx", 502),
    ("nginx_no_always", "/api/users",
     dict(method="POST", headers=(("Content-Type", "text/plain"),), body="x" * 2048), "nginx", 413),
    ("apache_no_always", "/down/x", {}, "apache", 503),
])
def test_error_page_of_the_proxy_itself(stack_server, case, path, opts, layer, status):
    report = check(stack_server(case) + path, **opts)
    finding = fired(report)["CORS401"]
    assert finding["evidence"]["made_by"] == layer
    assert "never answered" in finding["message"] and str(status) in finding["message"]
    assert set(finding["fix"]) == {"generic", layer}  # no framework fix: the app never answered


def test_app_error_without_nginx_always(stack_server):
    report = check(stack_server("nginx_no_always") + "/api/boom")
    finding = fired(report)["CORS401"]
    assert "made_by" not in finding["evidence"]
    assert "always" in finding["fix"]["nginx"]
    assert [s["name"] for s in report.data["stack"]][0] == "nginx"


def test_nested_location_drops_the_server_level_headers(stack_server):
    # authorised: the preflight reaches the nested location, whose add_header drops CORS
    report = check(stack_server("nginx_nested") + "/api/private", credentials=True,
                   headers=(("Authorization", "Bearer good"),))
    assert report.browser_error == "PreflightMissingAllowOriginHeader"
    assert "inherit" in fired(report)["CORS101"]["fix"]["nginx"]
    # unauthorised: the app's 401, which nginx leaves bare for the same reason
    report = check(stack_server("nginx_nested") + "/api/private", credentials=True)
    assert "location" in fired(report)["CORS401"]["fix"]["nginx"]


def test_redirect_by_nginx_is_not_blamed_on_django(stack_server):
    report = check(stack_server("nginx_slash") + "/api")
    finding = fired(report)["CORS501"]
    assert "nginx issued it itself" in finding["message"]
    assert "APPEND_SLASH" not in finding["message"]
    assert set(finding["fix"]) == {"generic", "nginx"}
    assert "location" in finding["fix"]["nginx"]


def test_http_to_https_redirect_by_nginx(stack_pool, stack_server):
    stack_server("nginx_slash")
    report = check(stack_pool.server("nginx_slash").url2 + "/api/users")
    finding = fired(report)["CORS501"]
    assert "nginx issued it itself" in finding["message"] and "https" in finding["message"]


# -- the proxy answers preflights itself ---------------------------------------------------------

def test_preflight_answered_by_nginx_drifted(stack_server):
    url = stack_server("nginx_options") + "/api/users/1"
    refused = check(url, method="PUT", headers=(("Authorization", "Bearer good"),))
    assert "answers OPTIONS itself" in fired(refused)["CORS303"]["fix"]["nginx"]
    passed = check(url, method="PUT", headers=(("X-Custom", "1"),))
    assert passed.allowed is True
    drift = fired(passed)["CORS306"]
    assert "probably nginx" in drift["message"], drift["message"]


# -- the cache probe ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", ["nginx_cache_novary", "varnish_novary"])
def test_cache_probe_proves_a_cross_origin_hit(stack_server, case):
    report = check(fresh(stack_server(case)))
    finding = fired(report)["CORS705"]
    assert finding["evidence"]["served_to"] != finding["evidence"]["stored_for"]
    assert len(finding["evidence"]["answers"]) == 2
    layer = "nginx" if case.startswith("nginx") else "varnish"
    assert layer in finding["fix"]
    assert all("corsprobe=" in p["request"]["url"] for p in report.data["probes"])


@pytest.mark.parametrize("case", ["nginx_cache_novary", "varnish_novary"])
def test_cache_probe_explains_a_page_blocked_by_a_cached_refusal(stack_server, case):
    """Another site came first; the page is blocked although the app allows it."""
    url = fresh(stack_server(case))
    httpx.get(url, headers={"Origin": "https://other.example.com"})
    report = check(url)
    assert report.browser_error == "MissingAllowOriginHeader"
    found = fired(report)
    assert "CORS705" in found and "CORS101" not in found, sorted(found)
    assert "not the allow list" in found["CORS705"]["message"]


@pytest.mark.parametrize("case", ["nginx_cache_vary", "varnish_vary", "varnish_correct"])
def test_cache_probe_quiet_behind_a_cache_that_varies_on_origin(stack_server, case):
    report = check(fresh(stack_server(case)))
    assert any(p["purpose"] == "cache" for p in report.data["probes"]) or case == "varnish_correct"
    assert "CORS705" not in fired(report)
    assert report.allowed is True


@pytest.mark.parametrize("case", ["nginx_cache_novary", "varnish_novary"])
def test_probes_never_poison_the_cache(stack_server, case):
    """A credentialed check is not cached (Authorization), its probes carry none: before
    every probe had a URL of its own, an untrusted origin's refusal was stored under the real
    URL and served to the page's users. The control shows the cache does store such a
    refusal when asked directly."""
    url = fresh(stack_server(case))
    report = check(url, credentials=True, headers=(("Authorization", "Bearer good"),))
    assert any(p["purpose"] == "untrusted" for p in report.data["probes"]) or any(
        p["purpose"] == "cache" for p in report.data["probes"])
    after = httpx.get(url, headers={"Origin": APP})
    assert after.headers.get("access-control-allow-origin") == APP, after.headers
    control = fresh(stack_server(case))
    httpx.get(control, headers={"Origin": "https://evil.corsprobe.invalid"})
    poisoned = httpx.get(control, headers={"Origin": APP})
    assert "access-control-allow-origin" not in poisoned.headers


# -- correct stacks are clean ---------------------------------------------------------------

@pytest.mark.parametrize("case", ["nginx_correct", "apache_correct", "caddy_correct",
                                  "varnish_correct"])
@pytest.mark.parametrize("request_", ["credentialed GET", "PUT + Authorization"])
def test_correct_stack_is_clean(stack_server, case, request_):
    opts = {"credentialed GET": dict(credentials=True),
            "PUT + Authorization": dict(method="PUT", headers=(
                ("Authorization", "Bearer good"), ("Content-Type", "application/json")),
                body="{}")}[request_]
    path = "/api/users" if request_ == "credentialed GET" else "/api/users/1"
    report = check(fresh(stack_server(case), path), **opts)
    assert report.allowed is True, report.diagnosis()
    bad = [f"{f['rule']} {f['message']}" for f in report.data["findings"]
           if f["severity"] in ("error", "warning")]
    assert not bad, bad


# -- --stack states what the wire hides ------------------------------------------------------

def test_declared_stack_leads(stack_server):
    report = check(stack_server("nginx_no_always") + "/api/boom", stack="varnish,nginx,flask")
    names = [(s["name"], s["declared"]) for s in report.data["stack"]]
    assert names == [("varnish", True), ("nginx", True), ("flask", True)]


def cli_text(url: str, *args: str) -> str:
    p = subprocess.run([sys.executable, "-m", "corsprobe", "check", url, "--origin", APP,
                        "--format", "text", "--no-color", *args],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode in (0, 1), p.stderr
    return p.stdout


def test_json_report_names_the_stack(stack_server):
    p = subprocess.run([sys.executable, "-m", "corsprobe", "check",
                        stack_server("varnish_vary") + "/api/users", "--origin", APP,
                        "--format", "json"], capture_output=True, text=True, timeout=60)
    layers = json.loads(p.stdout)["stack"]
    assert [s["name"] for s in layers] == ["varnish", "flask"], layers


def test_run_takes_a_stack_key(stack_server, tmp_path):
    """`run`: the config's `stack` reaches every check (here the layer the wire hides)."""
    config = tmp_path / "corsprobe.toml"
    config.write_text(f'stack = "apache,flask"\n[[checks]]\nname = "dup"\n'
                      f'url = "{stack_server("apache_duplicate")}/api/users"\n'
                      f'origin = "{APP}"\ncredentials = true\nexpect = "allowed"\n')
    p = subprocess.run([sys.executable, "-m", "corsprobe", "run", "--config", str(config),
                        "--format", "json"], capture_output=True, text=True, timeout=60,
                       cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    [result] = json.loads(p.stdout)["results"]
    report = result["report"]
    assert [(s["name"], s["declared"]) for s in report["stack"]] == [
        ("apache", True), ("flask", True)]
    dup = next(f for f in report["findings"] if f["rule"] == "CORS108")
    assert "'*' (Apache httpd)" in dup["message"] and "apache" in dup["fix"]
