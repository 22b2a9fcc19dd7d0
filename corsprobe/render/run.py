"""``corsprobe run`` results as they arrive: the terminal lines, the ``corsprobe/run/v1``
JSON stream (also ``corsprobe/scan/v1``), and the progress shown on stderr.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from ..report.words import diagnosis, verdict, visible
from . import FORMATS, Reporter


def text_reporter(out: IO[str], color: bool | None = None) -> Reporter:
    use_color = out.isatty() if color is None else color
    # None: rich writes to whatever sys.stdout is at print time (see TextReporter)
    return TextReporter(None if out is sys.stdout else out, color=use_color)


def json_reporter(out: IO[str], color: bool | None = None) -> Reporter:
    return JsonReporter(out)


# one encoder for every result (json.dumps with options builds one per call); a result is a
# tree of dicts and lists, never a cycle, so no set of the containers seen is kept
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def encode_result(result: dict[str, Any]) -> str:
    """One result as the JSON stream prints it: one compact line, UTF-8 as it is."""
    return _ENCODER.encode(result)


class JsonReporter:
    """``corsprobe/run/v1``: one object; ``results`` streamed one compact line each."""

    passing_keys = frozenset[str]()  # a worker's result comes with its text

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.first = True

    def start(self, run: dict[str, Any]) -> None:
        head = {k: run[k] for k in ("schema", "tool", "config", "shard") if k in run}
        self.out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "results": [\n')

    def result(self, result: dict[str, Any]) -> None:
        # a worker process's result comes encoded already (corsprobe.workers.Encoded)
        text = getattr(result, "json", None) or encode_result(result)
        self.out.write(("" if self.first else ",\n") + text)
        self.first = False

    def finish(self, summary: dict[str, Any]) -> None:
        self.out.write('\n], "summary": ' + json.dumps(summary) + "}\n")
        self.out.flush()


def shard_label(run: dict[str, Any]) -> str:
    """``"shard 2/3"`` for a run of ``--shard 2/3``, else ``""``."""
    shard = run.get("shard")
    return f"shard {shard['index']}/{shard['count']}" if shard else ""


def run_title(run: dict[str, Any]) -> str:
    """The header of a run: the command, the config, the count (and the shard, the merge)."""
    if run.get("merged"):
        return (f"corsprobe merge  {run.get('config', '')}  {run['total']} checks "
                f"from {run['merged']} files")
    shard = run.get("shard")
    if shard:
        return (f"corsprobe run  {run.get('config', '')}  shard {shard['index']}/"
                f"{shard['count']}: {run['total']} of {shard['total']} checks")
    return f"corsprobe run  {run.get('config', '')}  {run['total']} checks"


def summary_line(summary: dict[str, Any], shard: str = "") -> str:
    parts = [f"{summary['passed']} passed", f"{summary['failed']} failed"]
    if summary["unreachable"]:
        parts.append(f"{summary['unreachable']} unreachable")
    noun = "check" if summary["total"] == 1 else "checks"
    where = f" ({shard})" if shard else ""
    return f"{summary['total']} {noun}{where}: {', '.join(parts)} in {summary['duration_s']:.1f} s"


class TextReporter:
    """One line per check as it finishes; a failed check's diagnosis right under it."""

    def __init__(self, out: IO[str] | None = None, color: bool = False, width: int = 100) -> None:
        from rich.console import Console

        # file=None: rich writes to whatever sys.stdout is at print time, so a progress bar
        # that redirects stdout keeps these lines above itself.
        self.console = Console(file=out, force_terminal=color, no_color=not color, width=width,
                               highlight=False, emoji=False, soft_wrap=True)
        self.shard = ""

    def start(self, run: dict[str, Any]) -> None:
        from rich.text import Text

        self.shard = shard_label(run)
        self.console.print(Text(run_title(run), style="bold"))

    def result(self, result: dict[str, Any]) -> None:
        from rich.text import Text

        result = visible(result)
        status = result["status"]
        mark, style = {"passed": ("✓", "green"), "failed": ("✗", "bold red"),
                       "unreachable": ("!", "yellow")}[status]
        line = Text(f"{mark} ", style=style)
        line.append(result["name"], style="bold" if status != "passed" else "")
        line.append(f"  {verdict(result['report'])}", style="dim" if status == "passed" else style)
        line.append(f"  {result['duration_ms']:.0f} ms", style="dim")
        self.console.print(line)
        if status != "passed":
            for text in diagnosis(result):
                self.console.print(Text(f"    {text}", style="dim" if text.startswith(
                    ("request:", "  fix:")) else ""))

    def finish(self, summary: dict[str, Any]) -> None:
        from rich.text import Text

        style = "bold green" if summary["exit_code"] == 0 else "bold red"
        self.console.print(Text(summary_line(summary, self.shard), style=style))


PROGRESS_EVERY = 5.0  # seconds between two progress lines in a log
LABEL = {"passed": "PASS", "failed": "FAIL", "unreachable": "UNREACHABLE"}


class PlainProgress:
    """For logs (stderr not a terminal), as pytest does without ``-v``: each failed or
    unreachable check in full as it comes, a progress line at most every ``interval``
    seconds, and the summary. ``verbose`` (``corsprobe run -v``): one line per check instead
    of the progress lines. ``clock`` is injectable for tests."""

    passing_keys = frozenset({"status", "name"})

    def __init__(self, out: IO[str], verbose: bool = False, interval: float = PROGRESS_EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.out = out
        self.verbose = verbose
        self.interval = interval
        self.clock = clock
        self.done = self.total = self.failed = self.unreachable = 0
        self.shard = ""
        self.last = 0.0

    def start(self, run: dict[str, Any]) -> None:
        self.total = run["total"]
        self.shard = shard_label(run)
        self.last = self.clock()
        where = f" from {run['config']}" if run.get("config") else ""
        shard = f" ({self.shard} of {run['shard']['total']})" if self.shard else ""
        self.write(f"corsprobe: {self.total} {'check' if self.total == 1 else 'checks'}"
                   f"{where}{shard}")

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def result(self, result: dict[str, Any]) -> None:
        self.done += 1
        status = result["status"]
        if status == "failed":
            self.failed += 1
        elif status == "unreachable":
            self.unreachable += 1
        line = f"corsprobe: [{self.done}/{self.total}] {LABEL[status]} {visible(result['name'])}"
        if status != "passed":
            self.write("\n".join([line, *(f"    {text}" for text in diagnosis(visible(result)))]))
        elif self.verbose:
            self.write(line)
        if not self.verbose and self.done < self.total:
            now = self.clock()
            if now - self.last >= self.interval:
                self.last = now
                counts = f"{self.failed} failed" + (f", {self.unreachable} unreachable"
                                                    if self.unreachable else "")
                self.write(f"corsprobe: {self.done}/{self.total} done, {counts}")

    def finish(self, summary: dict[str, Any]) -> None:
        self.write(f"corsprobe: {summary_line(summary, self.shard)}")


class BarProgress:
    """A rich progress bar on stderr (a terminal); gone when the run ends."""

    passing_keys = frozenset({"status"})

    def __init__(self, redirect_stdout: bool) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]checks"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True,
            redirect_stdout=redirect_stdout, redirect_stderr=False,
        )
        self.task: Any = None
        self.counts = {"passed": 0, "failed": 0, "unreachable": 0}

    def start(self, run: dict[str, Any]) -> None:
        self.progress.start()
        self.task = self.progress.add_task("checks", total=run["total"], status="")

    def result(self, result: dict[str, Any]) -> None:
        self.counts[result["status"]] += 1
        c = self.counts
        status = f"[green]{c['passed']} passed[/] [red]{c['failed']} failed[/]"
        if c["unreachable"]:
            status += f" [yellow]{c['unreachable']} unreachable[/]"
        self.progress.update(self.task, advance=1, status=status)

    def finish(self, summary: dict[str, Any]) -> None:
        self.progress.stop()


def progress_for(stdout_format: str, verbose: bool = False,
                 interval: float = PROGRESS_EVERY) -> Reporter | None:
    """A bar on a terminal; in logs, unless stdout already has one line per check, the
    failures, a progress line every ``interval`` seconds (``verbose``: a line per check)."""
    if sys.stderr.isatty():
        return BarProgress(redirect_stdout=sys.stdout.isatty())
    if FORMATS[stdout_format].line_per_result:
        return None
    return PlainProgress(sys.stderr, verbose, interval)
