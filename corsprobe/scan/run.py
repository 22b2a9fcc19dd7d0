"""Running scans: targets from the command line or a file, one result dict per target.

Targets are scanned concurrently by :func:`corsprobe.runner.run` (one shared
:class:`~corsprobe.net.AsyncTransport`, per-host limits) with :func:`make_job` as its job, so
every reporter of ``corsprobe run`` that reads result dicts (JSON, SARIF) works unchanged. A
result has the shape of a run result; ``status`` is ``failed`` when a finding reaches
``--fail-on``, and ``scan`` summarises what was tried.

``--format json`` writes ``corsprobe/scan/v1``: ``{"schema", "tool", "config"?, "results":
[...], "summary": {...}}``, one result per URL: ``name``, ``url``, ``origin`` (the trusted
origin, or the URL's own), ``status`` (passed, failed, unreachable), ``scan`` (``requests``
and, per class, ``tried`` and the ``accepted`` origins), and ``report`` (report/v1 of the
baseline request, its ``findings`` the scan rules' with ``risk`` and
``evidence.proving_origin``, its ``probes`` every request of the scan and its answer).

``-i FILE`` is either a corsprobe config (``corsprobe.toml``, pyproject.toml, any ``.toml``:
each check's URL, origin, headers and credentials become a target) or a list of URLs, one a
line (blank lines and ``#`` comments skipped).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from .. import policy
from ..errors import UsageError
from ..model import HttpRequest
from . import steps
from .steps import Target

SCHEMA = "corsprobe/scan/v1"
RISKS = ("critical", "high", "medium", "low", "info")


@dataclass(frozen=True)
class Targets:
    items: tuple[Target, ...]
    display: str | None = None  # the -i file as shown in reports
    secrets: tuple[str, ...] = ()  # ${VAR} values from a config, masked in every output


def read_targets(path: Path, default: Target) -> Targets:
    """The targets of ``-i FILE``; ``default`` carries the command line's options (its
    --origin and -H win over a config's, its --credentials adds to them)."""
    from .. import config

    if path.suffix == ".toml" or _is_config(path):
        cfg = config.load(path)
        seen: set[tuple[str, str | None]] = set()
        items = []
        for c in cfg.checks():
            trusted = default.trusted or c.spec.origin
            key = (c.spec.url, trusted)
            if key in seen:
                continue
            seen.add(key)
            items.append(replace(default, url=c.spec.url, trusted=trusted,
                                 headers=c.spec.headers + default.headers,
                                 credentials=default.credentials or c.spec.credentials,
                                 name=c.group, line=c.line))
        return Targets(tuple(items), cfg.display, cfg.secrets)
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"-i {display}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"-i {display}: cannot read it: {exc}") from None
    items = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if any(c.isspace() for c in line):
            raise UsageError(f"{display}:{number}: one URL per line, e.g. https://api.example.com/me")
        items.append(replace(default, url=line, line=number))
    if not items:
        raise UsageError(f"-i {display}: no URL in the file (one a line)")
    return Targets(tuple(items), display)


def _is_config(path: Path) -> bool:
    if path.name == "pyproject.toml":
        return True
    try:
        head = path.read_text(encoding="utf-8")[:4096]
    except (OSError, UnicodeDecodeError):
        return False
    return "[[checks]]" in head or "[[tool.corsprobe.checks]]" in head


def validate(targets: Iterable[Target], where: str | None = None) -> None:
    """Every target is checked before the first request (a usage error names the line)."""
    for t in targets:
        try:
            steps.plan(t)
        except UsageError as exc:
            prefix = f"{where}:{t.line}: " if where and t.line else ""
            raise UsageError(f"{prefix}{exc}") from None


def make_job(fail_on: str) -> Callable[..., Any]:
    """The runner job: scan one target, diagnose, and build its result dict."""

    async def job(target: Target, send: Callable[[HttpRequest], Any], scrub: Any,
                  conn: Any = None) -> dict[str, Any]:
        from ..core import SCAN_FAMILIES, diagnose_async

        started = time.perf_counter()
        planned = steps.plan(target)
        done = await diagnose_async(steps.steps(target, planned), send, families=SCAN_FAMILIES)
        trace, report = done.trace, done.data
        failures: list[dict[str, str]] = []
        if steps.unreachable(trace):
            status = "unreachable"
            failures = [f.as_dict() for f in policy.unreachable(trace)]
        elif policy.reaches(done.findings, fail_on):
            status = "failed"
        else:
            status = "passed"
        classes: dict[str, dict[str, Any]] = {}
        for p in trace.probes:
            entry = classes.setdefault(p.purpose.removeprefix("scan:"),
                                       {"tried": 0, "accepted": []})
            entry["tried"] += 1
            if p.accepted:
                entry["accepted"].append(p.origin)
        result = {
            "index": target.line or 0,
            "name": target.name or report["target"],
            "group": target.name or report["target"],
            "tags": [],
            "line": target.line,
            "method": "GET",
            "url": report["target"],
            "origin": trace.origin_sent,
            "status": status,
            "failures": failures,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "scan": {
                "trusted_origin": target.trusted and trace.origin_sent,
                "credentials": target.credentials,
                "all": target.every,
                "requests": len(trace.preflights) + len(trace.actuals) + len(trace.probes),
                "classes": classes,
            },
            "report": report,
        }
        return scrub(result) if scrub is not None else result

    return job


def risk_counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    counts = {r: 0 for r in RISKS}
    for f in findings:
        counts[f.get("risk") or {"error": "high", "warning": "medium"}.get(f["severity"], "info")] += 1
    return {k: v for k, v in counts.items() if v}


class TextReporter:
    """One block per target as it finishes: the findings, each with its proof and fix."""

    STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan",
             "info": "dim"}

    def __init__(self, out: IO[str] | None = None, color: bool = False, width: int = 100) -> None:
        from rich.console import Console

        self.console = Console(file=out, force_terminal=color, no_color=not color, width=width,
                               highlight=False, emoji=False, soft_wrap=True)
        self.counts = {"findings": 0, "targets_with": 0, "clean": 0, "unreachable": 0}

    def start(self, run: dict[str, Any]) -> None:
        from rich.text import Text

        source = f"  {run['config']}" if run.get("config") else ""
        noun = "target" if run["total"] == 1 else "targets"
        self.console.print(Text(f"corsprobe scan{source}  {run['total']} {noun}", style="bold"))

    def result(self, result: dict[str, Any]) -> None:
        from rich.text import Text

        report = result["report"]
        scan = result["scan"]
        tried = sum(c["tried"] for c in scan["classes"].values())
        if result["status"] == "unreachable":
            self.counts["unreachable"] += 1
            self.console.print(Text(f"! {result['url']}  not reachable: "
                                    f"{report['error']['message']}", style="yellow"))
            return
        findings = report["findings"]
        for note in report.get("notes") or []:
            if note.startswith(("the scan stopped", "the response is a redirect")):
                self.console.print(Text(f"! {result['url']}  {note}", style="yellow"))
        if not findings:
            self.counts["clean"] += 1
            self.console.print(Text(f"✓ {result['url']}  no attacker origin is trusted "
                                    f"({tried} origins and preflights tried)", style="green"))
            return
        self.counts["targets_with"] += 1
        self.counts["findings"] += len(findings)
        counts = ", ".join(f"{n} {r}" for r, n in risk_counts(findings).items())
        mark, style = ("✗", "bold red") if result["status"] == "failed" else ("•", "bold")
        self.console.print(Text(f"{mark} {result['url']}  {counts}  "
                                f"({tried} origins and preflights tried)", style=style))
        shown: set[str] = set()
        for f in findings:
            risk = f.get("risk") or f["severity"]
            line = Text(f"  {risk.upper():8} ", style=self.STYLE.get(risk, ""))
            line.append(f"{f['rule']} {f['name']}", style="bold")
            self.console.print(line)
            self.console.print(Text(f"    {f['message']}"))
            proof = f["evidence"].get("proving_origin")
            if proof:
                self.console.print(Text(f"    proving origin: {proof}", style="dim"))
            fix = f.get("fix") or {}
            if fix.get("generic"):
                self.console.print(Text(f"    {'Fix:':9} {fix['generic']}", style="dim"))
            frameworks = [(label, fix[key]) for key, label in (
                ("fastapi", "FastAPI"), ("django", "Django"), ("flask", "Flask")) if fix.get(key)]
            if frameworks and all(text in shown for _, text in frameworks):
                self.console.print(Text("    FastAPI, Django, Flask: as above", style="dim"))
                continue
            for label, text in frameworks:
                shown.add(text)
                self.console.print(Text(f"    {label + ':':9} {text}", style="dim"))

    def finish(self, summary: dict[str, Any]) -> None:
        from rich.text import Text

        c = self.counts
        parts = [f"{c['targets_with']} with findings ({c['findings']} in all)", f"{c['clean']} clean"]
        if c["unreachable"]:
            parts.append(f"{c['unreachable']} unreachable")
        style = "bold green" if summary["exit_code"] == 0 else "bold red"
        self.console.print(Text(f"{summary['total']} scanned: {', '.join(parts)} in "
                                f"{summary['duration_s']:.1f} s", style=style))

