"""The report that crosses module lines: one frozen, typed object per checked request.

The core (:mod:`corsprobe.core`) makes it; commands judge it (:mod:`corsprobe.policy`) and
hand its serialised form, :attr:`Report.data` (``corsprobe/report/v1``, built once by
:func:`corsprobe.report.build.build`), to the renderers. It is also the public
``corsprobe.Report`` that ``corsprobe.check(...)`` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..model import Finding, Trace


@dataclass(frozen=True)
class Framework:
    """The server framework that answered (fixes are shown in its terms)."""

    name: str  # fastapi | django | flask
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    """What the browser does with one cross-origin request, why, and how to fix it.

    ``allowed``: True (the page's fetch() resolves), False (blocked, or a network error),
    None (the preflight passed but the actual request was not sent: unsafe methods need
    ``send_actual=True``). ``blocked_at`` is ``"preflight"``, ``"actual"``, ``"redirect"`` or
    None; ``browser_error`` the DevTools ``Network.CorsError`` name and ``console_message``
    the browser's console line. ``findings`` are the rules that fired, most severe first.
    ``data`` is the ``corsprobe/report/v1`` dict that ``--format json`` prints.
    """

    trace: Trace = field(repr=False)
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()  # the caller's notes, after the trace's own
    framework: Framework | None = None  # known otherwise (an in-process app's class): used
    # when the responses themselves name no framework

    @property
    def allowed(self) -> bool | None:
        return self.trace.allowed

    @property
    def blocked_at(self) -> str | None:
        return self.trace.blocked_at

    @property
    def browser_error(self) -> str | None:
        return self.trace.failure.error if self.trace.failure else None

    @property
    def readable_headers(self) -> tuple[str, ...]:
        return self.trace.readable_headers

    @property
    def error(self) -> str | None:
        """The network failure (DNS, connect, TLS, ...), if any."""
        return self.trace.net_error.message if self.trace.net_error else None

    @property
    def console_message(self) -> str | None:
        message: str | None = self.data["console_message"]
        return message

    @cached_property
    def data(self) -> dict[str, Any]:
        """``corsprobe/report/v1``, secrets redacted; built on first use, once."""
        from .build import build  # (imports what only a report needs, on first use)

        return build(self)

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def diagnosis(self) -> str:
        """The verdict, the console message and each finding with its fix, as text lines."""
        from .words import report_diagnosis

        return report_diagnosis(self.data)

    def __str__(self) -> str:
        return self.diagnosis()
