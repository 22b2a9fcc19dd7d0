"""GitHub Actions output for ``corsprobe run``.

Each failed or unreachable check is an ``::error`` workflow command, attached to the line of
the config file that declares the check (so it shows up in the pull request's diff and the
job's annotations); passing checks are plain log lines. When ``GITHUB_STEP_SUMMARY`` names a
file, the Markdown summary (:mod:`.markdown`) is appended to it.
"""

from __future__ import annotations

import os
from typing import IO, Any

from ..report.words import diagnosis, verdict
from .markdown import MarkdownReporter


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GitHubReporter:
    def __init__(self, out: IO[str], summary_path: str | None = None) -> None:
        self.out = out
        self.config = ""
        self.shard = ""
        path = summary_path if summary_path is not None else os.environ.get("GITHUB_STEP_SUMMARY")
        self.summary_file: IO[str] | None = None
        self.markdown: MarkdownReporter | None = None
        if path:
            self.summary_file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in finish
            self.markdown = MarkdownReporter(self.summary_file)

    def start(self, run: dict[str, Any]) -> None:
        self.config = str(run.get("config", "")).replace("\\", "/")
        shard = run.get("shard")
        self.shard = f" (shard {shard['index']}/{shard['count']})" if shard else ""
        if self.markdown:
            self.markdown.start(run)

    def result(self, result: dict[str, Any]) -> None:
        if self.markdown:
            self.markdown.result(result)
        if result["status"] == "passed":
            self.out.write(f"✓ {result['name']}: {verdict(result['report'])}\n")
            return
        props = []
        if self.config:
            props.append(f"file={escape_property(self.config)}")
            if result.get("line"):
                props.append(f"line={result['line']}")
        suffix = " (unreachable)" if result["status"] == "unreachable" else ""
        props.append(f"title={escape_property('corsprobe: ' + result['name'] + suffix)}")
        message = escape_data("\n".join(diagnosis(result)))
        self.out.write(f"::error {','.join(props)}::{message}\n")

    def finish(self, summary: dict[str, Any]) -> None:
        parts = [f"{summary['passed']} passed", f"{summary['failed']} failed"]
        if summary["unreachable"]:
            parts.append(f"{summary['unreachable']} unreachable")
        self.out.write(f"corsprobe: {summary['total']} checks{self.shard}: {', '.join(parts)}\n")
        self.out.flush()
        if self.markdown and self.summary_file:
            self.markdown.finish(summary)
            self.summary_file.write("\n")
            self.summary_file.close()


def reporter(out: IO[str], color: bool | None = None) -> GitHubReporter:
    return GitHubReporter(out)
