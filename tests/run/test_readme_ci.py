"""The README's `corsprobe run` config and CI examples work as written.

The TOML block and every `corsprobe run` command line are taken from README.md itself (so an
edit to the README that breaks them fails here) and run against a real loopback server whose
policy is the one the example describes: https://app.example.com may POST JSON with
credentials and read X-Request-ID; no other origin gets CORS headers.
"""

from __future__ import annotations

import re
import shlex
import xml.etree.ElementTree as ET

import pytest
import yaml

from .conftest import ROOT, SECRET, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def run_section() -> str:
    start = README.index("## Many checks at once")
    return README[start:README.index("\n## ", start + 3)]


def ci_section() -> str:
    start = README.index("## Use in CI")
    return README[start:README.index("\n## ", start + 3)]


def command_lines(text: str) -> list[list[str]]:
    """Every `corsprobe run ...` command in ``text`` as argv (comments dropped)."""
    found = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").removeprefix("run: ")
        if line.startswith("corsprobe run"):
            found.append(shlex.split(line, comments=True)[2:])
    return found


@pytest.fixture
def project(tmp_path, base):
    """The README's corsprobe.toml, with base_url pointed at the loopback server."""
    toml = next(b for b in re.findall(r"```toml\n(.*?)```", run_section(), flags=re.S))
    assert 'base_url = "https://staging-api.example.com"' in toml
    local = toml.replace("https://staging-api.example.com", f"{base}/ok")
    (tmp_path / "corsprobe.toml").write_text(local, encoding="utf-8")
    return tmp_path


def ci_yaml() -> list[dict]:
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", ci_section(), flags=re.S)]


def test_the_ci_examples_are_valid_yaml_with_the_steps_they_promise():
    action, github, gitlab = ci_yaml()
    assert any(s.get("uses") == "OWNER/corsprobe@v1" for s in action["jobs"]["cors"]["steps"])
    assert action["jobs"]["cors"]["permissions"]["security-events"] == "write"
    steps = github["jobs"]["cors"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    assert any("corsprobe run" in s.get("run", "") for s in steps)
    assert gitlab["cors"]["artifacts"]["reports"]["junit"] == "cors.xml"
    assert any("corsprobe run" in line for line in gitlab["cors"]["script"])


def test_the_readme_config_passes_against_the_policy_it_describes(project):
    ran = run_cli("--format", "json", cwd=project, env={"API_TOKEN": SECRET})
    assert ran.code == 0, ran.out + ran.err
    assert '"passed": 5' in ran.out  # one check + a 2 x 2 matrix
    assert SECRET not in ran.out + ran.err


@pytest.mark.parametrize("argv", command_lines(run_section()), ids=" ".join)
def test_the_run_section_commands(project, argv):
    ran = run_cli(*argv, cwd=project, env={"API_TOKEN": SECRET})
    assert ran.code == 0, ran.out + ran.err
    for flag, name in zip(argv, argv[1:], strict=False):
        if flag in ("--junit", "--sarif", "--json"):
            assert (project / name).stat().st_size > 0


@pytest.mark.parametrize("argv", command_lines(ci_section()), ids=" ".join)
def test_the_ci_commands(project, server, argv):
    # the jobs start the API on 127.0.0.1:8000; here it is the loopback test server
    argv = [a.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{server.port}/s/ok")
            for a in argv]
    ran = run_cli(*argv, cwd=project, env={"API_TOKEN": SECRET})
    assert ran.code == 0, ran.out + ran.err
    junit = ET.fromstring((project / "cors.xml").read_text(encoding="utf-8"))
    assert junit.get("tests") == "5" and junit.get("failures") == "0"
    for flag, name in zip(argv, argv[1:], strict=False):
        if flag in ("--sarif", "--markdown"):
            assert (project / name).stat().st_size > 0
