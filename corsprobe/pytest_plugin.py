"""pytest plugin: assert what a browser does with a cross-origin request to your app.

Installed with corsprobe (entry point ``pytest11``), so a project's tests can write::

    from corsprobe.pytest_plugin import assert_cors

    def test_app_can_create_users():
        assert_cors(app, "/api/users", origin="https://app.example.com", method="POST",
                    headers={"Content-Type": "application/json"}, allowed=True)

or take the ``assert_cors`` fixture instead of importing it. ``app`` is the ASGI or WSGI
application object (FastAPI, Starlette, Django's ``application``, Flask) or
``"module:attr"``; it answers in-process. Pass a full URL and ``app=None`` to ask a running
server. When an expectation fails, the assertion message is corsprobe's diagnosis: the
verdict, Chromium's console message, and every finding with its fix.

Importing this module is cheap (pytest loads it in every session): corsprobe's engine is
imported on the first call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal

import pytest

if TYPE_CHECKING:
    from .api import HeadersArg, Report

def assert_cors(
    app: object,
    url: str,
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArg = None,
    body: bytes | str | None = None,
    credentials: bool = False,
    allowed: bool | None = True,
    error: str | None = None,
    readable: Iterable[str] = (),
    max_severity: str | None = None,
    send_actual: bool | None = None,
    browser: str = "chrome",
) -> Report:
    """Check the request and raise AssertionError, with the diagnosis, unless:

    - ``allowed=True``: the browser does not block it (a preflight that passes counts when
      the actual request was not sent; unsafe methods need ``send_actual=True``);
      ``allowed=False``: the browser blocks it (and with ``error``, with that
      ``Network.CorsError`` name, e.g. ``"PreflightMissingAllowOriginHeader"``);
      ``allowed=None``: no expectation on the verdict;
    - ``readable``: each of these response headers is readable by the page's JavaScript;
    - ``max_severity`` (``"none"``, ``"info"``, ``"warning"``, ``"error"``): no finding
      above it.

    Expectations are judged by :mod:`corsprobe.policy`, as ``corsprobe run`` judges a check.

    Returns the :class:`corsprobe.api.Report`.
    """
    from . import policy
    from .api import check

    if max_severity is not None and max_severity not in policy.MAX_SEVERITY:
        raise ValueError("max_severity is 'none', 'info', 'warning' or 'error'")
    report = check(url, origin=origin, method=method, headers=headers, body=body,
                   credentials=credentials, app=app, send_actual=send_actual,
                   expect_headers=tuple(readable), browser=browser, probe=True)
    verdict: Literal["allowed", "blocked"] | None = (
        None if allowed is None else "allowed" if allowed else "blocked")
    expect = policy.Expectation(verdict, error, tuple(readable), max_severity,
                                send_actual_hint="pass send_actual=True")
    problems = policy.judge(expect, report.trace, report.findings)
    if problems:
        head = f"{method} {url} from {origin}" + (" (credentials: include)" if credentials else "")
        message = "\n".join([f"CORS expectation failed for {head}:",
                             *(f"  - {p.message}" for p in problems), "", report.diagnosis()])
        raise AssertionError(message)
    return report


@pytest.fixture(name="assert_cors")
def assert_cors_fixture() -> Callable[..., Any]:
    """The :func:`assert_cors` helper, as a fixture."""
    return assert_cors
