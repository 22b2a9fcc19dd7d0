"""Shell completion: typer's --show-completion/--install-completion, and the completion requests
the installed script makes (`_CORSPROBE_COMPLETE=complete_bash COMP_WORDS=... COMP_CWORD=...`),
answered from the lazy group without importing the commands that are not being completed."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corsprobe.cli import COMMANDS
from tests.clihelp import ROOT, cli


def complete_bash(words: str, cword: int, **extra: str) -> list[str]:
    """What bash's completion function gets back for the command line ``words``."""
    ran = cli(env={"_CORSPROBE_COMPLETE": "complete_bash", "COMP_WORDS": words,
                   "COMP_CWORD": str(cword), **extra})
    return ran.out.splitlines()


def test_command_names_are_proposed():
    assert complete_bash("corsprobe ", 1) == list(COMMANDS)
    assert complete_bash("corsprobe s", 1) == ["scan"]
    assert complete_bash("corsprobe r", 1) == ["rules", "run"]


def test_the_groups_options_are_proposed():
    assert set(complete_bash("corsprobe --", 1)) == {
        "--version", "--install-completion", "--show-completion", "--help"}


def test_the_options_of_check_are_proposed():
    proposed = complete_bash("corsprobe check --", 2)
    assert {"--origin", "--credentials", "--browser", "--format", "--help"} <= set(proposed)
    assert complete_bash("corsprobe check https://api.example.com/ --cred", 3) == ["--credentials"]


def test_the_values_of_a_choice_option_are_proposed():
    assert set(complete_bash("corsprobe check --browser ", 3)) == {
        "chrome", "firefox", "safari", "all"}


def test_zsh_gets_the_commands_with_their_summaries():
    ran = cli(env={"_CORSPROBE_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "corsprobe r"})
    assert '"rules":"List the rule catalogue."' in ran.out and '"run":' in ran.out


def _modules_after_completing(words: str, cword: int) -> list[str]:
    code = ("import sys\nfrom corsprobe.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('corsprobe.cli.')"
            " or m in ('httpx', 'rich', 'corsprobe.rules')), file=sys.stderr)")
    env = dict(os.environ, PYTHONPATH=str(ROOT), _CORSPROBE_COMPLETE="complete_bash",
               COMP_WORDS=words, COMP_CWORD=str(cword))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return ast.literal_eval(done.stderr.strip().splitlines()[-1])


def test_completing_a_command_name_imports_no_command():
    assert _modules_after_completing("corsprobe ", 1) == []


def test_completing_an_option_imports_only_that_command():
    loaded = _modules_after_completing("corsprobe rules --", 2)
    assert "corsprobe.cli.catalogue" in loaded
    assert not {"corsprobe.cli.check", "corsprobe.cli.scan", "corsprobe.cli.run"} & set(loaded)


@pytest.mark.parametrize("args, marker", [
    (("--show-completion", "bash"), "complete -o default -F _corsprobe_completion corsprobe"),
    (("--show-completion", "zsh"), "#compdef corsprobe"),
    (("--show-completion=fish",), "complete --command corsprobe"),
])
def test_show_completion_prints_the_named_shells_script(args, marker):
    ran = cli(*args)
    assert marker in ran.out and "_CORSPROBE_COMPLETE=complete_" in ran.out


def test_an_unknown_shell_is_one_usage_line():
    ran = cli("--show-completion=tcsh", code=2)
    lines = ran.err.strip().splitlines()
    assert len(lines) == 1 and "unknown shell 'tcsh'" in lines[0], ran.err


def test_help_lists_the_completion_options():
    out = cli("--help").out
    assert "--install-completion" in out and "--show-completion" in out


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_completes_in_bash(tmp_path: Path):
    """The printed script, sourced by a real bash, fills COMPREPLY by calling `corsprobe`."""
    script = cli("--show-completion", "bash").out
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "corsprobe"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m corsprobe "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    (tmp_path / "completion.bash").write_text(script, encoding="utf-8")
    shell = ('source "$1"\n'
             'COMP_WORDS=(corsprobe check --cre); COMP_CWORD=2\n'
             '_corsprobe_completion corsprobe\n'
             'printf "%s\\n" "${COMPREPLY[@]}"\n'
             'COMP_WORDS=(corsprobe ""); COMP_CWORD=1\n'
             '_corsprobe_completion corsprobe\n'
             'printf "%s\\n" "${COMPREPLY[@]}"\n')
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    done = subprocess.run(["bash", "--norc", "--noprofile", "-c", shell, "bash",
                           str(tmp_path / "completion.bash")],
                          capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["--credentials", *COMMANDS]


def test_install_completion_for_a_named_shell_writes_the_script_under_home(tmp_path: Path):
    ran = cli("--install-completion", "bash", env={"HOME": str(tmp_path)})
    assert "bash completion installed in" in ran.out
    script = tmp_path / ".bash_completions" / "corsprobe.sh"
    assert "_CORSPROBE_COMPLETE=complete_bash" in script.read_text(encoding="utf-8")
    assert str(script) in (tmp_path / ".bashrc").read_text(encoding="utf-8")
