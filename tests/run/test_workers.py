"""`corsprobe run --jobs N`: the checks of a config in N forked worker processes
(corsprobe.workers), with the same results, summary and exit code as one process.

Real forks and the real loopback server of tests/run/conftest.py; nothing is mocked.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time

import pytest

from corsprobe import workers

from .conftest import APP, run_cli
from .test_shard import mixed_config, without_timings

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="worker processes are forked on Linux only")


def test_jobs_for_one_per_cpu_for_big_configs_within_the_limits():
    cpus = workers.usable_cpus()
    assert workers.jobs_for(None, 10, 20, 10) == 1  # too few checks to be worth a fork
    assert workers.jobs_for(None, 100_000, 20, 10) == min(cpus, workers.MAX_JOBS)
    assert workers.jobs_for(4, 10, 20, 10) == 4  # asked for: given
    assert workers.jobs_for(4, 3, 20, 10) == 3  # never more processes than checks
    assert workers.jobs_for(4, 1000, 20, 2) == 2  # each process needs a request to a host
    assert workers.jobs_for(4, 1000, 3, 10) == 3  # ... and a check in flight
    assert workers.jobs_for(4, 1000, 20, 10, app=object()) == 1  # an in-process app: one


@pytest.mark.parametrize("total,jobs", [(20, 2), (10, 3), (7, 7), (1, 1), (5, 4)])
def test_the_limits_are_shared_never_multiplied(total, jobs):
    parts = [workers.share(total, jobs, j) for j in range(jobs)]
    assert sum(parts) == total and min(parts) >= total // jobs >= 1


def _read(children, emit):
    """Read ``children``'s results as run_all does: Children.pump on an event loop
    (run_coroutine: this thread may already run one, as the browser suite's Playwright
    does), Children.kill if the parent raised meanwhile, else Children.reap (a child's
    failure is raised once every child is done)."""
    from corsprobe.runner import run_coroutine

    try:
        run_coroutine(children.pump(emit))
    except BaseException:
        children.kill()
        raise
    children.reap()


def _gathered(children, got=None):
    """Every result of ``children``, in the order it arrived (also in ``got``, which keeps
    them when a child's failure is raised)."""
    got = [] if got is None else got
    _read(children, got.append)
    return got


def _results(j, send):
    for item in range(j, 25, 3):
        send({"item": item, "pid": os.getpid()})


def test_every_item_runs_once_in_a_child_process():
    got = _gathered(workers.fork(3, _results))
    assert sorted(r["item"] for r in got) == list(range(25))
    pids = {r["pid"] for r in got}
    assert len(pids) == 3 and os.getpid() not in pids


def _queue_taker(queue, items, delay=0.0):
    def child(j, send):
        for item in queue.take(iter(range(items))):
            send({"item": item, "child": j})
            if j == 0 and delay:
                time.sleep(delay)
    return child


@pytest.mark.parametrize("items", [0, 1, 30, 20_000])  # 20,000: chunks of 3 items
def test_the_queue_hands_every_item_to_one_child_in_order(items):
    queue = workers.WorkQueue(items)
    try:
        got = _gathered(workers.fork(3, _queue_taker(queue, items)))
    finally:
        queue.close()
    assert sorted(r["item"] for r in got) == list(range(items))
    for j in range(3):  # each child's items come in the order of the sequence
        mine = [r["item"] for r in got if r["child"] == j]
        assert mine == sorted(mine)


def test_a_slow_child_takes_fewer_items_from_the_queue():
    """A child held up (as by the parent or the server on its core) leaves the rest to the
    others: a static split would give it a third."""
    queue = workers.WorkQueue(60)
    try:
        got = _gathered(workers.fork(3, _queue_taker(queue, 60, delay=0.05)))
    finally:
        queue.close()
    assert sorted(r["item"] for r in got) == list(range(60))
    assert sum(r["child"] == 0 for r in got) < 10


def _fails_on_seven(j, send):
    for item in range(j, 12, 2):
        if item == 7:
            raise ValueError("item 7 is bad")
        send({"item": item})


def test_a_failing_child_is_raised_in_the_parent_after_the_others():
    results = []
    with pytest.raises(ValueError, match="item 7 is bad"):
        _gathered(workers.fork(2, _fails_on_seven), results)
    got = [r["item"] for r in results]
    assert set(range(0, 12, 2)) <= set(got)  # the other child finished its part


def _sleeps(j, send):
    send({"pid": os.getpid()})
    time.sleep(60)


def test_stopping_the_reading_early_ends_the_children():
    class Enough(Exception):
        pass

    got = []

    def emit(result):
        got.append(result)
        if len(got) == 2:
            raise Enough  # what a reporter's failure or Ctrl-C in the parent does

    started = time.perf_counter()
    with pytest.raises(Enough):
        _read(workers.fork(2, _sleeps), emit)
    assert time.perf_counter() - started < 10  # the children (asleep for 60 s) were ended
    pids = {r["pid"] for r in got}
    for pid in pids:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # killed and already reaped


def _config(base: str) -> str:
    flow = f'''
[[flows]]
name = "session"
origin = "{APP}"
credentials = false

[[flows.steps]]
name = "first"
url = "/ok/one"

[[flows.steps]]
name = "second"
url = "/ok/two"
method = "PUT"
headers = {{ "Content-Type" = "application/json" }}
'''
    many = "".join(f'''
[[checks]]
name = "many {i}"
url = "/ok/{i}"
origin = "{APP}"
method = "DELETE"
''' for i in range(12))
    return mixed_config(base) + flow + many


def test_three_workers_give_what_one_process_gives_check_for_check(base, write, tmp_path):
    write(_config(base))
    one = run_cli("--format", "json", "--jobs", "1", "--junit", "one.xml", cwd=tmp_path)
    three = run_cli("--format", "json", "--jobs", "3", "--concurrency", "6", "--junit",
                    "three.xml", cwd=tmp_path)
    assert one.code == three.code == 1, three.err
    a, b = json.loads(one.out), json.loads(three.out)
    by_index = sorted(b["results"], key=lambda r: r["index"])
    assert without_timings(by_index) == without_timings(
        sorted(a["results"], key=lambda r: r["index"]))
    assert {k: v for k, v in b["summary"].items() if k != "duration_s"} == \
        {k: v for k, v in a["summary"].items() if k != "duration_s"}
    assert len(b["results"]) == 11 + 2 + 12
    # a flow is one item: its steps run in one process, in order
    steps = [r["name"] for r in b["results"] if r.get("flow") == "session"]
    assert steps == ["session › first", "session › second"]
    xml = (tmp_path / "three.xml").read_text(encoding="utf-8")
    assert xml.count("<testcase ") == 25 and 'failures="' in xml


def test_a_small_config_runs_in_one_process_unless_asked(base, write, tmp_path):
    write(mixed_config(base))
    ran = run_cli("--format", "json", "--jobs", "2", cwd=tmp_path)
    assert ran.code == 1 and len(json.loads(ran.out)["results"]) == 11, ran.err


def test_when_only_the_json_stream_reads_results_passed_ones_are_not_decoded(base, write,
                                                                           tmp_path):
    """``--format json`` in a log: the stream writes each worker's text and the progress
    lines read only a passed result's headline, so the parent does not decode those; the
    output is still one process's, and failures are still shown in full on stderr."""
    from corsprobe.render.run import JsonReporter, PlainProgress
    from corsprobe.runner import _headline_only

    assert _headline_only(JsonReporter(None)) and _headline_only(PlainProgress(None))  # type: ignore[arg-type]
    write(_config(base))
    one = run_cli("--format", "json", "--jobs", "1", cwd=tmp_path)
    three = run_cli("--format", "json", "--jobs", "3", "--concurrency", "6", cwd=tmp_path)
    assert one.code == three.code == 1, three.err
    a, b = json.loads(one.out), json.loads(three.out)
    assert without_timings(sorted(b["results"], key=lambda r: r["index"])) == without_timings(
        sorted(a["results"], key=lambda r: r["index"]))
    assert all(len(r) >= 12 for r in b["results"])  # whole results, not headlines

    def failures(err):  # each failed or unreachable check's block, in any order
        return sorted(re.sub(r"\[\d+/\d+\] ", "", block)
                      for block in re.split(r"\n(?=corsprobe: )", err)
                      if " FAIL " in block or " UNREACHABLE " in block)

    assert failures(three.err) == failures(one.err) and failures(one.err)
    assert three.err.strip().splitlines()[-1].split(" in ")[0] == \
        one.err.strip().splitlines()[-1].split(" in ")[0]


_BEFORE_FORK = r'''
import sys
import corsprobe.workers as workers

def fork(*args, **kwargs):  # what the parent has imported when it forks
    print(" ".join(sorted(sys.modules)))
    raise SystemExit(0)

workers.fork = fork
from corsprobe.cli import main
sys.argv = ["corsprobe", "run", "--config", sys.argv[1], "--format", "json", "--jobs", "2"]
main()
'''


def test_the_parent_forks_before_importing_what_only_the_workers_need(tmp_path):
    """The event loop, the network layer and the core are imported by each worker, in
    parallel, not by the parent before it forks (that part of a run is serial)."""
    import subprocess

    checks = "".join(f'[[checks]]\nurl = "/u/{i}"\n' for i in range(3))
    config = tmp_path / "corsprobe.toml"
    config.write_text(f'base_url = "http://127.0.0.1:9"\norigin = "{APP}"\n{checks}',
                      encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _BEFORE_FORK, str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    modules = set(done.stdout.split())
    assert {"corsprobe.config", "corsprobe.runner", "corsprobe.workers"} <= modules
    assert not modules & {"asyncio", "corsprobe.core", "corsprobe.rules", "corsprobe.net.pool",
                          "corsprobe.net.record", "httpx", "h11", "idna"}


_AFTER_RUN = r'''
import atexit, sys
atexit.register(lambda: print(" ".join(sorted(sys.modules))))
from corsprobe.cli import main
sys.argv = ["corsprobe", "run", "--config", sys.argv[1], "--format", "json", "--jobs", "1"]
main()
'''


def test_a_run_imports_only_what_its_checks_use(base, tmp_path):
    """Each process pays its imports: a run that sends no probe, loads no in-process app and
    names hosts in ASCII imports neither the probes, nor the app loader, nor IDNA."""
    import subprocess

    config = tmp_path / "corsprobe.toml"
    config.write_text(f'base_url = "{base}"\norigin = "{APP}"\nprobe = "failures"\n'
                      '[[checks]]\nurl = "/ok"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", _AFTER_RUN, str(config)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    modules = set(done.stdout.strip().splitlines()[-1].split())  # after the JSON report
    assert {"corsprobe.core", "corsprobe.rules", "corsprobe.runner"} <= modules
    assert not modules & {"corsprobe.probe", "corsprobe.apps", "idna", "encodings.idna"}


# -- the parent is one of the jobs: it runs items too, and hands on the others' results ------

class _Kept:
    """A reporter that keeps what it is given (and fails at the n-th result if asked)."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.results, self.fail_at, self.done = [], fail_at, None

    def start(self, run):
        pass

    def result(self, result):
        self.results.append(dict(result))
        if self.fail_at is not None and len(self.results) == self.fail_at:
            raise RuntimeError("the reporter broke")

    def finish(self, summary):
        self.done = summary


def _job(slow=0.0, bad=None):
    async def job(item, send, scrub, conn):
        import asyncio

        if item == bad:
            raise ValueError(f"item {item} is bad")
        await asyncio.sleep(slow)
        return {"index": item, "name": f"i{item}", "status": "passed", "pid": os.getpid()}

    return job


def _run(items, jobs, reporter, job, concurrency=4):
    from corsprobe.net import TransportOptions
    from corsprobe.runner import run_all

    return run_all(range(items), items, [reporter], {}, TransportOptions(), job=job,
                   concurrency=concurrency, per_host=concurrency, jobs=jobs)


def test_the_parent_runs_items_too_and_hands_on_every_result_once():
    kept = _Kept()
    summary = _run(60, 3, kept, _job(slow=0.01))
    assert sorted(r["index"] for r in kept.results) == list(range(60))
    pids = {r["pid"] for r in kept.results}
    assert os.getpid() in pids and len(pids) == 3  # the parent and two children
    assert summary.passed == 60 and kept.done["total"] == 60


def _forked(monkeypatch):
    """The children of the next run_all, as it forks them."""
    seen = []
    fork = workers.fork

    def recording(*args, **kwargs):
        seen.append(fork(*args, **kwargs))
        return seen[-1]

    monkeypatch.setattr(workers, "fork", recording)
    return seen


def _failing_in_children():
    parent = os.getpid()

    async def job(item, send, scrub, conn):
        import asyncio

        if os.getpid() != parent:
            raise ValueError(f"item {item} is bad")
        await asyncio.sleep(0.01)
        return {"index": item, "name": f"i{item}", "status": "passed"}

    return job


def test_a_failing_child_is_raised_once_the_parent_is_done(monkeypatch):
    kept = _Kept()
    with pytest.raises(ValueError, match="is bad"):
        _run(40, 2, kept, _failing_in_children(), concurrency=2)
    assert len(kept.results) == 40 - 1  # the parent ran the rest; the child failed on one


def test_a_failing_reporter_in_the_parent_ends_the_children(monkeypatch):
    forked = _forked(monkeypatch)
    with pytest.raises(RuntimeError, match="the reporter broke"):
        _run(400, 3, _Kept(fail_at=3), _job(slow=0.05))
    (children,) = forked
    for pid in children.pipes.values():
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # killed and reaped
