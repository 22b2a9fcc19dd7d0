"""``corsprobe scan`` in the terminal: one block per target as it finishes, each finding
with its risk, the origin that proves it, and the fix.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from . import Reporter

RISKS = ("critical", "high", "medium", "low", "info")


def text_reporter(out: IO[str], color: bool | None = None) -> Reporter:
    use_color = out.isatty() if color is None else color
    return TextReporter(None if out is sys.stdout else out, color=use_color)


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

