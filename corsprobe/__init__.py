"""corsprobe: what a browser will do with a cross-origin request, why, and how to fix it.

The public Python API (imported lazily, so ``import corsprobe`` stays cheap)::

    import corsprobe

    report = corsprobe.check("/api/users", origin="https://app.example.com",
                             method="POST", headers={"Content-Type": "application/json"},
                             app="myproject.main:app")
    report.allowed, report.browser_error, report.findings
    print(report.diagnosis())

:func:`corsprobe.api.check` documents every argument (``corsprobe.check`` is the module of
the browser's steps, made callable as that function); :class:`corsprobe.api.Report` the
result. In a test suite, ``corsprobe.pytest_plugin`` gives ``assert_cors(...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Report", "check", "__version__"]

if TYPE_CHECKING:
    from . import check
    from .api import Report


def __getattr__(name: str) -> Any:
    # ``corsprobe.check`` is the module corsprobe/check.py, made callable: calling it is
    # corsprobe.api.check(...). Imported on first use only.
    if name == "check":
        import importlib

        return importlib.import_module(f"{__name__}.check")
    if name == "Report":
        from .api import Report

        return Report
    raise AttributeError(f"module 'corsprobe' has no attribute {name!r}")
