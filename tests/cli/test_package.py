"""The cli package: lazy subcommands, the static command table, typer-checked options."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

from corsprobe.cli import COMMANDS, load_command


def test_help_imports_no_command_module():
    code = ("import sys\nfrom corsprobe.cli import app\n"
            "try:\n    app(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('corsprobe.cli.')"
            " or m in ('httpx', 'rich', 'corsprobe.rules')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
    for name in COMMANDS:
        assert name in done.stdout


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_static_summary_is_the_commands_docstring(name):
    command = load_command(name)
    assert command.name == name
    first_paragraph = inspect.cleandoc(command.help).split("\n\n")[0]
    assert COMMANDS[name][1] == first_paragraph


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_module_imports_alone(name):
    module = importlib.import_module("corsprobe.cli." + COMMANDS[name][0].split(":")[0])
    assert module.__doc__


def _corsprobe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corsprobe", *args], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("args, option", [
    (("check", "http://127.0.0.1:9/", "-o", "http://a.example", "--timeout", "0"), "--timeout"),
    (("check", "http://127.0.0.1:9/", "-o", "http://a.example", "--max-redirects", "101"),
     "--max-redirects"),
    (("check", "http://127.0.0.1:9/", "-o", "http://a.example", "--cacert", "/no/such/file"),
     "--cacert"),
    (("scan", "http://127.0.0.1:9/", "--concurrency", "0"), "--concurrency"),
    (("scan", "http://127.0.0.1:9/", "--per-host", "0"), "--per-host"),
    (("run", "--concurrency", "0"), "--concurrency"),
    (("har", "x.har", "--timeout", "-1"), "--timeout"),
])
def test_an_out_of_range_option_is_one_usage_line_naming_it(args, option):
    done = _corsprobe(*args)
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"'{option}'" in lines[0] and "Traceback" not in done.stderr, lines
