"""When Python's cyclic garbage collector runs in a corsprobe command.

A command's start (reading a config of thousands of checks, building the rules' tables)
allocates many objects that all live until the end, and none of them is garbage; the
collector, triggered by the number of allocations, would walk them over and over (a tenth
of a 1000-check ``run``). So :func:`deferred` keeps it off while a command starts, and a
command that then runs many checks calls :func:`settle` first: what exists then is frozen
(``gc.freeze``: never walked again, nor written to, so forked workers share those pages
with the parent) and the collector runs again, with a larger first generation, for the
short-lived objects of each check (few of which are in cycles: a closed connection's
transport, an exception's traceback; collected as before, less often). A command that
ends without calling it (``check``: one check) never collects: its process ends first.

Both restore the collector's state afterwards: the command may run inside a longer-lived
process (a test suite, a notebook). The process that is corsprobe itself (``python -m
corsprobe``, the installed script: :mod:`corsprobe.__main__`) goes further, with
:func:`whole_process`: nothing to restore there, and its first and last milliseconds count.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_FIRST_GENERATION = 50_000  # allocations between two collections of the youngest objects
_state: list[bool] = []  # set while deferred(): whether settle() froze


@contextmanager
def deferred() -> Iterator[None]:
    """The collector off for the block (a command), unless :func:`settle` turns it on."""
    enabled, thresholds = gc.isenabled(), gc.get_threshold()
    gc.disable()
    _state.append(False)
    try:
        yield
    finally:
        if _state.pop():
            gc.unfreeze()
        gc.set_threshold(*thresholds)
        if enabled:
            gc.enable()
        else:
            gc.disable()


@contextmanager
def whole_process() -> Iterator[None]:
    """The collector of a process that runs one command and ends: off while the command line
    is imported (typer and click allocate thousands of objects, none garbage, and the
    collector would walk them a dozen times), then :func:`deferred` and :func:`settle` as
    for any command; when the command ends, what exists is frozen, so that the interpreter's
    exit, which collects while it clears the modules, has nothing to walk."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()


def settle() -> None:
    """Freeze what exists and turn the collector back on (inside :func:`deferred` only)."""
    if not _state or _state[-1]:
        return
    _state[-1] = True
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], _FIRST_GENERATION), *threshold[1:])
    gc.enable()
