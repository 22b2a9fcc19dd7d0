"""`corsprobe scan` against real vulnerable and safe policies on loopback: each weakness is
found with the origin that proves it, severities follow exploitability, the safe policies
stay clean, and only GET and OPTIONS are ever sent."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from corsprobe.rules import all_rules
from corsprobe.scan.origins import CLASSES

from .conftest import COOKIE, run_scan
from .servers import APP

SARIF_SCHEMA = json.loads(
    (Path(__file__).parents[1] / "run" / "sarif-2.1.0-subset.schema.json").read_text())


def findings(result: dict) -> dict[str, dict]:
    return {f["rule"]: f for f in result["report"]["findings"]}


# (policy, rule, proving origin, risk): what each vulnerable policy must be caught with
PROVEN = [
    ("reflect", "CORS810", "https://attacker.invalid", "critical"),
    ("reflect", "CORS811", "null", "critical"),
    ("reflect", "CORS824", "https://attacker.invalid", "high"),
    ("reflect", "CORS825", "https://attacker.invalid", "high"),
    ("reflect", "CORS826", "https://attacker.invalid", "medium"),
    ("starlette-star-credentials", "CORS810", "https://attacker.invalid", "critical"),
    ("null", "CORS811", "null", "critical"),
    ("http", "CORS816", "http://app.example.com", "high"),
    ("suffix", "CORS813", "https://attackerexample.com", "critical"),
    ("suffix", "CORS815", "https://attacker.example.com", "medium"),
    ("flask-regex-prefix", "CORS812", "https://app.example.com.attacker.invalid", "critical"),
    ("flask-regex-prefix", "CORS817", "https://app.example.com_.attacker.invalid", "critical"),
    ("flask-regex-prefix", "CORS815", "https://attacker.example.com", "medium"),
    ("django-regex-prefix", "CORS812", "https://app.example.com.attacker.invalid", "critical"),
    ("django-allow-all", "CORS810", "https://attacker.invalid", "critical"),
    ("starlette-regex", "CORS813", "https://attackerexample.com", "critical"),
    ("starlette-regex", "CORS814", "https://app.examplexcom", "critical"),
    ("special", "CORS817", "https://app.example.com_.attacker.invalid", "critical"),
    ("loose", "CORS819", "https://app.example.com:80", "medium"),
    ("loose", "CORS820", "https://APP.EXAMPLE.COM", "low"),
    ("loose", "CORS818", "https://attacker.invalid@app.example.com", "low"),
    ("devlist", "CORS821", "http://localhost:3000", "medium"),
    ("devlist", "CORS822", "https://codepen.io", "critical"),
]
SEVERITY = {"critical": "error", "high": "error", "medium": "warning", "low": "info"}


@pytest.mark.parametrize("policy, rule, origin, risk", PROVEN,
                         ids=[f"{p}-{r}" for p, r, _, _ in PROVEN])
def test_weakness_found_with_its_proving_origin(scanned, policy, rule, origin, risk):
    found = findings(scanned[policy])
    assert rule in found, sorted(found)
    f = found[rule]
    assert f["evidence"]["proving_origin"] == origin
    assert f["risk"] == risk and f["severity"] == SEVERITY[risk]
    assert origin in f["message"]
    assert f["fix"]["generic"]
    if rule < "CORS823":  # the origin classes: the exchange that proves it is in the report
        probe = scanned[policy]["report"]["probes"][int(f["evidence"]["exchange"][6:-1])]
        assert probe["origin"] == origin and probe["accepted"]
        sent = dict((k.lower(), v) for k, v in probe["request"]["headers"])
        assert sent["origin"] == origin
        got = dict((k.lower(), v) for k, v in probe["response"]["headers"])
        assert got["access-control-allow-origin"] == origin


def test_config_fixes_name_the_frameworks(scanned):
    fix = findings(scanned["flask-regex-prefix"])["CORS812"]["fix"]
    assert {"generic", "fastapi", "django", "flask"} <= set(fix)
    assert "$" in fix["flask"] and "re.match" in fix["flask"]


# what each policy must not be blamed for (its pattern cannot accept such an origin)
NOT_FOUND = {
    "null": "all but CORS811",
    "http": "all but CORS816",
    "devlist": "all but CORS821 CORS822",
    "flask-regex-prefix": "CORS810 CORS811 CORS813 CORS814 CORS816 CORS821 CORS822",
    "django-regex-prefix": "CORS810 CORS811 CORS813 CORS814 CORS816 CORS821 CORS822",
    "starlette-regex": "CORS810 CORS811 CORS812 CORS816 CORS817 CORS821 CORS822",
    "suffix": "CORS810 CORS811 CORS812 CORS817 CORS821 CORS822 CORS824 CORS825",
    "special": "CORS810 CORS811 CORS812 CORS813 CORS814 CORS815 CORS816 CORS822",
    "loose": "CORS810 CORS811 CORS812 CORS813 CORS814 CORS816 CORS817 CORS822",
}


@pytest.mark.parametrize("policy", sorted(NOT_FOUND))
def test_no_weakness_a_policy_does_not_have(scanned, policy):
    got = set(findings(scanned[policy]))
    spec = NOT_FOUND[policy]
    if spec.startswith("all but "):
        assert got == set(spec[8:].split())
    else:
        assert not got & set(spec.split()), got & set(spec.split())


def _ownable(origin: str) -> bool:
    """An attacker can be at this origin: registrable outside example.com, or null."""
    host = origin.split("://")[-1].split(":")[0]
    return origin == "null" or not (host == "example.com" or host.endswith(".example.com")
                                    or host.lower() != host or "@" in origin)


def test_critical_only_for_origins_an_attacker_can_own(scanned):
    seen = 0
    for result in scanned.values():
        for f in result["report"]["findings"]:
            if f["risk"] == "critical":
                seen += 1
                assert _ownable(f["evidence"]["proving_origin"]), f
                assert f["evidence"]["readable_with_credentials"] is True
    assert seen >= 10


@pytest.mark.parametrize("policy", ["exact", "starlette-exact", "django-exact"])
def test_exact_allow_lists_have_no_finding(scanned, policy):
    result = scanned[policy]
    assert result["status"] == "passed"
    assert result["report"]["findings"] == []
    tried = result["scan"]["classes"]
    assert set(CLASSES) <= set(tried)  # every class was tried, none accepted
    assert all(not c["accepted"] for c in tried.values())
    assert tried["special-chars"]["tried"] == 2  # _ and -; the rarer ones with --all


def test_flask_cors_exact_list_only_compares_case_insensitively(scanned):
    # flask-cors matches origins case-insensitively: true, and harmless (browsers send lower
    # case), so it is the only finding and only informational
    result = scanned["flask-exact"]
    assert result["status"] == "passed"
    assert [(f["rule"], f["severity"], f["risk"], f["evidence"]["proving_origin"])
            for f in result["report"]["findings"]] == [
        ("CORS820", "info", "low", "https://APP.EXAMPLE.COM")]


def test_star_without_credentials_is_informational_only(scanned):
    result = scanned["wildcard"]
    assert result["status"] == "passed"
    assert [(f["rule"], f["severity"], f["risk"]) for f in result["report"]["findings"]] == [
        ("CORS823", "info", "info")]


def test_flask_cors_default_reflects_without_credentials_low(scanned):
    # CORS(app) echoes the Origin (send_wildcard=False) but never sends credentials
    result = scanned["flask-star"]
    assert result["status"] == "passed"
    f = findings(result)["CORS810"]
    assert (f["severity"], f["risk"]) == ("info", "low")
    assert f["evidence"]["readable_with_credentials"] is False
    assert {x["severity"] for x in result["report"]["findings"]} == {"info"}


def test_a_redirect_is_reported_and_not_followed(scanned, raw):
    result = scanned["redirect"]
    assert [f["rule"] for f in result["report"]["findings"]] == ["CORS827"]
    assert findings(result)["CORS827"]["evidence"]["locations"] == ["/s/landing/"]
    assert not [r for r in raw.records if r.path.startswith("/s/landing")]
    # the same redirect for the trusted and an arbitrary origin: nothing more to scan
    assert [c for c in result["scan"]["classes"] if not c.startswith("preflight")] == ["reflect"]


def test_only_safe_methods_are_sent_and_cookies_go_with_them(scanned, raw):
    seen = [r for r in raw.records if r.scenario]
    assert seen
    assert {r.method for r in seen} <= {"GET", "OPTIONS"}
    for r in seen:
        if r.method == "OPTIONS":
            assert r.header("access-control-request-method") and r.header("cookie") is None
        else:
            assert r.header("cookie") == COOKIE


def test_secrets_are_redacted(scanned):
    assert "sc4n-cookie" not in json.dumps(scanned)


def test_stop_at_first_per_class_and_all(urls):
    first = run_scan(urls["suffix"], "--origin", APP, "--format", "json").json()["results"][0]
    every = run_scan(urls["suffix"], "--origin", APP, "--all", "--format", "json")
    every = every.json()["results"][0]
    assert first["scan"]["classes"]["suffix"] == {"tried": 1,
                                                  "accepted": ["https://attackerexample.com"]}
    assert every["scan"]["classes"]["suffix"]["accepted"] == [
        "https://attackerexample.com", "https://attacker-example.com"]
    assert findings(every)["CORS813"]["evidence"]["also_accepted"] == [
        "https://attacker-example.com"]
    # endswith('example.com') takes no host with a character after the trusted name
    assert every["scan"]["classes"]["special-chars"] == {"tried": 15, "accepted": []}
    assert every["scan"]["requests"] > first["scan"]["requests"]


def test_all_tries_the_rarer_special_characters(urls):
    every = run_scan(urls["special"], "--origin", APP, "--all", "-f", "json").json()["results"][0]
    accepted = every["scan"]["classes"]["special-chars"]["accepted"]
    assert "https://app.example.com!.attacker.invalid" in accepted
    assert "https://app.example.com`.attacker.invalid" in accepted  # Safari-only: lower risk
    assert len(accepted) == 15


def test_reflection_skips_the_classes_it_implies_unless_all(scanned, urls):
    classes = scanned["reflect"]["scan"]["classes"]
    assert "prefix" not in classes and "reflect" in classes and "null" in classes
    every = run_scan(urls["reflect"], "--origin", APP, "--all", "-f", "json").json()["results"][0]
    assert set(findings(every)) >= {"CORS810", "CORS812", "CORS813", "CORS822"}


def test_without_credentials_flag_a_credentialed_reflection_is_high(urls):
    ran = run_scan(urls["reflect"], "--format", "json")
    assert ran.code == 1
    f = findings(ran.json()["results"][0])["CORS810"]
    assert (f["risk"], f["severity"]) == ("high", "error")
    assert "--credentials" in f["message"]


def test_exit_codes(urls, raw):
    assert run_scan(urls["exact"], "--origin", APP).code == 0
    assert run_scan(urls["devlist"], "--origin", APP).code == 1
    assert run_scan(urls["loose"], "--origin", APP).code == 0  # warning < --fail-on error
    assert run_scan(urls["loose"], "--origin", APP, "--fail-on", "warning").code == 1
    down = run_scan(f"http://127.0.0.1:{raw.closed_port}/x")
    assert down.code == 3 and "not reachable" in down.out and "Traceback" not in down.err
    for bad in (["api.example.com"], [urls["exact"], "--origin", APP + "/"], [],
                [urls["exact"], "-i", "x.txt"], [urls["exact"], "-H", "Cookie: a=b"],
                [urls["exact"], "--concurrency", "0"]):
        ran = run_scan(*bad)
        assert ran.code == 2, (bad, ran.err)
        assert len(ran.err.strip().splitlines()) == 1 and "Traceback" not in ran.err


def test_text_report_leads_with_risk_proof_and_fix(urls):
    ran = run_scan(urls["flask-regex-prefix"], "--origin", APP, "--credentials", "--no-color")
    assert ran.code == 1
    out = ran.out
    assert "CRITICAL CORS812 origin-prefix-match" in out
    assert "proving origin: https://app.example.com.attacker.invalid" in out
    assert "Flask:" in out and "FastAPI:" in out and "Django:" in out


def test_sarif_lists_findings_with_rule_help(urls, tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{urls['reflect']}\n{urls['exact']}\n{urls['starlette-regex']}\n")
    ran = run_scan("-i", str(listing), "--origin", APP, "--credentials", "--format", "sarif")
    assert ran.code == 1, ran.err
    doc = json.loads(ran.out)
    jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    scan_ids = {r.id for r in all_rules() if r.family == "scan"}
    assert scan_ids <= {r["id"] for r in rules}
    by_id = {r["id"]: r for r in rules}
    assert "What it detects:" in by_id["CORS812"]["help"]["text"]
    results = run["results"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["properties"]["risk"] and r["properties"]["provingOrigin"]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] in (1, 3)
    got = {(r["ruleId"], r["properties"]["provingOrigin"], r["level"]) for r in results}
    assert ("CORS810", "https://attacker.invalid", "error") in got
    assert ("CORS814", "https://app.examplexcom", "error") in got
    assert run["invocations"][0]["exitCode"] == 1


def test_a_config_file_gives_urls_and_trusted_origins(urls, tmp_path):
    config = tmp_path / "corsprobe.toml"
    config.write_text(f'''
[[checks]]
name = "null policy"
url = "{urls['null']}"
origin = "{APP}"

[[checks]]
name = "exact policy"
urls = ["{urls['exact']}"]
origin = "{APP}"
''')
    ran = run_scan("-i", str(config), "--format", "json", cwd=tmp_path)
    assert ran.code == 1, ran.err
    results = {r["name"]: r for r in ran.json()["results"]}
    assert set(results) == {"null policy", "exact policy"}
    assert results["null policy"]["origin"] == APP
    assert "CORS811" in findings(results["null policy"])
    assert results["exact policy"]["report"]["findings"] == []


def test_a_bad_line_in_a_url_list_names_the_line(tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text("http://127.0.0.1:9/a\n\nnot-a-url\n")
    ran = run_scan("-i", str(listing))
    assert ran.code == 2 and f"{listing}:3:" in ran.err


def test_one_url_sarif_and_an_unreachable_json_report(urls, raw):
    ran = run_scan(urls["null"], "--origin", APP, "--format", "sarif")
    doc = json.loads(ran.out)
    jsonschema.Draft7Validator(SARIF_SCHEMA).validate(doc)
    assert ran.code == 1
    assert [r["ruleId"] for r in doc["runs"][0]["results"]] == ["CORS811"]
    down = run_scan(f"http://127.0.0.1:{raw.closed_port}/me", "--format", "json")
    assert down.code == 3
    result = down.json()["results"][0]
    assert result["status"] == "unreachable" and result["report"]["error"]["kind"] == "connect"


def test_secrets_never_appear_in_any_format(tmp_path):
    from tests.browser.scenario_server import Response, ScenarioServer

    bearer, cookie = "bearer-s3cret-71f0", "cookie-s3cret-93ab"

    def echo(req):  # reflects the Origin, and every request header back in headers and body
        seen = "; ".join(f"{k}={v}" for k, v in req.headers)
        return Response(200, [("Access-Control-Allow-Origin", req.header("origin") or "*"),
                              ("Access-Control-Allow-Credentials", "true"), ("X-Echo", seen)],
                        seen.encode())

    with ScenarioServer({"echo": echo}) as s:
        url = f"http://127.0.0.1:{s.port}/s/echo/me"
        for fmt in ("text", "json", "sarif"):
            ran = run_scan(url, "--origin", APP, "--credentials", "-H",
                           f"Authorization: Bearer {bearer}", "-H", f"Cookie: sid={cookie}",
                           "--format", fmt)
            assert ran.code == 1, ran.err
            for secret in (bearer, cookie):
                assert secret not in ran.out and secret not in ran.err, fmt
        assert any(cookie in (r.header("cookie") or "") for r in s.records)  # it was sent
