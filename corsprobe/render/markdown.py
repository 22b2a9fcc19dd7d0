"""Markdown for ``corsprobe run``: a summary for a pull request or a CI job page.

A heading with the counts, a table with one row per check (failures first is not
possible while streaming, so rows come in completion order; the table stops at
``MAX_ROWS``), then a section per failed or unreachable check with its diagnosis
(up to ``MAX_DETAILS``). Rows and details are spooled to temporary files, since the
heading that carries the counts must come first.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import IO, Any

from ..report.words import diagnosis, verdict

MAX_ROWS = 500
MAX_DETAILS = 100
ICON = {"passed": "✅", "failed": "❌", "unreachable": "⚠️"}


def cell(text: object) -> str:
    """Text safe inside a table cell: one line, no pipe, no HTML."""
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\r", " ").replace("\n", " "))


def code(text: object) -> str:
    """An inline code span (backticks inside become quotes)."""
    return "`" + cell(text).replace("`", "'") + "`"


class MarkdownReporter:
    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.rows: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.details: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.n_rows = self.n_details = 0
        self.skipped_rows = self.skipped_details = 0
        self.config = ""
        self.shard = ""

    def start(self, run: dict[str, Any]) -> None:
        self.config = str(run.get("config", ""))
        shard = run.get("shard")
        self.shard = f" (shard {shard['index']}/{shard['count']})" if shard else ""

    def result(self, result: dict[str, Any]) -> None:
        status = result["status"]
        expected = result["expect"]["verdict"]
        if result["expect"].get("error"):
            expected += f" ({result['expect']['error']})"
        if self.n_rows < MAX_ROWS:
            self.rows.write(
                f"| {ICON[status]} {status} | {cell(result['name'])} | {code(result['method'])} "
                f"{code(result['url'])} from {code(result['origin'])} | {cell(expected)} | "
                f"{cell(verdict(result['report']))} |\n"
            )
            self.n_rows += 1
        else:
            self.skipped_rows += 1
        if status == "passed":
            return
        if self.n_details >= MAX_DETAILS:
            self.skipped_details += 1
            return
        self.n_details += 1
        self.details.write(f"\n### {ICON[status]} {cell(result['name'])}\n\n")
        for line in diagnosis(result):
            if line.startswith("  fix: "):
                self.details.write(f"  - Fix: {cell(line[7:])}\n")
            else:
                label, _, rest = line.partition(": ")
                self.details.write(f"- **{cell(label)}**: {cell(rest)}\n")

    def finish(self, summary: dict[str, Any]) -> None:
        ok = summary["exit_code"] == 0
        head = "✅ corsprobe: all CORS expectations met" if ok else "❌ corsprobe: CORS checks failed"
        out = self.out
        out.write(f"## {head}\n\n")
        parts = [f"**{summary['passed']}** passed", f"**{summary['failed']}** failed"]
        if summary["unreachable"]:
            parts.append(f"**{summary['unreachable']}** unreachable")
        where = f" from {code(self.config)}" if self.config else ""
        out.write(f"{summary['total']} checks{where}{self.shard}: {', '.join(parts)} "
                  f"in {summary['duration_s']:.1f} s.\n\n")
        if self.n_rows:
            out.write("| Result | Check | Request | Expected | Browser |\n")
            out.write("| --- | --- | --- | --- | --- |\n")
            self.rows.seek(0)
            shutil.copyfileobj(self.rows, out)
            if self.skipped_rows:
                out.write(f"\n… and {self.skipped_rows} more checks (see the JSON or JUnit report).\n")
        if self.n_details:
            out.write("\n## Failures\n")
            self.details.seek(0)
            shutil.copyfileobj(self.details, out)
            if self.skipped_details:
                out.write(f"\n… and {self.skipped_details} more failures.\n")
        self.rows.close()
        self.details.close()
        out.flush()


def reporter(out: IO[str], color: bool | None = None) -> MarkdownReporter:
    return MarkdownReporter(out)
