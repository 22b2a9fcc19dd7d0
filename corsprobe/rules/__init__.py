"""The rule catalogue: one module per family, one decorated function per rule.

A rule is a generator over a :class:`Context` (the recorded exchange and the browser's
verdict) that yields :class:`Hit` objects; the engine stamps the rule's id, name and
severity on each and builds the immutable :class:`~corsprobe.model.Finding`. A rule's
docstring is its documentation and must keep the headings in :data:`DOC_HEADINGS`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from .. import stack
from ..model import Exchange, HttpResponse, Severity, Trace, header_values, joined

if TYPE_CHECKING:
    from ..stack import CrossedCache, Layer

DOC_HEADINGS = ("What it detects", "Why it matters", "Example", "Fix")
FAMILIES = ("origin", "credentials", "preflight", "response", "redirects", "exposure", "caching", "security",
            "scan", "cookies", "gates", "kinds")


@dataclass(frozen=True)
class Hit:
    message: str
    evidence: dict[str, object] = field(default_factory=dict)
    fix: dict[str, str] = field(default_factory=dict)
    severity: Severity | None = None  # overrides the rule's (a scan rule's follows the risk)
    risk: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    title: str
    family: str
    check: Callable[[Context], Iterable[Hit]]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")


REGISTRY: list[Rule] = []


def rule(
    id: str, name: str, severity: Severity, title: str
) -> Callable[[Callable[[Context], Iterable[Hit]]], Callable[[Context], Iterable[Hit]]]:
    def register(func: Callable[[Context], Iterable[Hit]]) -> Callable[[Context], Iterable[Hit]]:
        family = func.__module__.rsplit(".", 1)[-1]
        REGISTRY.append(Rule(id, name, severity, title, family, func))
        return func

    return register


def all_rules() -> tuple[Rule, ...]:
    return rules_of(None)


def rules_of(families: Iterable[str] | None) -> tuple[Rule, ...]:
    """The rules of ``families`` (None: every family), by id; only those modules are imported."""
    import importlib

    wanted = FAMILIES if families is None else tuple(families)
    unknown = set(wanted) - set(FAMILIES)
    if unknown:
        raise ValueError(f"no rule family {sorted(unknown)}; families: {', '.join(FAMILIES)}")
    for family in wanted:
        importlib.import_module(f"{__name__}.{family}")
    return tuple(sorted((r for r in REGISTRY if r.family in wanted), key=lambda r: r.id))


@dataclass(frozen=True)
class Context:
    """What a rule sees: the trace, and where the browser's check failed."""

    trace: Trace

    @cached_property
    def layers(self) -> tuple[Layer, ...]:
        """The layers the wire names (or ``--stack`` declares), front to back."""
        return stack.detect(self.trace)

    @cached_property
    def cache_crossed(self) -> CrossedCache | None:
        """The cache probe's proof that a cache served one origin's answer to another."""
        return stack.cache_crossed(self.trace)

    @property
    def cache_explains(self) -> bool:
        """The page's origin is allowed on a fresh answer, and a cache hands out answers
        stored for other origins: the origin rules leave the diagnosis to the cache rule."""
        crossed = self.cache_crossed
        return crossed is not None and crossed.page_allowed

    @property
    def origin(self) -> str:
        """The Origin the checked request carried (Firefox keeps the page's origin on a
        preflight after a tainting redirect); else the page's, or null once tainted."""
        checked = self.checked
        if checked is not None:
            for name, value in checked[2].request.headers:
                if name.lower() == "origin":
                    return value
        return "null" if self.trace.tainted else self.trace.origin_sent

    @property
    def credentials(self) -> bool:
        return self.trace.spec.credentials

    @property
    def error(self) -> str | None:
        return self.trace.failure.error if self.trace.failure else None

    @property
    def checked(self) -> tuple[str, int, Exchange] | None:
        """The exchange whose CORS check failed: (``preflight``/``actual``, index, exchange)."""
        t = self.trace
        if t.blocked_at == "preflight" and t.preflights:
            return "preflight", len(t.preflights) - 1, t.preflights[-1]
        if t.blocked_at in ("actual", "redirect") and t.actuals:
            return "actual", len(t.actuals) - 1, t.actuals[-1]
        return None

    @property
    def response(self) -> HttpResponse | None:
        checked = self.checked
        return checked[2].response if checked else None

    def evidence(self, header: str | None = None, **extra: object) -> dict[str, object]:
        """Where the problem is: which exchange, which header, which value(s)."""
        checked = self.checked
        out: dict[str, object] = {}
        if checked:
            kind, index, exchange = checked
            out["exchange"] = kind if kind == "preflight" and index == 0 else f"{kind}[{index}]"
            out["url"] = exchange.request.url
            if exchange.response is not None:
                out["status"] = exchange.response.status
                if header:
                    out["header"] = header
                    out["values"] = header_values(exchange.response.headers, header)
        out["origin"] = self.origin
        out.update(extra)
        return out

    def header(self, name: str) -> str | None:
        response = self.response
        return joined(response.headers, name) if response else None

    @property
    def last_preflight(self) -> HttpResponse | None:
        t = self.trace
        return t.preflights[-1].response if t.preflights else None

    @property
    def final(self) -> HttpResponse | None:
        """The last response of the actual request (after redirects), if any."""
        t = self.trace
        return t.actuals[-1].response if t.actuals else None

    def evidence_for(
        self, kind: str, index: int, header: str | None = None, **extra: object
    ) -> dict[str, object]:
        """Evidence pointing at a given exchange rather than the failing one."""
        exchanges = self.trace.preflights if kind == "preflight" else self.trace.actuals
        exchange = exchanges[index]
        out: dict[str, object] = {
            "exchange": kind if kind == "preflight" and index == 0 else f"{kind}[{index}]",
            "url": exchange.request.url,
        }
        if exchange.response is not None:
            out["status"] = exchange.response.status
            if header:
                out["header"] = header
                out["values"] = header_values(exchange.response.headers, header)
        out["origin"] = self.origin
        out.update(extra)
        return out
