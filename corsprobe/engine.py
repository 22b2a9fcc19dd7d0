"""Runs the rules over a trace, stamps id, name and severity, and sorts the findings."""

from __future__ import annotations

from collections.abc import Iterable

from .model import SEVERITY_RANK, Finding, Trace
from .rules import Context, rules_of


def findings(trace: Trace, families: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the rules in ``families`` (default: every family), most severe first."""
    ctx = Context(trace)
    out: list[Finding] = []
    for r in rules_of(families):
        for hit in r.check(ctx):
            out.append(Finding(r.id, r.name, hit.severity or r.severity, hit.message,
                               hit.evidence, hit.fix, hit.risk))
    out.sort(key=lambda f: (-SEVERITY_RANK[f.severity], f.rule))
    return out
