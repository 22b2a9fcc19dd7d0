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
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .api import HeadersArg, Report

SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}


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
    - ``max_severity`` (``"info"``, ``"warning"``, ``"error"``): no finding above it.

    Returns the :class:`corsprobe.api.Report`.
    """
    from .api import check

    report = check(url, origin=origin, method=method, headers=headers, body=body,
                   credentials=credentials, app=app, send_actual=send_actual,
                   expect_headers=tuple(readable), browser=browser, probe=True)
    problems = _unmet(report, allowed, error, tuple(readable), max_severity)
    if problems:
        head = f"{method} {url} from {origin}" + (" (credentials: include)" if credentials else "")
        message = "\n".join([f"CORS expectation failed for {head}:",
                             *(f"  - {p}" for p in problems), "", report.diagnosis()])
        raise AssertionError(message)
    return report


def _unmet(report: Report, allowed: bool | None, error: str | None,
           readable: tuple[str, ...], max_severity: str | None) -> list[str]:
    out: list[str] = []
    where = {"preflight": " at the preflight", "actual": " at the response",
             "redirect": " at a redirect"}.get(report.blocked_at or "", "")
    if report.error:
        out.append(f"the request failed before any CORS check: {report.error}")
    elif allowed is True and report.allowed is False:
        out.append(f"expected the browser to allow it; it blocks it{where} "
                   f"({report.browser_error})")
    elif allowed is False and report.allowed is not False:
        out.append("expected the browser to block it; it " + (
            "allows it" if report.allowed else "passes the preflight (the actual request was "
            "not sent: pass send_actual=True to check the response)"))
    if error is not None and report.browser_error != error and not report.error:
        out.append(f"expected the browser error {error}; got {report.browser_error}")
    for name in readable:
        if report.allowed is None:
            out.append(f"cannot tell whether {name} is readable: the actual request was not "
                       "sent (pass send_actual=True)")
        elif name.lower() not in report.readable_headers:
            out.append(f"expected JavaScript to read the response header {name}; it cannot")
    if max_severity is not None:
        if max_severity not in SEVERITY_RANK:
            raise ValueError("max_severity is 'info', 'warning' or 'error'")
        worse = [f for f in report.findings
                 if SEVERITY_RANK[f.severity] > SEVERITY_RANK[max_severity]]
        for f in worse:
            out.append(f"finding {f.rule} {f.name} ({f.severity}) is above "
                       f"max_severity={max_severity}")
    return out


@pytest.fixture(name="assert_cors")
def assert_cors_fixture() -> Callable[..., Any]:
    """The :func:`assert_cors` helper, as a fixture."""
    return assert_cors
