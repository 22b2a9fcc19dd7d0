"""Fixtures that serve real production layers (nginx, Apache httpd, Caddy, Varnish) in front
of the real framework apps of tests/frameworks.

    def test_something(stack_server):
        base = stack_server("nginx_duplicate")  # http://127.0.0.1:PORT
        r = httpx.get(base + "/api/users", headers={"Origin": "https://app.example.com"})

Layers and apps are started on first use and kept for the whole session; all are stopped at
session end.  A layer that cannot start (binary missing, bad config) fails the test with its
own error log.
"""

from __future__ import annotations

import pytest

from tests.frameworks.conftest import framework_server, server_pool  # noqa: F401

from .servers import StackPool, StackStartError


@pytest.fixture(scope="session")
def stack_pool(server_pool, tmp_path_factory):  # noqa: F811
    pool = StackPool(server_pool, tmp_path_factory.mktemp("stacks"))
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session")
def stack_server(stack_pool):
    """Callable case name -> base URL of that running layer (see servers.CASES)."""

    def get(case: str) -> str:
        try:
            return stack_pool.url(case)
        except (StackStartError, RuntimeError) as exc:
            pytest.fail(str(exc), pytrace=False)

    return get


@pytest.fixture(scope="session")
def stack_chromium():
    """Headless Debian Chromium whose https://app.example.com and https://other.example.com
    pages are served on loopback (tests/stacks/browser.py)."""
    from tests.browser.chromium import Chromium, ChromiumUnavailable

    from .browser import PageServer, resolver_args

    with PageServer() as pages:
        try:
            browser = Chromium(extra_args=resolver_args(pages.port)).start()
        except ChromiumUnavailable as exc:
            pytest.fail(f"Chromium is required for tests/stacks/test_chromium.py: {exc}",
                        pytrace=False)
        try:
            yield browser
        finally:
            browser.close()
