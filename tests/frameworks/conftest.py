"""Fixtures that serve real FastAPI / Django / Flask apps with CORS mistakes.

    def test_something(framework_server):
        base = framework_server("django", "cors_after_common")  # http://127.0.0.1:PORT
        r = httpx.get(base + "/api/slash", headers={"Origin": "https://app.example.com"})

Servers are started on first use and kept for the whole session (one process
per (framework, variant)); all are stopped at session end.
"""

from __future__ import annotations

import pytest

from .servers import ServerPool, ServerStartError


@pytest.fixture(scope="session")
def server_pool(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("framework-servers"))
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session")
def framework_server(server_pool):
    """Callable (framework, variant) -> base URL of that running server."""

    def get(framework: str, variant: str) -> str:
        try:
            return server_pool.url(framework, variant)
        except ServerStartError as exc:
            pytest.fail(str(exc), pytrace=False)

    return get
