"""Policy, written once: severities, expectations, and the exit codes they lead to.

Every command judges through this module: ``check`` (``--fail-on``), ``--browser all``,
``run`` (a check's ``expect``/``expect_error``/``readable``/``max_severity``), ``scan``
(``--fail-on``), and the pytest plugin's ``assert_cors``.

Exit codes (PRODUCT.md): 0 allowed and nothing reaches ``--fail-on``; 1 blocked, a finding at
or above ``--fail-on``, or an expectation failed; 2 usage (raised as UsageError, never
computed here); 3 the target could not be reached (and nothing else failed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

from .errors import EXIT_FAIL, EXIT_OK, EXIT_UNREACHABLE
from .model import Finding, Trace
from .report.words import BROWSER_LABEL, where

FAIL_ON = ("error", "warning", "info", "never")
MAX_SEVERITY = ("none", "info", "warning", "error")


class Severity(IntEnum):
    """A finding's severity; compare them as numbers (``ERROR > WARNING``)."""

    NONE = 0  # only as a limit: max_severity = "none" tolerates nothing
    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def of(cls, name: str) -> Severity:
        return cls[name.upper()]


def most_severe_first(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` ordered for a report: errors first, then by rule id."""
    return sorted(findings, key=lambda f: (-Severity.of(f.severity), f.rule))


def reaches(findings: Iterable[Finding], fail_on: str) -> bool:
    """Does any finding reach ``--fail-on`` (``never``: none does)?"""
    if fail_on == "never":
        return False
    limit = Severity.of(fail_on)
    return any(Severity.of(f.severity) >= limit for f in findings)


def above(findings: Iterable[Finding], max_severity: str) -> list[Finding]:
    """The findings above ``max_severity`` (``none``: every finding)."""
    limit = Severity.of(max_severity)
    return [f for f in findings if Severity.of(f.severity) > limit]


def check_exit(trace: Trace, findings: Iterable[Finding], fail_on: str) -> int:
    """``corsprobe check``: 3 unreachable, 1 blocked or a finding reaching ``fail_on``, else 0."""
    if trace.net_error is not None:
        return EXIT_UNREACHABLE
    if trace.allowed is False or reaches(findings, fail_on):
        return EXIT_FAIL
    return EXIT_OK


def all_exit(codes: Iterable[int]) -> int:
    """Several browsers or checks: 1 if any failed; 3 only if every one was unreachable."""
    codes = list(codes)
    if EXIT_FAIL in codes:
        return EXIT_FAIL
    if codes and all(c == EXIT_UNREACHABLE for c in codes):
        return EXIT_UNREACHABLE
    return EXIT_FAIL if EXIT_UNREACHABLE in codes else EXIT_OK


def har_exit(verdicts: Iterable[str]) -> int:
    """``corsprobe har``: 1 when any request shown was blocked or failed, else 0."""
    return EXIT_FAIL if any(v != "allowed" for v in verdicts) else EXIT_OK


def run_exit(failed: int, unreachable: int) -> int:
    """``corsprobe run``/``scan``: a real failure wins over an unreachable target."""
    if failed:
        return EXIT_FAIL
    if unreachable:
        return EXIT_UNREACHABLE
    return EXIT_OK


# -- expectations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """What a check expects of the browser (``run``'s check keys, ``assert_cors``' arguments).

    ``verdict``: "allowed", "blocked", or None (no expectation on the verdict).
    """

    verdict: Literal["allowed", "blocked"] | None = "allowed"
    error: str | None = None  # the Network.CorsError name, with verdict "blocked"
    readable: tuple[str, ...] = ()  # response headers the page's JavaScript must read
    max_severity: str | None = None  # None: findings are not judged
    status: tuple[int, ...] = ()  # the actual response's status must be one of these
    send_actual_hint: str = "set send_actual = true"  # how this caller sends the actual request


@dataclass(frozen=True)
class Failure:
    """One unmet expectation: which one, and why, in words."""

    # reachable | allowed | blocked | expect_error | readable | status | max_severity
    expectation: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"expectation": self.expectation, "message": self.message}


def unreachable(trace: Trace) -> list[Failure]:
    if trace.net_error is None:
        return []
    return [Failure("reachable",
                    f"the target could not be reached: {trace.net_error.message}")]


def judge_verdict(expect: Expectation, trace: Trace) -> list[Failure]:
    """The expectations on the browser's verdict: allowed/blocked, the error, readable headers."""
    failures: list[Failure] = []
    browser = BROWSER_LABEL.get(trace.spec.browser, "the browser")
    error = trace.failure.error if trace.failure else None
    if expect.verdict == "allowed" and trace.allowed is False:
        return [Failure("allowed", (
            f"expected {browser} to allow it, but it blocks it {where(trace.blocked_at)}: "
            f"{error}"))]
    if expect.verdict == "blocked":
        if trace.allowed is True:
            return [Failure("blocked", f"expected {browser} to block it, but it allows it")]
        if trace.allowed is None:
            return [Failure("blocked", (
                "expected a block, but the preflight passes and the actual request was not "
                f"sent; {expect.send_actual_hint} to check the response too"))]
    if expect.error and error != expect.error:
        failures.append(Failure("expect_error",
                                f"expected {expect.error}, but {browser} reports {error}"))
    if expect.readable:
        if trace.allowed is None:
            failures.append(Failure("readable", (
                "the actual request was not sent, so the readable headers cannot be checked; "
                f"{expect.send_actual_hint}")))
        else:
            readable = set(trace.readable_headers)
            shown = ", ".join(trace.readable_headers) or "none"
            for name in expect.readable:
                if name.lower() not in readable:
                    failures.append(Failure("readable", (
                        f"{name} is not readable from JavaScript (readable: {shown}); "
                        f"the server must send Access-Control-Expose-Headers: {name}")))
    failures.extend(judge_status(expect, trace))
    return failures


def judge_status(expect: Expectation, trace: Trace) -> list[Failure]:
    """``expect_status``: the status of the actual request's final answer (a flow's ``/me``
    step answered 401 because the session cookie did not travel)."""
    if not expect.status:
        return []
    wanted = " or ".join(str(s) for s in expect.status)
    answer = trace.actuals[-1].response if trace.actuals else None
    if answer is None:
        return [Failure("status", (
            f"expected status {wanted}, but the actual request was not sent; "
            f"{expect.send_actual_hint}"))]
    if answer.status in expect.status:
        return []
    return [Failure("status", f"expected status {wanted}, but the server answered "
                              f"{answer.status}")]


def judge_findings(expect: Expectation, findings: Iterable[Finding]) -> list[Failure]:
    """``max_severity``: judged once the verdict holds (a finding that explains a failed
    expectation, CORS101 for a refused origin, is not a second failure)."""
    if expect.max_severity is None:
        return []
    over = above(findings, expect.max_severity)
    if not over:
        return []
    listed = ", ".join(f"{f.rule} {f.name} ({f.severity})" for f in over)
    return [Failure("max_severity", (
        f"{len(over)} finding(s) above max_severity = {expect.max_severity}: {listed}"))]


def judge(expect: Expectation, trace: Trace, findings: Iterable[Finding]) -> list[Failure]:
    """Every unmet expectation, in the order a reader needs them."""
    return (unreachable(trace) or judge_verdict(expect, trace)
            or judge_findings(expect, findings))
