"""``corsprobe run``: many checks from a config, concurrently on one event loop.

Each check replays the browser (:func:`corsprobe.replay.replay`) through one shared
:class:`~corsprobe.net.AsyncTransport` (connections are reused), is judged against its
expectations, diagnosed by the rules, and handed as one *result* dict to every reporter at
once, as soon as it is done (the reporters, one per format, live in :mod:`corsprobe.render`).
Nothing keeps the results afterwards: reporters stream them (to the terminal, to files, or
to a temporary spool for formats whose header carries counts), so memory does not grow with
the number of checks.

Concurrency: ``concurrency`` workers pull checks from a lazy iterator (a check's requests are
sequential, as in the browser); at most ``per_host`` requests are in flight to one host.

Exit code (:func:`exit_code`): 0 when every expectation is met; 1 when any check failed an
expectation; 3 when the only problems are unreachable targets (a check that could not reach
its target has no verdict, so a real failure elsewhere takes precedence).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from . import __version__
from .config import Check
from .errors import EXIT_FAIL, EXIT_OK, EXIT_UNREACHABLE
from .model import SEVERITY_RANK, Exchange, HttpRequest, Trace
from .render import Reporter
from .render.words import BROWSER_LABEL

T = TypeVar("T")
RUN_SCHEMA = "corsprobe/run/v1"
REDACTED = "REDACTED"


# -- judging one check ---------------------------------------------------------------------------


def judge_verdict(check: Check, trace: Trace) -> list[dict[str, str]]:
    """The expectations on the browser's verdict: allowed/blocked, the error, readable headers."""
    failures: list[dict[str, str]] = []
    browser = BROWSER_LABEL.get(check.spec.browser, "the browser")
    where = {"preflight": "at the preflight", "actual": "at the response",
             "redirect": "at a redirect"}.get(trace.blocked_at or "", "")
    error = trace.failure.error if trace.failure else None
    if check.expect == "allowed":
        if trace.allowed is False:
            failures.append({"expectation": "allowed", "message": (
                f"expected {browser} to allow it, but it blocks it {where}: {error}")})
        elif check.readable:
            if trace.allowed is None:
                failures.append({"expectation": "readable", "message": (
                    "the actual request was not sent, so the readable headers cannot be checked; "
                    "set send_actual = true")})
            else:
                readable = set(trace.readable_headers)
                for name in check.readable:
                    if name.lower() not in readable:
                        shown = ", ".join(trace.readable_headers) or "none"
                        failures.append({"expectation": "readable", "message": (
                            f"{name} is not readable from JavaScript (readable: {shown}); "
                            f"the server must send Access-Control-Expose-Headers: {name}")})
    else:
        if trace.allowed is True:
            failures.append({"expectation": "blocked", "message": (
                f"expected {browser} to block it, but it allows it")})
        elif trace.allowed is None:
            failures.append({"expectation": "blocked", "message": (
                "expected a block, but the preflight passes and the actual request was not "
                "sent; set send_actual = true to check the response too")})
        elif check.expect_error and error != check.expect_error:
            failures.append({"expectation": "expect_error", "message": (
                f"expected {check.expect_error}, but {browser} reports {error}")})
    return failures


def judge_findings(check: Check, findings: list[dict[str, Any]]) -> list[dict[str, str]]:
    if check.max_severity is None:
        return []
    limit = SEVERITY_RANK.get(check.max_severity, 0)  # "none": 0, nothing tolerated
    over = [f for f in findings if SEVERITY_RANK[f["severity"]] > limit]
    if not over:
        return []
    listed = ", ".join(f"{f['rule']} {f['name']} ({f['severity']})" for f in over)
    return [{"expectation": "max_severity", "message": (
        f"{len(over)} finding(s) above max_severity = {check.max_severity}: {listed}")}]


class Scrubber:
    """Masks every value that came from the environment, in keys and values alike."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        from .config import secret_pattern

        self.pattern = secret_pattern(secrets)

    def __call__(self, obj: Any) -> Any:
        if self.pattern is None:
            return obj
        return self._scrub(obj)

    def _scrub(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.pattern.sub(REDACTED, obj)  # type: ignore[union-attr]
        if isinstance(obj, list):
            return [self._scrub(o) for o in obj]
        if isinstance(obj, dict):
            return {self._scrub(k): self._scrub(v) for k, v in obj.items()}
        return obj


async def run_one(
    check: Check, send: Callable[[HttpRequest], Any], scrub: Scrubber | None = None,
    notes: tuple[str, ...] = (),
) -> dict[str, Any]:
    from . import probe as probe_mod
    from . import replay
    from .engine import findings as run_rules
    from .replay import drive_async
    from .report.build import build

    started = time.perf_counter()
    trace = await drive_async(replay.replay(check.spec), send)
    if trace.net_error is not None:
        failures = [{"expectation": "reachable",
                     "message": f"the target could not be reached: {trace.net_error.message}"}]
        status = "unreachable"
    else:
        failures = judge_verdict(check, trace)
        status = "failed" if failures else "passed"
    if check.probe == "all" or (check.probe == "failures" and failures
                                and probe_mod.needed(trace)):
        trace = await drive_async(probe_mod.steps(trace), send)
    found = run_rules(trace)
    report = build(trace, found, extra_notes=notes)
    if status == "passed":
        # findings are judged once the verdict holds: a finding that explains a failed
        # expectation (CORS101 for a refused origin) is not a second failure
        failures = judge_findings(check, report["findings"])
        status = "failed" if failures else "passed"
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
        "failures": failures,
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
        return exit_code(self.failed, self.unreachable)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.done, "passed": self.passed, "failed": self.failed,
            "unreachable": self.unreachable,
            "duration_s": round(time.perf_counter() - self.started, 3),
            "exit_code": self.exit_code,
        }


def exit_code(failed: int, unreachable: int) -> int:
    if failed:
        return EXIT_FAIL
    if unreachable:
        return EXIT_UNREACHABLE
    return EXIT_OK


Job = Callable[[Any, Callable[[HttpRequest], Any], "Scrubber | None"],
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
    from .net import AsyncAppTransport, AsyncTransport

    transport: Any = (AsyncAppTransport(app, options) if app is not None
                      else AsyncTransport(options, engine=engine))
    hosts: dict[str, asyncio.Semaphore] = {}

    async def send(request: HttpRequest) -> Exchange:
        host = urlsplit(request.url).netloc.lower()
        sem = hosts.get(host)
        if sem is None:
            sem = hosts[host] = asyncio.Semaphore(per_host)
        async with sem:
            return await transport.send(request)

    pending = iter(checks)
    scrub = Scrubber(secrets) if secrets else None
    from .api import transport_notes

    notes = transport_notes(options)

    async def worker() -> None:
        for check in pending:  # one shared lazy iterator: each check is taken once
            if job is not None:
                result = await job(check, send, scrub)
            else:
                result = await run_one(check, send, scrub, notes)
            summary.add(result)
            for r in reporters:
                r.result(result)

    try:
        await asyncio.gather(*(worker() for _ in range(max(1, concurrency))))
    finally:
        await transport.aclose()
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
