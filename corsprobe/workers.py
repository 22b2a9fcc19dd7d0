"""Worker processes for ``corsprobe run``: a big config on every core of the machine.

The checks of a config are independent (a flow is one item), and each costs far more in
Python (the browser's model, the rules, the report) than in waiting for the network, so one
process keeps one core busy and the others idle. With ``jobs`` > 1 the parent, once the
config is loaded and before anything else starts (no thread, no event loop, no reporter:
``fork`` copies only a quiet process), forks ``jobs`` - 1 children and is the last of the
jobs itself. Every process takes the items as it becomes free (:class:`WorkQueue`: one that
shares its core with the server under test, or the parent busy with the reporters, takes
fewer; each walks the lazy checks it inherited, none holds them all) and runs them on its
own event loop and connection pool with its share of the limits (``concurrency`` and
``per_host`` are split, never multiplied: at most as many requests are in flight to one host
as the user allowed). A child sends each result to the parent as the JSON text the
``--format json`` stream prints (length-prefixed, on a pipe, within :data:`FLUSH_EVERY` of
being done: the encoding is done in parallel, and the parent, which decodes it into the same
dict, need not encode it again: :class:`Encoded`). The parent reads the pipes on its event
loop (:meth:`Children.pump`) between its own checks, and hands every result to the reporters
as it arrives, as the one-process runner does: same dicts, same streaming, same summary and
exit code.

Only where ``fork`` is the platform's safe default (Linux); elsewhere, and for an
in-process app (its state lives in the process), :func:`jobs_for` says 1.
"""

from __future__ import annotations

import itertools
import json
import os
import struct
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

# b"r" a result (its headline's JSON text, then its own) / b"e" an error (pickled); lengths
_HEAD = struct.Struct("<cII")
_TICKET = struct.Struct("<I")  # the index of the first item of a chunk (WorkQueue)
_MAX_TICKETS = 8192  # 32 KiB: all fit in a pipe's buffer (64 KiB on Linux), written at once
_MIN_ITEMS_PER_JOB = 50  # below that, forking costs more than it saves
MAX_JOBS = 8
FLUSH_EVERY = 0.05  # seconds a finished result may wait in a worker before it is sent


class Encoded(dict[str, Any]):
    """A result dict that comes with its JSON text (``json``): what a worker sent. When
    every reporter reads no more of a passed result than its headline (``headline`` of
    :func:`fork`), the dict holds only the headline's keys."""

    __slots__ = ("json",)
    json: str


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def jobs_for(requested: int | None, items: int, concurrency: int, per_host: int,
             app: object = None) -> int:
    """How many processes run ``items`` checks: ``requested`` (None or 0: one per usable
    CPU, up to :data:`MAX_JOBS`, when there are enough checks to share), never more than
    the limits allow each process one slot, and 1 where fork is not safe or for an
    in-process app."""
    if app is not None or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    if requested:
        wanted = requested
    else:
        wanted = min(usable_cpus(), MAX_JOBS, items // _MIN_ITEMS_PER_JOB)
    return max(1, min(wanted, items, concurrency, per_host))


def share(total: int, jobs: int, j: int) -> int:
    """Child ``j``'s part of a limit of ``total`` split over ``jobs`` (the parts add up)."""
    return total // jobs + (1 if j < total % jobs else 0)


class WorkQueue:
    """Items 0..``items``-1 handed out to the processes of a run (the parent and the children
    it forks) as each becomes free, in chunks of consecutive items, in order. A ticket (the
    index of a chunk's first item) per chunk is written to a pipe before the fork, and its
    write end closed; a process takes the next one by reading it (a pipe hands the bytes of
    a read out whole to one reader: each ticket goes to one process), and is done at the end
    of the pipe. A static split (every ``jobs``-th item) waits for the slowest process: the
    one that shares its core with the server under test, or the parent busy with the
    reporters, falls behind. The parent closes its end with :meth:`close` once the run is
    over."""

    def __init__(self, items: int) -> None:
        self.chunk = max(1, -(-items // _MAX_TICKETS))
        self.fd, write_end = os.pipe()
        try:
            _write_all(write_end, b"".join(_TICKET.pack(i) for i in range(0, items, self.chunk)))
        finally:
            os.close(write_end)

    def take(self, items: Iterable[T]) -> Iterator[T]:
        """The items of ``items`` (the same sequence in every child) this process gets."""
        it = iter(items)
        position = 0
        size = _TICKET.size
        while True:
            ticket = os.read(self.fd, size)
            if len(ticket) < size:
                return
            (first,) = _TICKET.unpack(ticket)
            for _ in itertools.islice(it, first - position):  # the others' items
                pass
            position = first
            for item in itertools.islice(it, self.chunk):
                position += 1
                yield item
            if position < first + self.chunk:  # the items ran out
                return

    def close(self) -> None:
        os.close(self.fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class _Pipe:
    """A child's end of its pipe. Results are written together, at most
    :data:`FLUSH_EVERY` seconds after the first of them is ready (on the child's event
    loop), not one system call and one wake-up of the parent each."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.timer: Any = None

    def send(self, frame: bytes) -> None:
        import asyncio

        self.buffer += frame
        if len(self.buffer) >= 1 << 16:
            self.flush()
        elif self.timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not on an event loop: nothing would flush it later
                self.flush()
                return
            self.timer = loop.call_later(FLUSH_EVERY, self.flush)

    def flush(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if self.buffer:
            _write_all(self.fd, bytes(self.buffer))
            self.buffer.clear()


def fork(jobs: int, child: Callable[[int, Callable[[dict[str, Any]], None]], None],
         encode: Callable[[dict[str, Any]], str] = json.dumps,
         headline: tuple[str, ...] | None = None, first: int = 0) -> Children:
    """Fork ``jobs`` children now; child ``j`` (numbered from ``first``) calls
    ``child(j, send)``, runs its share of the work and ``send``s each result (``encode``
    makes its JSON text). ``headline``: the keys every reader of a passed result needs;
    such a result is not decoded whole in the parent (a reporter that writes the JSON text
    reads nothing else). The parent reads the results on its event loop, between checks
    of its own (:meth:`Children.pump`), then calls :meth:`Children.reap`."""
    import signal

    sys.stdout.flush()
    sys.stderr.flush()
    children: dict[int, int] = {}  # read end -> pid
    for j in range(first, first + jobs):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 0
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides
                os.close(read_end)
                for fd in children:
                    os.close(fd)

                pipe = _Pipe(write_end)

                def send(result: dict[str, Any], pipe: _Pipe = pipe) -> None:
                    data = encode(result).encode("utf-8")
                    head = (json.dumps({k: result[k] for k in headline if k in result}
                                       ).encode("utf-8") if headline else b"")
                    pipe.send(_HEAD.pack(b"r", len(head), len(data)) + head + data)

                child(j, send)
                pipe.flush()
            except BaseException as exc:  # noqa: BLE001 - reported by the parent
                import pickle

                code = 70
                try:
                    data = pickle.dumps(exc, pickle.HIGHEST_PROTOCOL)
                except Exception:  # noqa: BLE001 - an exception that does not pickle
                    data = pickle.dumps(RuntimeError(f"{exc.__class__.__name__}: {exc}"),
                                        pickle.HIGHEST_PROTOCOL)
                try:
                    _write_all(write_end, _HEAD.pack(b"e", 0, len(data)) + data)
                except OSError:
                    pass
            finally:
                os._exit(code)  # no atexit handlers, no second flush of the parent's buffers
        os.close(write_end)
        children[read_end] = pid
    return Children(children)


def _result(head: bytes, text: str) -> Encoded:
    headline = json.loads(head) if head else None
    result = Encoded(json.loads(text) if headline is None or headline.get("status") != "passed"
                     else headline)
    result.json = text
    return result


class Children:
    """The forked children, as the parent sees them: a pipe each (its results, framed),
    and their process ids. A child's failure (its exception, or an exit code other than 0)
    is raised by :meth:`reap` once every child is done; an exception in the parent (Ctrl-C,
    a reporter failing) calls for :meth:`kill` instead."""

    def __init__(self, pipes: dict[int, int]) -> None:
        self.pipes = pipes  # read end -> pid
        self.buffers = {fd: bytearray() for fd in pipes}
        self.failure: BaseException | None = None

    def _take(self, fd: int) -> list[Encoded] | None:
        """Read what ``fd`` has: the results it completes, or None at its end (closed)."""
        data = os.read(fd, 1 << 20)
        if not data:
            os.close(fd)
            del self.buffers[fd]
            return None
        buf = self.buffers[fd]
        buf += data
        size = _HEAD.size
        done = []
        while len(buf) >= size:
            kind, first, length = _HEAD.unpack_from(buf)
            end = size + first + length
            if len(buf) < end:
                break
            head, payload = bytes(buf[size:size + first]), bytes(buf[size + first:end])
            del buf[:end]
            if kind == b"r":
                done.append(_result(head, payload.decode("utf-8")))
            elif self.failure is None:
                import pickle

                self.failure = pickle.loads(payload)
        return done

    def reap(self) -> None:
        """Wait for every child to end; raise the first failure."""
        for pid in self.pipes.values():
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            if code != 0 and self.failure is None:
                self.failure = RuntimeError(f"a worker process ended with exit code {code}")
        if self.failure is not None:
            raise self.failure

    def kill(self) -> None:
        import signal

        for pid in self.pipes.values():
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
        for fd in self.buffers:
            os.close(fd)
        self.buffers.clear()

    async def pump(self, emit: Callable[[dict[str, Any]], None]) -> None:
        """``emit`` every result as it arrives, on the running event loop (the parent runs
        checks of its own meanwhile); returns once every child has closed its pipe. The
        caller then calls :meth:`reap`, or :meth:`kill` if anything in the parent raised."""
        import asyncio

        loop = asyncio.get_running_loop()

        def wake(ready: asyncio.Future[None]) -> None:
            if not ready.done():  # (the loop may call it again before the reader resumes)
                ready.set_result(None)

        async def one(fd: int) -> None:
            while True:
                ready = loop.create_future()
                loop.add_reader(fd, wake, ready)
                try:
                    await ready
                finally:
                    loop.remove_reader(fd)
                done = self._take(fd)
                if done is None:
                    return
                for result in done:
                    emit(result)

        await asyncio.gather(*(one(fd) for fd in list(self.buffers)))
