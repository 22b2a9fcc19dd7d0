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
