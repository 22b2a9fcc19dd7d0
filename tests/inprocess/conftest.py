"""The framework suite's real servers (for the over-a-socket side of each comparison)."""

from tests.frameworks.conftest import framework_server, server_pool  # noqa: F401
