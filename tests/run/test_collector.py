"""When the garbage collector runs in a command (corsprobe.collector): off while a command
starts, frozen and on again for a run's checks, as it was afterwards."""

from __future__ import annotations

import gc
import sys

import pytest

from corsprobe import collector

from .conftest import APP


def test_settle_turns_the_collector_on_with_what_exists_frozen_inside_deferred_only():
    before = gc.isenabled(), gc.get_threshold()
    collector.settle()  # outside a command: nothing happens
    assert (gc.isenabled(), gc.get_threshold()) == before and gc.get_freeze_count() == 0
    with collector.deferred():
        assert not gc.isenabled()
        collector.settle()
        assert gc.isenabled() and gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] >= 50_000
    assert (gc.isenabled(), gc.get_threshold()) == before and gc.get_freeze_count() == 0


@pytest.mark.parametrize("enabled", [True, False])
def test_a_command_leaves_the_collector_as_it_found_it(base, write, tmp_path, monkeypatch,
                                                      enabled):
    from corsprobe.cli import main

    write(f'base_url = "{base}"\n[[checks]]\nurl = "/ok/x"\norigin = "{APP}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["corsprobe", "run", "--format", "json"])
    thresholds = gc.get_threshold()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(SystemExit) as done:
            main()
        assert done.value.code == 0
        assert gc.isenabled() is enabled and gc.get_threshold() == thresholds
        assert gc.get_freeze_count() == 0
    finally:
        gc.enable()


_AS_A_PROCESS = r'''
import gc, sys
collected = []
gc.callbacks.append(lambda phase, info: phase == "start" and collected.append(info["generation"]))
from corsprobe.__main__ import main
sys.argv = ["corsprobe", *sys.argv[1:]]
try:
    main()
except SystemExit as done:
    code = done.code
print(code, len(collected), gc.get_freeze_count(), gc.get_count()[0], file=sys.stderr)
'''


@pytest.mark.parametrize("command", [["rules"], ["--help"]])
def test_the_process_entry_collects_nothing_as_it_starts_and_leaves_nothing_for_the_exit(command):
    """``python -m corsprobe`` and the installed script (corsprobe.__main__): no collection while
    the command line is imported nor during a command that never settles, and the heap is
    frozen when the command ends, so that the interpreter's exit has nothing to walk."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", _AS_A_PROCESS, *command],
                          capture_output=True, text=True, timeout=60)
    code, collections, frozen, young = done.stderr.split()[-4:]
    assert (code, collections) == ("0", "0"), done.stderr
    assert int(frozen) > 10_000 and int(young) == 0



def test_the_installed_script_is_the_process_entry():
    import tomli

    from .conftest import ROOT

    project = tomli.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["corsprobe"] == "corsprobe.__main__:main"
