"""Session fixtures for the real-browser differential tests.

One browser per engine for the whole session.  Chromium is required (its absence fails the
run).  Firefox and WebKit that cannot be driven here are skipped with the reason, loudly:
every test that needs them reports "SKIPPED ... <reason>" (``-ra`` lists them); with
``CORSPROBE_REQUIRE_ENGINES=1``, or under CI (``CI=true``; scripts/test installs all three),
a missing engine fails.
"""

from __future__ import annotations

import os

import pytest

from .chromium import Chromium, ChromiumUnavailable
from .scenario_server import ScenarioServer
from .scenarios import SCENARIOS, make_handlers


@pytest.fixture(scope="session")
def scenario_server():
    # Port 80 as well, for the scenarios whose page origin is http://app.test
    # (default port).  If it cannot be bound those scenarios fail and say why.
    with ScenarioServer(extra_ports=(80,), tls=True) as server:
        server.handlers.update(make_handlers(SCENARIOS, server))
        yield server


@pytest.fixture(scope="session")
def chromium(scenario_server):
    from .chromium import lna_args
    from .scenario_server import lna_overrides

    try:
        browser = Chromium(extra_args=lna_args(lna_overrides(scenario_server))).start()
    except ChromiumUnavailable as exc:
        pytest.fail(
            f"Chromium is required for the browser tests and could not start: {exc}", pytrace=False
        )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="session")
def chromium_3pc(scenario_server):
    """Chromium with third-party cookies allowed, as shipping Chrome's default setting is (a
    persistent profile: see :class:`tests.browser.chromium.Chromium`); the cookie tests only."""
    from .chromium import lna_args
    from .scenario_server import lna_overrides

    try:
        browser = Chromium(extra_args=lna_args(lna_overrides(scenario_server)),
                           third_party_cookies="allow").start()
    except ChromiumUnavailable as exc:
        pytest.fail(f"Chromium (third-party cookies allowed) could not start: {exc}",
                    pytrace=False)
    try:
        yield browser
    finally:
        browser.close()


def _unavailable(engine: str, exc: Exception) -> None:
    msg = f"{engine} cannot be driven here: {exc}"
    if os.environ.get("CORSPROBE_REQUIRE_ENGINES") == "1" or os.environ.get("CI") == "true":
        pytest.fail(msg + " (CI / CORSPROBE_REQUIRE_ENGINES=1: every engine is required)",
                    pytrace=False)
    pytest.skip(msg)


_broken: dict[str, Exception] = {}


@pytest.fixture(scope="session")
def firefox(scenario_server):
    from .firefox import Firefox, FirefoxUnavailable, lna_prefs
    from .scenario_server import lna_overrides

    if "firefox" in _broken:
        _unavailable("Firefox", _broken["firefox"])
    try:
        browser = Firefox(prefs=lna_prefs(lna_overrides(scenario_server))).start()
    except FirefoxUnavailable as exc:
        _broken["firefox"] = exc
        _unavailable("Firefox", exc)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="session")
def webkit():
    from .webkit import WebKit, WebKitUnavailable

    if "webkit" in _broken:
        _unavailable("WebKit", _broken["webkit"])
    try:
        browser = WebKit().start()
    except WebKitUnavailable as exc:
        _broken["webkit"] = exc
        _unavailable("WebKit", exc)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="session")
def webkit_console(webkit, scenario_server, request):
    """WebKit's console lines for the session's scenarios, from one plain MiniBrowser batch
    (lazy).  The batch holds only the scenarios of the selected WebKit tests (``-k`` runs stay
    short); a name outside it gets a batch of its own."""
    from .webkit import WebKitConsole, console_specs

    cache: dict[str, tuple[str, object]] = {}
    selected = {
        item.callspec.params["name"]
        for item in request.session.items
        if item.originalname == "test_webkit_vs_corsprobe" and hasattr(item, "callspec")
    }

    def get(name: str):
        if name not in cache:
            todo = [sc for sc in SCENARIOS if sc.name in (selected | {name}) - set(cache)]
            specs, nonces = console_specs(todo, scenario_server.port)
            results = WebKitConsole(webkit.xvfb.display).run_batch(
                scenario_server, specs, timeout=max(60, 2 * len(todo))
            )
            for sc, nonce, res in zip(todo, nonces, results, strict=True):
                cache[sc.name] = (nonce, res)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def observations():
    """engine -> scenario name -> observation, filled by the differential tests."""
    return {"chromium": {}, "firefox": {}, "webkit": {}}
