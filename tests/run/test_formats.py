"""Every `corsprobe run` output format, checked with a real parser or the published schema,
alone and several at once; and values from the environment never appear in any of them."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from junitparser import Error as JUnitError
from junitparser import Failure as JUnitFailure
from junitparser import JUnitXml
from sarif import loader as sarif_loader

from corsprobe.rules import all_rules

from .conftest import APP, EVIL, SECRET, run_cli

SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif-2.1.0-subset.schema.json").read_text())


@pytest.fixture
def mixed(server, base, write, tmp_path):
    """Three checks: one passes, one fails (with a finding), one is unreachable."""
    write(f'''
base_url = "{base}"

[[checks]]
name = "app reads users"
url = "/ok/users"
origin = "{APP}"
readable = ["X-Request-ID"]
tags = ["smoke"]

[[checks]]
name = "partner creates orders"
url = "/none/orders"
origin = "{EVIL}"
method = "POST"
headers = {{ "Content-Type" = "application/json" }}
tags = ["smoke"]

[[checks]]
name = "status <page> | \\"quoted\\""
url = "http://127.0.0.1:{server.closed_port}/health"
origin = "{APP}"
''')
    return tmp_path


def check_junit(text: str, tests: int, failures: int, errors: int) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = suite.findall("testcase")
    for node in (root, suite):
        assert int(node.get("tests")) == tests == len(cases)
        assert int(node.get("failures")) == failures
        assert int(node.get("errors")) == errors
        assert float(node.get("time")) >= 0
    assert sum(1 for c in cases if c.find("failure") is not None) == failures
    assert sum(1 for c in cases if c.find("error") is not None) == errors
    for c in cases:
        assert c.get("name") and c.get("classname") and float(c.get("time")) >= 0
        assert len(list(c)) <= 1
    # and as a CI server's parser reads it (junitparser, as used by report publishers)
    parsed = JUnitXml.fromstring(text.encode("utf-8"))
    read = [case for s in parsed for case in s]
    assert len(read) == tests
    kinds = [type(r) for case in read for r in case.result]
    assert kinds.count(JUnitFailure) == failures and kinds.count(JUnitError) == errors
    return suite


def check_sarif(text: str, tmp_path: Path) -> dict:
    doc = json.loads(text)
    jsonschema.Draft7Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker()).validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    # and as Microsoft's SARIF tooling (sarif-tools) reads it
    path = tmp_path / "parsed.sarif"
    path.write_text(text, encoding="utf-8")
    parsed = sarif_loader.load_sarif_file(str(path))
    assert parsed.get_distinct_tool_names() == ["corsprobe"]
    assert parsed.get_result_count() == len(run["results"])
    records = parsed.get_records()
    assert sorted(r["Code"] for r in records) == sorted(r["ruleId"] for r in run["results"])
    by_rule = {r["ruleId"]: r for r in run["results"]}
    for record in records:  # the level it reads is the one written (or the rule's default)
        result = by_rule[record["Code"]]
        assert record["Severity"] == result.get("level", "warning")
    return doc


def check_markdown(text: str, failures: int) -> None:
    lines = text.splitlines()
    assert lines[0].startswith("## ")
    table = [line for line in lines if line.startswith("|")]
    header, sep, *rows = table
    columns = len(re.split(r"(?<!\\)\|", header)) - 2
    assert columns == 5 and re.fullmatch(r"\|( --- \|)+", sep)
    for row in rows:  # an unescaped | would add a column
        assert len(re.split(r"(?<!\\)\|", row)) - 2 == columns, row
    assert sum(1 for line in lines if line.startswith("### ")) == failures
    if failures:
        assert "## Failures" in lines


def test_json(mixed):
    ran = run_cli("--format", "json", cwd=mixed)
    assert ran.code == 1
    doc = json.loads(ran.out)
    assert doc["config"] == "corsprobe.toml" and doc["tool"]["name"] == "corsprobe"
    assert sorted(r["status"] for r in doc["results"]) == ["failed", "passed", "unreachable"]
    assert sorted(r["index"] for r in doc["results"]) == [0, 1, 2]
    assert doc["summary"]["exit_code"] == 1 and doc["summary"]["total"] == 3
    for r in doc["results"]:
        assert r["report"]["schema"] == "corsprobe/report/v1"


def test_junit(mixed):
    ran = run_cli("--format", "junit", cwd=mixed)
    assert ran.code == 1
    suite = check_junit(ran.out, tests=3, failures=1, errors=1)
    failed = next(c for c in suite if c.find("failure") is not None)
    assert failed.get("name") == "partner creates orders" and failed.get("file") == "corsprobe.toml"
    body = failed.find("failure")
    assert body.get("type") == "allowed" and "expected Chrome to allow it" in body.get("message")
    assert "PreflightMissingAllowOriginHeader" in body.text and "console: Access to fetch" in body.text
    assert "fix:" in body.text  # the diagnosis carries the fix
    error = next(c for c in suite if c.find("error") is not None)
    assert error.get("name") == 'status <page> | "quoted"'
    assert error.find("error").get("type") == "unreachable"


def test_sarif(mixed):
    ran = run_cli("--format", "sarif", cwd=mixed)
    assert ran.code == 1
    doc = check_sarif(ran.out, mixed)
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for rule in all_rules():  # the whole catalogue, with its documentation as help
        assert rules[rule.id]["name"] == rule.name
        assert rules[rule.id]["help"]["text"] == rule.doc
        assert rules[rule.id]["shortDescription"]["text"] == rule.title
    ids = [r["ruleId"] for r in run["results"]]
    assert "CORS301" in ids or "CORS101" in ids  # the failed check's finding
    assert ids.count("expectation") == 1 and ids.count("unreachable") == 1
    finding = next(r for r in run["results"] if r["ruleId"].startswith("CORS"))
    assert finding["level"] == "error"
    loc = finding["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "corsprobe.toml"
    assert loc["physicalLocation"]["region"]["startLine"] == 11  # the check's [[checks]] line
    assert loc["logicalLocations"][0]["name"].endswith("/s/none/orders")
    assert run["invocations"][0]["exitCode"] == 1


def test_markdown(mixed):
    ran = run_cli("--format", "markdown", cwd=mixed)
    assert ran.code == 1
    check_markdown(ran.out, failures=2)
    assert "**1** passed, **1** failed, **1** unreachable" in ran.out
    assert "&lt;page&gt; \\| \"quoted\"" in ran.out


def test_github_annotations_and_step_summary(mixed, tmp_path):
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    ran = run_cli("--format", "github", cwd=mixed, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert ran.code == 1
    errors = [line for line in ran.out.splitlines() if line.startswith("::")]
    assert len(errors) == 2
    for line in errors:
        m = re.fullmatch(r"::error (?P<props>[^:]*)::(?P<msg>.*)", line)
        assert m, line
        props = dict(p.split("=", 1) for p in m.group("props").split(","))
        assert props["file"] == "corsprobe.toml" and props["line"].isdigit()
        assert props["title"].startswith("corsprobe%3A ")
        assert "%0A" in m.group("msg")  # a multi-line message, encoded
    assert any("line=11" in line and "partner creates orders" in line for line in errors)
    assert "✓ app reads users" in ran.out
    text = summary.read_text()
    assert text.startswith("earlier step\n## ")
    check_markdown(text[len("earlier step\n"):], failures=2)


def test_several_formats_at_once(mixed):
    ran = run_cli("--format", "json", "--json", "out/r.json", "--junit", "r.xml", "--sarif",
                  "r.sarif", "--markdown", "r.md", cwd=mixed)
    assert ran.code == 2 and "cannot write out/r.json" in ran.err  # no such directory
    (mixed / "out").mkdir()
    ran = run_cli("--format", "junit", "--json", "out/r.json", "--junit", "r.xml", "--sarif",
                  "r.sarif", "--markdown", "r.md", cwd=mixed)
    assert ran.code == 1
    check_junit(ran.out, 3, 1, 1)
    check_junit((mixed / "r.xml").read_text(), 3, 1, 1)
    assert len(json.loads((mixed / "out/r.json").read_text())["results"]) == 3
    check_sarif((mixed / "r.sarif").read_text(), mixed)
    check_markdown((mixed / "r.md").read_text(), failures=2)


def test_env_values_never_appear_in_any_output(server, base, write, tmp_path):
    write(f'''
base_url = "{base}"
headers = {{ "X-Api-Key" = "${{API_TOKEN}}" }}

[[checks]]
name = "echoes the token"
url = "/echo/x?token=${{API_TOKEN}}"
origin = "{APP}"
headers = {{ Authorization = "Bearer ${{API_TOKEN}}" }}
readable = ["X-Echo"]

[[checks]]
name = "fails, and echoes the token"
url = "/echo/y?token=${{API_TOKEN}}"
origin = "{EVIL}"
method = "PUT"
body = "${{API_TOKEN}}"
send_actual = true

[[checks]]
name = "named ${{SHORT}}"
url = "/echo/z"
origin = "{APP}"
''')
    env = {"API_TOKEN": SECRET, "SHORT": "s3c"}
    files = ["--json", "r.json", "--junit", "r.xml", "--sarif", "r.sarif", "--markdown", "r.md"]
    summary = tmp_path / "summary.md"
    outputs = []
    for fmt in ("text", "json", "junit", "sarif", "markdown", "github"):
        ran = run_cli("--format", fmt, *files, cwd=tmp_path,
                      env={**env, "GITHUB_STEP_SUMMARY": str(summary)})
        assert ran.code == 1, ran.err
        outputs += [ran.out, ran.err]
        outputs += [(tmp_path / f).read_text() for f in ("r.json", "r.xml", "r.sarif", "r.md")]
    outputs.append(summary.read_text())
    server_saw = [r for r in server.records if SECRET in r.target]
    assert server_saw, "the token must really be sent"
    for text in outputs:
        assert SECRET not in text
        assert "s3c" not in text
    doc = json.loads(outputs[2])
    assert "REDACTED" in json.dumps(doc)
    echo = {r["name"]: r for r in doc["results"]}["echoes the token"]
    assert echo["failures"][0]["expectation"] == "readable"  # X-Echo is not exposed
    assert "named REDACTED" in {r["name"] for r in doc["results"]}
