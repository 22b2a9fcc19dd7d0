"""Runs the rules over a trace and stamps each hit's id, name and severity on a Finding.

Findings come out in rule-id order; :mod:`corsprobe.core` orders them by severity
(:mod:`corsprobe.policy`) for the report.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Finding, Trace
from .rules import Context, rules_of


def findings(trace: Trace, families: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the rules in ``families`` (default: every family), by rule id."""
    ctx = Context(trace)
    out: list[Finding] = []
    for r in rules_of(families):
        for hit in r.check(ctx):
            out.append(Finding(r.id, r.name, hit.severity or r.severity, hit.message,
                               hit.evidence, hit.fix, hit.risk))
    return out
