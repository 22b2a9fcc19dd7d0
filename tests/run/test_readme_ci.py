"""The README's `corsprobe run` config and CI examples work as written.

The TOML block and every `corsprobe run` command line are taken from README.md itself (so an
edit to the README that breaks them fails here) and run against a real loopback server whose
policy is the one the example describes: https://app.example.com may POST JSON with
credentials and read X-Request-ID; no other origin gets CORS headers.
"""

from __future__ import annotations

import json
import re
import shlex
import xml.etree.ElementTree as ET

import pytest
import yaml

from .conftest import ROOT, SECRET, Ran, corsprobe_cli, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def run_section() -> str:
    start = README.index("## Many checks at once")
    return README[start:README.index("\n## ", start + 3)]


def ci_section() -> str:
    start = README.index("## Use in CI")
    return README[start:README.index("\n## ", start + 3)]


def command_lines(text: str, command: str = "run") -> list[list[str]]:
    """Every `corsprobe COMMAND ...` line in ``text`` as argv (comments dropped), but those of
    a matrix job (``${{ matrix.shard }}``: see test_the_sharded_matrix_job)."""
    found = []
    for line in text.splitlines():
        line = line.strip().removeprefix("- ").removeprefix("run: ")
        if line.startswith(f"corsprobe {command}") and "${{" not in line:
            found.append(shlex.split(line, comments=True)[2:])
    return found


def run_line(line: str, cwd, env: dict[str, str], port: int | None = None) -> Ran:
    """One README command line as a shell would run it (``> FILE`` included)."""
    if port is not None:  # the jobs start the API on 127.0.0.1:8000: here, the test server
        line = line.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{port}/s/ok")
    argv = shlex.split(line, comments=True)
    assert argv[0] == "corsprobe", line
    target = None
    if ">" in argv:
        at = argv.index(">")
        argv, target = argv[:at], argv[at + 1]
    ran = corsprobe_cli(*argv[1:], cwd=cwd, env=env)
    if target is not None:
        (cwd / target).write_text(ran.out, encoding="utf-8")
    return ran


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
    action, github, gitlab, matrix = ci_yaml()
    assert any(s.get("uses") == "OWNER/corsprobe@v1" for s in action["jobs"]["cors"]["steps"])
    assert action["jobs"]["cors"]["permissions"]["security-events"] == "write"
    steps = github["jobs"]["cors"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    assert any("corsprobe run" in s.get("run", "") for s in steps)
    assert gitlab["cors"]["artifacts"]["reports"]["junit"] == "cors.xml"
    assert any("corsprobe run" in line for line in gitlab["cors"]["script"])
    shards, report = matrix["jobs"]["cors"], matrix["jobs"]["cors-report"]
    assert shards["strategy"]["matrix"]["shard"] == [1, 2, 3] and report["needs"] == "cors"
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in shards["steps"])
    assert any(s.get("uses", "").startswith("actions/download-artifact") for s in report["steps"])
    assert any("corsprobe merge" in s.get("run", "") for s in report["steps"])


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


def test_the_run_section_shards_and_merge(project):
    """The shard lines and the merge line of the run section, in order, in one directory."""
    text = run_section()
    block = text[text.rindex("```", 0, text.index("\ncorsprobe merge ")):]
    block = block[:block.index("```", 3)]
    env = {"API_TOKEN": SECRET}
    lines = [line for line in block.splitlines() if line.startswith("corsprobe ")]
    assert len(lines) == 4 and lines[-1].startswith("corsprobe merge")
    for line in lines:
        ran = run_line(line, project, env)
        assert ran.code == 0, line + ran.out + ran.err
    junit = ET.fromstring((project / "cors.xml").read_text(encoding="utf-8"))
    assert junit.get("tests") == "5" and junit.get("failures") == "0"
    assert (project / "cors.sarif").stat().st_size > 0


def test_the_sharded_matrix_job(project, server):
    """The matrix example: each job's shard line with its ${{ matrix.shard }}, then the
    report job's merge line on the files they wrote; together: the whole config, once."""
    matrix = ci_yaml()[3]
    shards, report = matrix["jobs"]["cors"], matrix["jobs"]["cors-report"]
    shard_line = next(s["run"] for s in shards["steps"] if "corsprobe run" in s.get("run", ""))
    merge_line = next(s["run"] for s in report["steps"] if "corsprobe merge" in s.get("run", ""))
    env = {"API_TOKEN": SECRET}
    names = []
    for shard in shards["strategy"]["matrix"]["shard"]:
        ran = run_line(shard_line.replace("${{ matrix.shard }}", str(shard)), project, env,
                       server.port)
        assert ran.code == 0, ran.err
        names += [r["name"] for r in json.loads((project / f"cors-{shard}.json").read_text(
            encoding="utf-8"))["results"]]
    assert len(names) == len(set(names)) == 5
    ran = run_line(merge_line, project, env)
    assert ran.code == 0, ran.out + ran.err
    assert ran.out.count("✓ ") == 5 and "::error" not in ran.out  # --format github
    junit = ET.fromstring((project / "cors.xml").read_text(encoding="utf-8"))
    assert junit.get("tests") == "5" and junit.get("failures") == "0"
    assert json.loads((project / "cors.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
