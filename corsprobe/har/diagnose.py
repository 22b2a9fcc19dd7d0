"""Diagnose recorded requests with the same browser steps and rules as ``check``.

:func:`corsprobe.replay.replay` is the browser: it yields each request it would send and
receives the exchange. Live, :mod:`corsprobe.net` answers it; here a
:class:`RecordedSender` answers from the HAR: the recorded preflight, each recorded hop in
order. Where the recording lacks an answer (a refused response, or a preflight Playwright
never records) the sender says so instead of inventing one, and the diagnosis is marked
incomplete, with ``--replay`` offered to ask the live server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..errors import UsageError
from ..fetch.urls import InvalidInput, parse_url
from ..model import Exchange, Finding, HttpRequest, NetError, Trace
from ..replay import PASSED_UNRECORDED, replay
from .recorded import CorsRequest, Entry

UNRECORDED = "unrecorded"


def _same_url(a: str, b: str) -> bool:
    try:
        return parse_url(a).text == parse_url(b).text
    except InvalidInput:
        return a == b


class RecordedSender:
    """Answers :func:`~corsprobe.replay.replay` from one recorded request."""

    def __init__(self, request: CorsRequest) -> None:
        self.request = request
        self.hop = 0  # index of the next actual hop

    def _missing(self, request: HttpRequest, entry: Entry | None, what: str) -> Exchange:
        failure = entry.failure if entry is not None else None
        text = f"the HAR has no response for {what}" + (
            f" (the browser recorded {failure})" if failure else "")
        return Exchange(request, error=NetError(UNRECORDED, text))

    def send(self, request: HttpRequest) -> Exchange:
        hops, preflights = self.request.hops, self.request.preflights
        if request.method == "OPTIONS" and any(
            k.lower() == "access-control-request-method" for k, _ in request.headers
        ):
            if self.hop >= len(hops):
                return self._missing(request, None, "the preflight of a hop it never recorded")
            pf, hop = preflights[self.hop], hops[self.hop]
            if pf is not None:
                if pf.has_response:
                    return Exchange(pf.as_request(), pf.as_response(), elapsed_ms=pf.time_ms)
                return self._missing(request, pf, "the preflight")
            if hop.has_response:
                return Exchange(request, error=NetError(
                    PASSED_UNRECORDED,
                    "the HAR has no preflight entry (Playwright records none), but the browser "
                    "sent the actual request, so the preflight passed; its headers are unknown",
                ))
            return self._missing(request, hop, "the preflight or the request after it")
        if self.hop >= len(hops):
            return self._missing(request, None, f"{request.method} {request.url} (the redirect "
                                 "was not followed in the recording)")
        entry = hops[self.hop]
        self.hop += 1
        if not _same_url(entry.url, request.url) or entry.method.upper() != request.method.upper():
            return self._missing(request, None, f"{request.method} {request.url} (the "
                                 f"recording went to {entry.method} {entry.url})")
        if not entry.has_response:
            return self._missing(request, entry, f"{entry.method} {entry.url}")
        return Exchange(entry.as_request(), entry.as_response(), elapsed_ms=entry.time_ms)


@dataclass(frozen=True)
class Diagnosis:
    """One recorded request: the recording's own outcome, corsprobe's verdict and why."""

    request: CorsRequest
    trace: Trace | None
    findings: list[Finding]
    report: dict[str, Any] | None  # corsprobe/report/v1 of the recorded exchange
    verdict: str  # allowed | blocked | failed | invalid
    cause: str  # a CorsError name, "not recorded", a network error kind, or "allowed"
    complete: bool
    missing: str | None
    replay: dict[str, Any] | None = None  # corsprobe/report/v1 of a live replay

    @property
    def browser_outcome(self) -> str:
        return self.request.browser_outcome()

    @property
    def agrees(self) -> bool | None:
        """Does corsprobe's verdict on the recorded exchange match what the browser did?"""
        if not self.complete or self.browser_outcome == "unknown":
            return None
        return self.verdict == self.browser_outcome


def diagnose(request: CorsRequest, browser: str = "chrome") -> Diagnosis:
    from ..core import diagnose as core_diagnose

    spec = request.spec(send_actual=True, browser=browser)
    try:
        done = core_diagnose(replay(spec), RecordedSender(request).send, notes=_notes(request))
    except UsageError as exc:  # fetch() could not have sent it as recorded
        return Diagnosis(request, None, [], None, "invalid", "unreadable request", False,
                         f"the recorded request cannot be rebuilt: {exc}")
    trace, found, report = done.trace, list(done.findings), done.data
    missing = None
    if trace.net_error is not None and trace.net_error.kind == UNRECORDED:
        outcome = request.browser_outcome()
        verdict = "blocked" if outcome == "blocked" else "failed"
        missing = trace.net_error.message + (
            ". Chromium keeps no headers of a response it refused, so the reason is not in the "
            "file" if outcome == "blocked" else "")
        cause = "not recorded" if outcome == "blocked" else (request.failure_text() or "failed")
        return Diagnosis(request, trace, found, report, verdict, cause, False, missing)
    if trace.allowed:
        return Diagnosis(request, trace, found, report, "allowed", "allowed", True, None)
    if trace.failure is not None:
        return Diagnosis(request, trace, found, report, "blocked", trace.failure.error, True, None)
    err = trace.net_error
    return Diagnosis(request, trace, found, report, "failed", err.kind if err else "failed",
                     True, None)


def _notes(request: CorsRequest) -> tuple[str, ...]:
    notes = [f"the page's origin {request.origin} comes from the recorded "
             f"{request.origin_from}"]
    if not request.credentials:
        notes.append("a HAR does not record fetch()'s credentials mode; no Cookie was sent, so "
                     "credentials are taken as not included")
    return tuple(notes)


def with_replay(diag: Diagnosis, options: object, send_actual: bool | None) -> Diagnosis:
    """Re-send the request live, as ``check`` does (:func:`corsprobe.core.check`)."""
    from ..core import check

    spec = diag.request.spec(send_actual=send_actual, browser=diag.trace.spec.browser
                             if diag.trace else "chrome")
    try:
        done = check(spec, options)
    except UsageError as exc:
        return replace(diag, replay={"error": {"kind": "usage", "message": str(exc)}})
    return replace(diag, replay=done.data)
