"""The GitHub Action (action.yml at the repository root) works as written.

Its `run:` steps are taken from action.yml itself, their `${{ inputs.* }}` and
`${{ github.action_path }}` expressions replaced by test values, and run as GitHub runs a
`shell: bash` step (`bash --noprofile --norc -eo pipefail FILE`, with GITHUB_OUTPUT and
GITHUB_STEP_SUMMARY files): the install step pip-installs this checkout into a throwaway
virtualenv, the run step checks a real loopback server. Only the `uses:` steps
(actions/setup-python, github/codeql-action/upload-sarif) are not run; their wiring is checked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .conftest import APP, EVIL, ROOT, SECRET
from .test_readme_ci import ci_yaml, run_section

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def step(name: str) -> dict:
    return next(s for s in STEPS if s.get("name") == name)


def substitute(text: str, inputs: dict[str, str]) -> str:
    """``text`` with each ``${{ inputs.X }}`` / ``${{ github.action_path }}`` replaced; any
    other expression is an error (the test would not know its value)."""
    def value(match: re.Match[str]) -> str:
        expr = match.group(1)
        if expr == "github.action_path":
            return str(ROOT)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        raise AssertionError(f"a run step uses an expression the test cannot evaluate: {expr}")
    return EXPRESSION.sub(value, text)


def with_defaults(given: dict[str, str]) -> dict[str, str]:
    unknown = set(given) - set(ACTION["inputs"])
    assert not unknown, f"not inputs of action.yml: {unknown}"
    return {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()} | given


@dataclass
class Ran:
    code: int
    out: str
    err: str
    outputs: dict[str, str]
    summary: str


def run_step(name: str, given: dict[str, str], *, workspace: Path, path: str,
             env: dict[str, str] | None = None) -> Ran:
    """Run the `run:` of step ``name`` the way the runner does, with ``given`` inputs (and
    ``env``: the workflow's env for the step that uses the action)."""
    spec, inputs = step(name), with_defaults(given)
    assert spec["shell"] == "bash"
    github = workspace.parent / f"github-{workspace.name}"
    github.mkdir(exist_ok=True)
    output, summary, script = github / "output", github / "summary", github / "step.sh"
    output.write_text("", encoding="utf-8")
    summary.write_text("", encoding="utf-8")
    script.write_text(substitute(spec["run"], inputs), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")} | (env or {})
    env.update({"PATH": path, "PYTHONPATH": str(ROOT), "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_ACTIONS": "true",
                "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(ROOT)})
    env.update({k: substitute(str(v), inputs) for k, v in spec.get("env", {}).items()})
    cwd = workspace / substitute(spec.get("working-directory", "."), inputs)
    p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                       cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    return Ran(p.returncode, p.stdout, p.stderr, outputs, summary.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> str:
    """PATH with a virtualenv in which the action's install step installed this checkout (it
    sees the test environment's packages, so pip builds corsprobe and fetches nothing else)."""
    home = tmp_path_factory.mktemp("action")
    env_dir = home / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    bindir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
    path = f"{bindir}{os.pathsep}{os.environ['PATH']}"
    workspace = home / "workspace"
    workspace.mkdir()
    ran = run_step("Install corsprobe", {}, workspace=workspace, path=path)
    assert ran.code == 0, ran.out + ran.err
    assert (bindir / "corsprobe").exists()
    return path


@pytest.fixture
def workspace(tmp_path, base):
    """A repository with a corsprobe.toml: the app may POST JSON with credentials and read
    X-Request-ID; an unrelated origin may not read the profile."""
    (tmp_path / "corsprobe.toml").write_text(f"""\
base_url = "{base}"

[[checks]]
name = "app can create users"
url = "/ok/api/users"
origin = "{APP}"
method = "POST"
headers = {{ "Content-Type" = "application/json" }}
credentials = true
readable = ["X-Request-ID"]
send_actual = true

[[checks]]
name = "no other site may read the profile"
url = "/ok/api/me"
origin = "{EVIL}"
credentials = true
expect = "blocked"
""", encoding="utf-8")
    return tmp_path


FAILING = """\
[[checks]]
name = "evil may read the profile"
url = "{base}/ok/api/me"
origin = "{evil}"
"""
UNREACHABLE = """\
[[checks]]
name = "the API answers"
url = "http://127.0.0.1:{port}/api"
origin = "{app}"
"""
REPORTS = {"json": "out/cors.json", "junit": "out/cors.xml", "sarif": "out/cors.sarif",
           "markdown": "out/cors.md"}


def test_the_action_is_composite_and_wires_its_inputs():
    assert ACTION["runs"]["using"] == "composite"
    setup, *_ = STEPS
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{\{[^}]*?inputs\.([a-z-]+)", text))
    assert used == set(ACTION["inputs"]), "every input is used, and only declared ones"
    for spec in STEPS:  # an input never lands in a script: only in env: or with:
        assert "${{" not in spec.get("run", ""), spec["name"]
    upload = next(s for s in STEPS
                  if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "always()" in upload["if"] and "steps.run.outputs.sarif-file" in upload["if"]
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.run.outputs.sarif-file }}"
    assert step("Run corsprobe")["id"] == "run"
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file"}


def test_a_passing_policy_writes_every_report_and_passes(installed, workspace):
    (workspace / "out").mkdir()
    ran = run_step("Run corsprobe", {"config": "corsprobe.toml", **REPORTS},
                   workspace=workspace, path=installed)
    assert ran.code == 0, ran.out + ran.err
    for name in REPORTS.values():
        assert (workspace / name).stat().st_size > 0, name
    junit = ET.fromstring((workspace / "out/cors.xml").read_text(encoding="utf-8"))
    assert junit.get("tests") == "2" and junit.get("failures") == "0"
    sarif = json.loads((workspace / "out/cors.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert json.loads((workspace / "out/cors.json").read_text(encoding="utf-8"))["summary"]
    assert ran.outputs == {"exit-code": "0", "sarif-file": str(workspace / "out/cors.sarif")}
    assert "app can create users" in ran.summary  # --format github writes the job summary


def test_the_config_is_found_from_the_working_directory(installed, workspace):
    (workspace / "api").mkdir()
    (workspace / "corsprobe.toml").rename(workspace / "api" / "corsprobe.toml")
    ran = run_step("Run corsprobe", {"working-directory": "api", "format": "text",
                                      "junit": "cors.xml", "args": "--concurrency 2  --per-host 1"},
                   workspace=workspace, path=installed)
    assert ran.code == 0, ran.out + ran.err
    assert (workspace / "api" / "cors.xml").stat().st_size > 0
    assert "sarif-file" not in ran.outputs  # no SARIF asked for: nothing to upload


@pytest.mark.parametrize("fail_on, code", [("any", 1), ("expectation", 1), ("never", 0)])
def test_a_failed_expectation(installed, workspace, base, fail_on, code):
    (workspace / "corsprobe.toml").write_text(FAILING.format(base=base, evil=EVIL),
                                              encoding="utf-8")
    ran = run_step("Run corsprobe", {"fail-on": fail_on, "sarif": "cors.sarif",
                                      "junit": "cors.xml"}, workspace=workspace, path=installed)
    assert ran.code == code, ran.out + ran.err
    assert ran.outputs["exit-code"] == "1"
    assert "::error" in ran.out  # the annotation on the failing check
    junit = ET.fromstring((workspace / "cors.xml").read_text(encoding="utf-8"))
    assert junit.get("failures") == "1"
    assert ran.outputs["sarif-file"] == str(workspace / "cors.sarif")  # uploaded even so
    assert ("::warning title=corsprobe::" in ran.out) == (fail_on == "never")


@pytest.mark.parametrize("fail_on, code", [("any", 3), ("expectation", 0), ("never", 0)])
def test_only_unreachable_targets(installed, workspace, server, fail_on, code):
    (workspace / "corsprobe.toml").write_text(
        UNREACHABLE.format(port=server.closed_port, app=APP), encoding="utf-8")
    ran = run_step("Run corsprobe", {"fail-on": fail_on}, workspace=workspace, path=installed)
    assert ran.code == code, ran.out + ran.err
    assert ran.outputs["exit-code"] == "3"


@pytest.mark.parametrize("given", [
    {"fail-on": "never", "config": "missing.toml"},  # a config error fails whatever fail-on says
    {"fail-on": "sometimes"},
])
def test_a_usage_error_fails_the_step(installed, workspace, given):
    ran = run_step("Run corsprobe", given, workspace=workspace, path=installed)
    assert ran.code == 2, ran.out + ran.err


def test_inputs_reach_corsprobe_as_single_arguments(installed, workspace, server):
    """A value with spaces and shell characters is one argument, never shell code."""
    odd = workspace / "my reports; $(touch pwned)"
    odd.mkdir()
    ran = run_step("Run corsprobe", {"base-url": f"http://127.0.0.1:{server.port}/s",
                                      "json": f"{odd.name}/cors.json", "format": "json"},
                   workspace=workspace, path=installed)
    assert ran.code == 0, ran.out + ran.err
    assert (odd / "cors.json").stat().st_size > 0
    assert not (workspace / "pwned").exists()


def test_the_readme_example_of_the_action(installed, tmp_path, server):
    """README's "Use in CI" job with the action: its `with:` inputs and env, on the README's
    corsprobe.toml, against the loopback server in place of the API the job starts."""
    job = ci_yaml()[0]["jobs"]["cors"]
    uses = next(s for s in job["steps"] if s.get("uses", "").startswith("OWNER/corsprobe@"))
    inputs = {k: str(v).replace("http://127.0.0.1:8000", f"http://127.0.0.1:{server.port}/s/ok")
              for k, v in uses["with"].items()}
    assert uses["env"] == {"API_TOKEN": "${{ secrets.API_TOKEN }}"}
    toml = re.findall(r"```toml\n(.*?)```", run_section(), flags=re.S)[0]
    (tmp_path / "corsprobe.toml").write_text(toml, encoding="utf-8")
    ran = run_step("Run corsprobe", inputs, workspace=tmp_path, path=installed,
                   env={"API_TOKEN": SECRET})
    assert ran.code == 0, ran.out + ran.err
    junit = ET.fromstring((tmp_path / "cors.xml").read_text(encoding="utf-8"))
    assert junit.get("tests") == "5" and junit.get("failures") == "0"
    assert ran.outputs["sarif-file"] == str(tmp_path / "cors.sarif")
    assert SECRET not in ran.out + (tmp_path / "cors.sarif").read_text(encoding="utf-8")
