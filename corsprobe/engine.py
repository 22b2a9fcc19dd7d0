"""Runs every rule over a trace, stamps id, name and severity, and sorts the findings."""

from __future__ import annotations

from .model import SEVERITY_RANK, Finding, Trace
from .rules import Context, all_rules


def findings(trace: Trace) -> list[Finding]:
    ctx = Context(trace)
    out: list[Finding] = []
    for r in all_rules():
        for hit in r.check(ctx):
            out.append(Finding(r.id, r.name, hit.severity or r.severity, hit.message,
                               hit.evidence, hit.fix, hit.risk))
    out.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.rule))
    return out
