"""Runs the rules over a trace and stamps each hit's id, name and severity on a Finding.

Findings come out in rule-id order; :mod:`corsprobe.core` orders them by severity
(:mod:`corsprobe.policy`) for the report.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Finding, Trace
from .rules import REGISTRY, Context, Rule, rules_of

# the rules of each choice of families, worked out once (not once per check), and again if
# a rule module registers more rules
_CHOSEN: dict[tuple[tuple[str, ...] | None, int], tuple[Rule, ...]] = {}


def _rules(families: Iterable[str] | None) -> tuple[Rule, ...]:
    wanted = None if families is None else tuple(families)
    chosen = _CHOSEN.get((wanted, len(REGISTRY)))
    if chosen is None:
        chosen = rules_of(wanted)
        _CHOSEN[(wanted, len(REGISTRY))] = chosen
    return chosen


def findings(trace: Trace, families: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the rules in ``families`` (default: every family), by rule id."""
    ctx = Context(trace)
    out: list[Finding] = []
    for r in _rules(families):
        for hit in r.check(ctx):
            out.append(Finding(r.id, r.name, hit.severity or r.severity, hit.message,
                               hit.evidence, hit.fix, hit.risk))
    return out
