"""corsprobe: what a browser will do with a cross-origin request, why, and how to fix it.

The public Python API (imported lazily, so ``import corsprobe`` stays cheap)::

    import corsprobe

    report = corsprobe.check("/api/users", origin="https://app.example.com",
                             method="POST", headers={"Content-Type": "application/json"},
                             app="myproject.main:app")
    report.allowed, report.browser_error, report.findings
    print(report.diagnosis())

:func:`corsprobe.api.check` documents every argument; :class:`corsprobe.api.Report` the
result. In a test suite, ``corsprobe.pytest_plugin`` gives ``assert_cors(...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .version import __version__

__all__ = ["Report", "check", "__version__"]

if TYPE_CHECKING:
    from .api import Report, check


def __getattr__(name: str) -> Any:
    # the public API, imported on first use only
    if name in ("check", "Report"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'corsprobe' has no attribute {name!r}")
