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
A flow (``[[flows]]``) is one item: one worker runs its steps in order with one cookie jar
(:class:`corsprobe.jar.Jar`, in memory) that keeps what the browser model stores, and hands
each step's result on as it is done; flows run alongside each other and the plain checks.

Exit code (:func:`corsprobe.policy.run_exit`): 0 when every expectation is met; 1 when any check failed an
expectation; 3 when the only problems are unreachable targets (a check that could not reach
its target has no verdict, so a real failure elsewhere takes precedence).
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from . import policy
from .config import Check
from .fetch.urls import InvalidInput, parse_url
from .model import Exchange, HttpRequest, Trace
from .redact import Scrubber
from .render import Reporter
from .version import __version__

if TYPE_CHECKING:  # (the event loop and the core are imported where a check runs: with
    # worker processes, after the fork, not before it)
    import asyncio

    from .core import Connection
    from .jar import Jar
    from .report.model import Framework
    from .workers import Children

T = TypeVar("T")
_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")  # urlsplit's netloc
RUN_SCHEMA = "corsprobe/run/v1"
# what every result says first; enough for the progress lines and the summary
HEADLINE = ("index", "name", "group", "status", "flow")


# -- one check ----------------------------------------------------------------------------------


async def run_one(
    check: Check, send: Callable[[HttpRequest], Any], scrub: Scrubber | None = None,
    notes: tuple[str, ...] = (), framework: Framework | None = None,
    jar: Jar | None = None, secrets: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One check through the core, judged against its expectations: its result dict.

    ``jar`` (a flow's step): its cookies for the URL go on the actual credentialed request,
    what the browser stores is kept in it, and its values are masked (with ``secrets``)."""
    from .core import diagnose_async, steps

    started = time.perf_counter()
    expect = check.expectation
    spec = check.spec
    if jar is not None:
        spec, jar_notes = _from_jar(spec, jar)
        notes = (*notes, *jar_notes)

    def probe(trace: Trace) -> bool:
        if check.probe == "all":
            return True
        if (check.probe != "failures" or trace.net_error is not None
                or not policy.judge_verdict(expect, trace)):
            return False
        from .probe import needed  # imported by the first check that may probe

        return needed(trace)

    done = await diagnose_async(steps(spec, probe), send, notes=notes, framework=framework)
    failures = policy.judge(expect, done.trace, done.findings)
    status = ("unreachable" if done.trace.net_error is not None
              else "failed" if failures else "passed")
    report = done.data
    if jar is not None:
        report["notes"] = [*report["notes"], *_into_jar(done.trace, jar)]
        scrub = Scrubber((*secrets, *jar.values()))
    expected: dict[str, Any] = {
        "verdict": check.expect,
        "error": check.expect_error,
        "readable": list(check.readable),
        "max_severity": check.max_severity,
    }
    if check.expect_status:
        expected["status"] = list(check.expect_status)
    result = {
        "index": check.index,
        "name": check.name,
        "group": check.group,
        "tags": list(check.tags),
        "line": check.line,
        "method": spec.method,
        "url": report["target"],
        "origin": spec.origin,
        "expect": expected,
        "status": status,
        "failures": [f.as_dict() for f in failures],
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "report": report,
    }
    if check.flow is not None:
        result["flow"] = check.flow
    return scrub(result) if scrub is not None else result


def _from_jar(spec: Any, jar: Jar) -> tuple[Any, tuple[str, ...]]:
    """``spec`` with the flow's jar's cookies for its URL (on the actual request, with
    credentials, as the browser sends them), and a note naming them (never their values)."""
    sent = jar.for_url(spec.url)
    if sent.header is None:
        return spec, ((f"flow: no cookie in the flow's jar matches the URL ({len(jar)} in it)"
                       if len(jar) else "flow: the flow's jar is empty"),)
    names = ", ".join(sent.names)
    if not spec.credentials:
        return spec, (f"flow: cookie(s) {names} in the flow's jar match the URL but are not "
                      "sent: without credentials = true (credentials: 'include') fetch() sends "
                      "no cookies cross-origin",)
    return (dataclasses.replace(spec, cookies=(*spec.cookies, ("Cookie", sent.header))),
            (f"flow: the browser's jar sends cookie(s) {names} on the actual request (never "
             "on the preflight)",))


def _into_jar(trace: Trace, jar: Jar) -> list[str]:
    """Keep in the flow's jar what the browser stores from ``trace``; notes say so."""
    written = jar.store(trace)
    notes = []
    if written.stored:
        notes.append(f"flow: the jar keeps cookie(s) {', '.join(written.stored)}, which the "
                     "browser stores, for the next steps")
    if written.refused:
        notes.append(f"flow: the jar does not keep cookie(s) {', '.join(written.refused)}: "
                     "the browser refuses them (see Cookies)")
    return notes


async def run_flow(
    steps: list[Check], send: Callable[[HttpRequest], Any], emit: Callable[[dict[str, Any]], None],
    secrets: tuple[str, ...] = (), notes: tuple[str, ...] = (),
    framework: Framework | None = None, options: Any = None, resolve_spaces: bool = False,
    spaces: dict[Any, Any] | None = None,
) -> None:
    """A flow's steps in order, sharing one cookie jar; each result is emitted when done.
    ``spaces``: the run's memo of address spaces (see :func:`_address_spaces`)."""
    from .jar import Jar

    jar = Jar()
    for step in steps:
        step_notes = notes
        if resolve_spaces:
            step, found = await _address_spaces(step, options, {} if spaces is None else spaces)
            step_notes = (*found, *notes)
        emit(await run_one(step, send, None, step_notes, framework, jar, secrets))


def units(checks: Iterable[Any]) -> Iterator[Any]:
    """``checks`` with each flow's steps (consecutive, in order) gathered into one list."""
    flow: list[Any] = []
    for check in checks:
        name = getattr(check, "flow", None)
        if flow and flow[0].flow != name:
            yield flow
            flow = []
        if name is None:
            yield check
        else:
            flow.append(check)
    if flow:
        yield flow


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
Job = Callable[[Any, Callable[[HttpRequest], Any], "Scrubber | None", "Connection"],
               Coroutine[Any, Any, dict[str, Any]]]


async def _run_all(
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
    remote: Children | None = None,
) -> Summary:
    """Run ``checks`` and hand each result to every reporter as soon as it is done.

    ``job`` turns one item into its result dict (default :func:`run_one`; ``corsprobe scan``
    passes its own, and its items are scan targets).
    ``app`` (a loaded :class:`corsprobe.apps.LoadedApp`): answer in-process instead.
    ``remote``: worker processes whose results are handed on too, as they arrive."""
    import asyncio

    from .core import connect_async

    async with connect_async(options, app, engine) as conn:
        hosts: dict[str, asyncio.Semaphore] = {}

        async def send(request: HttpRequest) -> Exchange:
            found = _AUTHORITY.match(request.url)  # (a URL the replay made: it has one)
            host = (found[1] if found else urlsplit(request.url).netloc).lower()
            sem = hosts.get(host)
            if sem is None:
                sem = hosts[host] = asyncio.Semaphore(per_host)
            async with sem:
                exchange: Exchange = await conn.send(request)
                return exchange

        pending = units(checks) if job is None else iter(checks)
        scrub = Scrubber(secrets) if secrets else None
        spaces: dict[Any, Any] = {}

        def emit(result: dict[str, Any]) -> None:
            summary.add(result)
            for r in reporters:
                r.result(result)

        async def worker() -> None:
            for check in pending:  # one shared lazy iterator: each check is taken once
                if isinstance(check, list):  # a flow: its steps in order, one jar
                    await run_flow(check, send, emit, secrets, conn.notes, conn.framework,
                                   options, resolve_spaces=app is None, spaces=spaces)
                    continue
                if job is not None:
                    result = await job(check, send, scrub, conn)
                else:
                    notes = conn.notes
                    if app is None:  # Local Network Access: the spaces of names, resolved
                        check, found = await _address_spaces(check, options, spaces)
                        notes = (*found, *notes)
                    result = await run_one(check, send, scrub, notes, conn.framework)
                emit(result)

        tasks = [worker() for _ in range(max(1, concurrency))]
        if remote is not None:
            tasks.append(remote.pump(emit))
        await asyncio.gather(*tasks)
    return summary


async def _address_spaces(check: Any, options: Any, memo: dict[Any, Any]
                          ) -> tuple[Any, tuple[str, ...]]:
    """``check`` with the spaces of its page and target filled in (:func:`core.address_spaces`,
    which may ask DNS: in a thread, off the event loop). They depend only on the page origin,
    the target's origin and the spaces given, so each combination is worked out once per run
    (``memo``, of tasks): a config of many checks names a few hosts."""
    spec = check.spec
    try:
        key = (spec.origin, parse_url(spec.url).origin, spec.page_space, spec.target_space)
    except InvalidInput:  # replay reports the usage error
        key = None
    # the first check of a combination asks; the checks that start while it waits (one per
    # slot at the start of a run) wait for its answer instead of asking again
    known = memo.get(key) if key is not None else None
    if known is None:
        known = _spaces_of(spec, options)
        if key is not None:
            memo[key] = known
    page_space, target_space, notes = await known
    if (page_space, target_space) != (spec.page_space, spec.target_space):
        spec = dataclasses.replace(spec, page_space=page_space, target_space=target_space)
    return (dataclasses.replace(check, spec=spec) if spec is not check.spec else check), notes


def _spaces_of(spec: Any, options: Any) -> asyncio.Task[tuple[str | None, str | None,
                                                                tuple[str, ...]]]:
    """A task working out :func:`core.address_spaces` of ``spec`` in a thread: its page's
    and target's spaces, and the notes."""
    import asyncio

    from .core import address_spaces

    async def work_out() -> tuple[str | None, str | None, tuple[str, ...]]:
        done, notes = await asyncio.to_thread(address_spaces, spec, options)
        return done.page_space, done.target_space, notes

    return asyncio.ensure_future(work_out())


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``, also when this thread already runs a loop (Jupyter, Playwright's
    sync API, an async test): then the coroutine gets its own loop in a worker thread."""
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="corsprobe") as pool:
        return pool.submit(asyncio.run, coro).result()


def run_all(
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
    jobs: int = 1,
) -> Summary:
    """Run every check (or ``job`` item), streaming each result to the reporters.
    ``jobs`` > 1: in that many processes, this one and ``jobs`` - 1 workers
    (:mod:`corsprobe.workers`) forked before any reporter starts."""
    summary = Summary(total)
    info = {"schema": RUN_SCHEMA, "tool": {"name": "corsprobe", "version": __version__},
            "total": total, **run_info}
    from .collector import settle

    settle()  # what exists now lives for the whole run: frozen, before any fork
    if jobs <= 1:
        for r in reporters:
            r.start(info)
        run_coroutine(_run_all(checks, reporters, summary, options, concurrency, per_host,
                               secrets, engine, job, app))
    else:
        from . import workers
        from .render.run import encode_result

        queue = workers.WorkQueue(total)  # (flows are one item: fewer items than checks)

        def part(j: int, reporters: list[Reporter], summary: Summary,
                 remote: workers.Children | None = None) -> Coroutine[Any, Any, Summary]:
            # each process walks the (lazy, forked) items and takes those the queue gives
            # it: none holds them all
            items = units(checks) if job is None else iter(checks)
            return _run_all(queue.take(items), reporters, summary, options,
                            workers.share(concurrency, jobs, j), workers.share(per_host, jobs, j),
                            secrets, engine, job, app, remote)

        def child(j: int, send: Callable[[dict[str, Any]], None]) -> None:
            run_coroutine(part(j, [_Sender(send)], Summary(0)))

        light = all(_headline_only(r) for r in reporters)
        try:
            # this process is one of the jobs: it runs checks too, and reads the others'
            # results on the same event loop
            children = workers.fork(jobs - 1, child, encode_result,
                                    HEADLINE if light else None, first=1)
            try:
                for r in reporters:
                    r.start(info)
                run_coroutine(part(0, reporters, summary, children))
            except BaseException:  # Ctrl-C, a reporter failing, a check raising
                children.kill()
                raise
            children.reap()  # a child's failure is raised once every process is done
        finally:
            queue.close()
    done = summary.as_dict()
    for r in reporters:
        r.finish(done)
    return summary


def _headline_only(reporter: Reporter) -> bool:
    """Whether ``reporter`` reads no more of a passed result than its headline."""
    keys = getattr(reporter, "passing_keys", None)
    return keys is not None and keys <= set(HEADLINE)


class _Sender:
    """A worker process's one reporter: each result goes to the parent."""

    def __init__(self, send: Callable[[dict[str, Any]], None]) -> None:
        self.result = send

    def start(self, run: dict[str, Any]) -> None:
        pass

    def finish(self, summary: dict[str, Any]) -> None:
        pass
