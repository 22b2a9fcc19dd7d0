"""Fixtures for the HAR tests: the recorded files, Chromium's own observations, and a
live scenario server on the recorded port for ``--replay``."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HAR_DIR = ROOT / "fixtures" / "har"
FILES = ("allowed.har", "preflight-blocked.har", "actual-blocked.har", "redirects.har")


def corsprobe(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "corsprobe", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def har_json(*args: str) -> tuple[int, dict]:
    proc = corsprobe("har", *args, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@pytest.fixture(scope="session")
def observed() -> dict:
    """What Chromium said about each recorded fetch (written by fixtures/har/record.py)."""
    return json.loads((HAR_DIR / "observed.json").read_text())


@pytest.fixture(scope="session")
def replay_server(observed):
    """The browser suite's scenario server on an ephemeral port, answering with the
    scenarios' templates filled for the port the HAR was recorded with (the recorded URLs
    and Origin carry it); replays reach it with --connect-to."""
    from tests.browser.scenario_server import ScenarioServer
    from tests.browser.scenarios import SCENARIOS, make_handlers

    port = observed["port"]
    with ScenarioServer() as server:
        server.handlers.update(make_handlers(
            SCENARIOS, types.SimpleNamespace(port=port, closed_port=server.closed_port)))
        server.recorded_port = port
        yield server
