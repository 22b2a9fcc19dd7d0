"""Session fixtures for the real-browser differential tests."""

from __future__ import annotations

import pytest

from .chromium import Chromium, ChromiumUnavailable
from .scenario_server import ScenarioServer
from .scenarios import SCENARIOS, make_handlers


@pytest.fixture(scope="session")
def scenario_server():
    # Port 80 as well, for the scenarios whose page origin is http://app.test
    # (default port).  If it cannot be bound those scenarios fail and say why.
    with ScenarioServer(extra_ports=(80,)) as server:
        server.handlers.update(make_handlers(SCENARIOS, server))
        yield server


@pytest.fixture(scope="session")
def chromium():
    try:
        browser = Chromium().start()
    except ChromiumUnavailable as exc:
        pytest.fail(
            f"Chromium is required for the browser tests and could not start: {exc}", pytrace=False
        )
    try:
        yield browser
    finally:
        browser.close()
