"""Every output format in one place, and the only package that imports rich.

What is rendered is always a serialised document, never an engine object:

========== ======================================================= ========================
kind       the document                                            made by
========== ======================================================= ========================
report     one ``corsprobe/report/v1`` dict (``check``)             corsprobe.report.build
compare    ``corsprobe/compare/v1`` (``check --browser all``)       corsprobe.report.compare
har        ``corsprobe/har/v1`` (``har``)                           corsprobe.har.build
catalogue  the rule catalogue: a list of rule dicts (``rules``)     corsprobe.cli.catalogue
rule       one rule dict (``explain``)                              corsprobe.cli.catalogue
run        the result dicts ``corsprobe run`` streams               corsprobe.runner
scan       the result dicts ``corsprobe scan`` streams              corsprobe.scan.run
demo       ``{"title", "report"}`` per demo check, streamed         corsprobe.demo
paste      a list of ``corsprobe/paste/v1`` dicts (``paste``)       corsprobe.paste.verdict
========== ======================================================= ========================

:data:`FORMATS` maps a format's name to a :class:`Format`, which says which kinds it renders
and with what. A whole document is rendered by a pure function ``(doc, color: bool) -> str``
(the exact text for stdout); a stream by a factory ``(out, color: bool | None) -> Reporter``
whose ``start``/``result``/``finish`` write as results arrive (``None``: colour when ``out``
is a terminal). Each command's ``--format`` choices are :func:`formats_for` its kind.

Renderers are named ``"module:function"`` inside this package and imported on first use, so
importing the registry imports no renderer and no rich (``corsprobe --help`` stays fast).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any, Protocol

REPORT, COMPARE, HAR, CATALOGUE, RULE = "report", "compare", "har", "catalogue", "rule"
RUN, SCAN, DEMO, PASTE = "run", "scan", "demo", "paste"
STREAMS = frozenset({RUN, SCAN, DEMO})


class Reporter(Protocol):
    """Renders a stream of result dicts as they arrive.

    A reporter may say which keys of a *passed* result it reads, as ``passing_keys`` (a
    frozenset; without it: every key). When every reporter of a run reads no more than a
    result's headline (:data:`corsprobe.runner.HEADLINE`), results from worker processes
    are not decoded whole; a reporter that writes them as JSON reads their ``json`` text.
    """

    def start(self, run: dict[str, Any]) -> None: ...
    def result(self, result: dict[str, Any]) -> None: ...
    def finish(self, summary: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class Format:
    name: str
    renders: Mapping[str, str]  # kind -> "module:function" in corsprobe.render
    # a stream in this format writes one line per result on stdout, so a run in a log
    # needs no progress lines on stderr besides it
    line_per_result: bool = False

    def renderer(self, kind: str) -> Callable[..., Any]:
        module, _, name = self.renders[kind].partition(":")
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("text", {
        REPORT: "text:document", COMPARE: "compare:document", HAR: "har:render_text",
        CATALOGUE: "catalogue:render_text", RULE: "catalogue:render_rule",
        RUN: "run:text_reporter", SCAN: "scan:text_reporter", DEMO: "demo:TextReporter",
        PASTE: "paste:render_text",
    }, line_per_result=True),
    Format("json", {
        REPORT: "json:document", COMPARE: "json:document", HAR: "json:document",
        CATALOGUE: "json:ascii_document",
        RUN: "run:json_reporter", SCAN: "run:json_reporter", DEMO: "demo:JsonReporter",
        PASTE: "paste:render_json",
    }),
    Format("junit", {RUN: "junit:reporter"}),
    Format("sarif", {RUN: "sarif:reporter", SCAN: "sarif:reporter"}),
    Format("markdown", {HAR: "har:render_markdown", RUN: "markdown:reporter"}),
    Format("github", {RUN: "github:reporter"}, line_per_result=True),
)}


def formats_for(kind: str) -> tuple[str, ...]:
    """The formats that render ``kind``, in the registry's order (a command's --format)."""
    return tuple(name for name, f in FORMATS.items() if kind in f.renders)


def _format(kind: str, fmt: str) -> Format:
    found = FORMATS.get(fmt)
    if found is None or kind not in found.renders:
        raise ValueError(f"no {fmt!r} format for a {kind} document; "
                         f"one of {', '.join(formats_for(kind))}")
    return found


def render(kind: str, fmt: str, doc: Any, color: bool = False) -> str:
    """``doc`` (a document of ``kind``) as ``fmt``: the exact text for stdout."""
    assert kind not in STREAMS, f"{kind} is a stream: use reporter()"
    return _format(kind, fmt).renderer(kind)(doc, color)


def show(kind: str, fmt: str, doc: Any, color: bool | None = None) -> None:
    """Render ``doc`` to stdout; ``color=None``: colour when stdout is a terminal."""
    use_color = sys.stdout.isatty() if color is None else color
    sys.stdout.write(render(kind, fmt, doc, use_color))
    sys.stdout.flush()


def reporter(kind: str, fmt: str, out: IO[str], color: bool | None = None) -> Reporter:
    """A streaming reporter of ``kind`` results as ``fmt`` writing to ``out``."""
    assert kind in STREAMS, f"{kind} is a whole document: use render()"
    return _format(kind, fmt).renderer(kind)(out, color)
