"""The Python entry point shared by every command: a RequestSpec in, a finished report out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import Finding, RequestSpec, Trace
from .net import TransportOptions


@dataclass(frozen=True)
class Result:
    trace: Trace
    findings: list[Finding]
    report: dict[str, Any]


def run(spec: RequestSpec, options: TransportOptions | None = None, probe: bool = True) -> Result:
    """Replay ``spec`` against the real server, diagnose it, and build the report/v1 dict."""
    from . import check
    from . import probe as probe_mod
    from .engine import findings as run_rules
    from .net import Transport
    from .report.build import build

    with Transport(options or TransportOptions()) as transport:
        trace = check.run(spec, transport)
        if probe:
            trace = probe_mod.run(trace, transport)
    found = run_rules(trace)
    notes = transport_notes(options)
    return Result(trace, found, build(trace, found, extra_notes=notes))


def transport_notes(options: TransportOptions | None) -> tuple[str, ...]:
    if options is not None and options.insecure:
        return ("TLS certificate verification was turned off (--insecure): a browser would "
                "refuse an invalid certificate before any CORS check",)
    return ()
