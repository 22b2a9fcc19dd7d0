"""``corsprobe run``: many checks from a config, concurrently on one event loop.

Each check replays the browser (:func:`corsprobe.replay.replay`) through one shared
:class:`~corsprobe.net.AsyncTransport` (connections are reused), is judged against its
expectations, diagnosed by the rules, and handed as one *result* dict to every reporter at
once, as soon as it is done. Nothing keeps the results afterwards: reporters stream them
(to the terminal, to files, or to a temporary spool for formats whose header carries
counts), so memory does not grow with the number of checks.

Concurrency: ``concurrency`` workers pull checks from a lazy iterator (a check's requests are
sequential, as in the browser); at most ``per_host`` requests are in flight to one host.

Exit code (:func:`corsprobe.policy.run_exit`): 0 when every expectation is met; 1 when any check failed an
expectation; 3 when the only problems are unreachable targets (a check that could not reach
its target has no verdict, so a real failure elsewhere takes precedence).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import IO, Any, Protocol, TypeVar
from urllib.parse import urlsplit

from . import policy
from .config import Check
from .core import Connection
from .model import Exchange, HttpRequest, Trace
from .redact import Scrubber
from .report import diagnosis, verdict
from .report.model import Framework
from .version import __version__

T = TypeVar("T")
RUN_SCHEMA = "corsprobe/run/v1"


class Reporter(Protocol):
    def start(self, run: dict[str, Any]) -> None: ...
    def result(self, result: dict[str, Any]) -> None: ...
    def finish(self, summary: dict[str, Any]) -> None: ...


# -- one check ----------------------------------------------------------------------------------


async def run_one(
    check: Check, send: Callable[[HttpRequest], Any], scrub: Scrubber | None = None,
    notes: tuple[str, ...] = (), framework: Framework | None = None,
) -> dict[str, Any]:
    """One check through the core, judged against its expectations: its result dict."""
    from . import probe as probes
    from .core import diagnose_async, steps

    started = time.perf_counter()
    expect = check.expectation

    def probe(trace: Trace) -> bool:
        if check.probe == "all":
            return True
        return (check.probe == "failures" and trace.net_error is None
                and bool(policy.judge_verdict(expect, trace)) and probes.needed(trace))

    done = await diagnose_async(steps(check.spec, probe), send, notes=notes, framework=framework)
    failures = policy.judge(expect, done.trace, done.findings)
    status = ("unreachable" if done.trace.net_error is not None
              else "failed" if failures else "passed")
    report = done.data
    spec = check.spec
    result = {
        "index": check.index,
        "name": check.name,
        "group": check.group,
        "tags": list(check.tags),
        "line": check.line,
        "method": spec.method,
        "url": report["target"],
        "origin": spec.origin,
        "expect": {
            "verdict": check.expect,
            "error": check.expect_error,
            "readable": list(check.readable),
            "max_severity": check.max_severity,
        },
        "status": status,
        "failures": [f.as_dict() for f in failures],
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "report": report,
    }
    return scrub(result) if scrub is not None else result


# -- running many ----------------------------------------------------------------------------------


class Summary:
    def __init__(self, total: int) -> None:
        self.total = total
        self.done = self.passed = self.failed = self.unreachable = 0
        self.started = time.perf_counter()

    def add(self, result: dict[str, Any]) -> None:
        self.done += 1
        status = result["status"]
        if status == "passed":
            self.passed += 1
        elif status == "failed":
            self.failed += 1
        else:
            self.unreachable += 1

    @property
    def exit_code(self) -> int:
        return policy.run_exit(self.failed, self.unreachable)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.done, "passed": self.passed, "failed": self.failed,
            "unreachable": self.unreachable,
            "duration_s": round(time.perf_counter() - self.started, 3),
            "exit_code": self.exit_code,
        }


# A job turns one item into its result dict: (item, send, scrub, connection) -> result.
Job = Callable[[Any, Callable[[HttpRequest], Any], "Scrubber | None", Connection],
               Coroutine[Any, Any, dict[str, Any]]]


async def run_checks(
    checks: Iterable[Any],
    reporters: list[Reporter],
    summary: Summary,
    options: Any,
    concurrency: int = 20,
    per_host: int = 10,
    secrets: tuple[str, ...] = (),
    engine: str = "pool",
    job: Job | None = None,
    app: object = None,
) -> Summary:
    """Run ``checks`` and hand each result to every reporter as soon as it is done.

    ``job`` turns one item into its result dict (default :func:`run_one`; ``corsprobe scan``
    passes its own, and its items are scan targets).
    ``app`` (a loaded :class:`corsprobe.apps.LoadedApp`): answer in-process instead."""
    from .core import connect_async

    async with connect_async(options, app, engine) as conn:
        hosts: dict[str, asyncio.Semaphore] = {}

        async def send(request: HttpRequest) -> Exchange:
            host = urlsplit(request.url).netloc.lower()
            sem = hosts.get(host)
            if sem is None:
                sem = hosts[host] = asyncio.Semaphore(per_host)
            async with sem:
                exchange: Exchange = await conn.send(request)
                return exchange

        pending = iter(checks)
        scrub = Scrubber(secrets) if secrets else None

        async def worker() -> None:
            for check in pending:  # one shared lazy iterator: each check is taken once
                if job is not None:
                    result = await job(check, send, scrub, conn)
                else:
                    result = await run_one(check, send, scrub, conn.notes, conn.framework)
                summary.add(result)
                for r in reporters:
                    r.result(result)

        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    return summary


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``, also when this thread already runs a loop (Jupyter, Playwright's
    sync API, an async test): then the coroutine gets its own loop in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="corsprobe") as pool:
        return pool.submit(asyncio.run, coro).result()


def run(
    checks: Iterable[Any],
    total: int,
    reporters: list[Reporter],
    run_info: dict[str, Any],
    options: Any,
    concurrency: int = 20,
    per_host: int = 10,
    secrets: tuple[str, ...] = (),
    engine: str = "pool",
    job: Job | None = None,
    app: object = None,
) -> Summary:
    summary = Summary(total)
    info = {"schema": RUN_SCHEMA, "tool": {"name": "corsprobe", "version": __version__},
            "total": total, **run_info}
    for r in reporters:
        r.start(info)
    run_coroutine(run_checks(checks, reporters, summary, options, concurrency, per_host, secrets,
                             engine, job, app))
    done = summary.as_dict()
    for r in reporters:
        r.finish(done)
    return summary


# -- the JSON and terminal reporters ------------------------------------------------------------


class JsonReporter:
    """``corsprobe/run/v1``: one object; ``results`` streamed one compact line each."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.first = True

    def start(self, run: dict[str, Any]) -> None:
        head = {k: run[k] for k in ("schema", "tool", "config") if k in run}
        self.out.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "results": [\n')

    def result(self, result: dict[str, Any]) -> None:
        self.out.write(("" if self.first else ",\n") + json.dumps(result, ensure_ascii=False))
        self.first = False

    def finish(self, summary: dict[str, Any]) -> None:
        self.out.write('\n], "summary": ' + json.dumps(summary) + "}\n")
        self.out.flush()


def summary_line(summary: dict[str, Any]) -> str:
    parts = [f"{summary['passed']} passed", f"{summary['failed']} failed"]
    if summary["unreachable"]:
        parts.append(f"{summary['unreachable']} unreachable")
    noun = "check" if summary["total"] == 1 else "checks"
    return f"{summary['total']} {noun}: {', '.join(parts)} in {summary['duration_s']:.1f} s"


class TextReporter:
    """One line per check as it finishes; a failed check's diagnosis right under it."""

    def __init__(self, out: IO[str] | None = None, color: bool = False, width: int = 100) -> None:
        from rich.console import Console

        # file=None: rich writes to whatever sys.stdout is at print time, so a progress bar
        # that redirects stdout keeps these lines above itself.
        self.console = Console(file=out, force_terminal=color, no_color=not color, width=width,
                               highlight=False, emoji=False, soft_wrap=True)

    def start(self, run: dict[str, Any]) -> None:
        from rich.text import Text

        self.console.print(Text(f"corsprobe run  {run.get('config', '')}  "
                                f"{run['total']} checks", style="bold"))

    def result(self, result: dict[str, Any]) -> None:
        from rich.text import Text

        from .report import visible

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
        self.console.print(Text(summary_line(summary), style=style))


class PlainProgress:
    """For logs (stderr not a terminal): one line per finished check."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.done = 0
        self.total = 0

    def start(self, run: dict[str, Any]) -> None:
        self.total = run["total"]

    def result(self, result: dict[str, Any]) -> None:
        self.done += 1
        label = {"passed": "PASS", "failed": "FAIL", "unreachable": "UNREACHABLE"}[result["status"]]
        self.out.write(f"corsprobe: [{self.done}/{self.total}] {label} {result['name']}\n")
        self.out.flush()

    def finish(self, summary: dict[str, Any]) -> None:
        self.out.write(f"corsprobe: {summary_line(summary)}\n")
        self.out.flush()


class BarProgress:
    """A rich progress bar on stderr (a terminal); gone when the run ends."""

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


def progress_for(stdout_format: str) -> Reporter | None:
    """A bar on a terminal; plain lines in logs unless stdout already has one line per check."""
    if sys.stderr.isatty():
        return BarProgress(redirect_stdout=sys.stdout.isatty())
    if stdout_format in ("text", "github"):
        return None
    return PlainProgress(sys.stderr)
