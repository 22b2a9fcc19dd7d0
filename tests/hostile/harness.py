"""Run corsprobe as a child process and measure what it cost: wall time and peak RSS.

``os.wait4`` gives the resource usage of exactly that child (``RUSAGE_CHILDREN`` would be
the maximum over every child the test process ever waited for). The child is started by a
small launcher process, not by the test process itself: a process's peak RSS survives
``exec``, so a child forked straight from a large pytest process (hundreds of MB after the
browser suite) would report pytest's size, not corsprobe's."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = "https://app.example.com"


@dataclass
class Ran:
    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float

    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def corsprobe(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
              limit: float = 120) -> Ran:
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(ROOT) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r") as peak:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-c", _LAUNCHER, peak.name, str(limit),
                                  sys.executable, "-m", "corsprobe", *args], stdout=out,
                                 stderr=err, cwd=cwd or ROOT, env=full_env)
        killer = threading.Timer(limit + 10, child.kill)  # the launcher itself never hangs
        killer.start()
        try:
            code = child.wait()
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        peak_kb = int(peak.read() or 0)
        return Ran(code, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), seconds, peak_kb / 1024)


# argv: PEAK_FILE LIMIT COMMAND...; runs COMMAND (killed after LIMIT s: a hang fails the test),
# writes its peak RSS in kB to PEAK_FILE and exits with its exit code
_LAUNCHER = """
import os, signal, subprocess, sys, threading
child = subprocess.Popen(sys.argv[3:])
timer = threading.Timer(float(sys.argv[2]), child.kill)
timer.start()
_, status, usage = os.wait4(child.pid, 0)
timer.cancel()
child.returncode = code = os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as peak:
    peak.write(str(usage.ru_maxrss))
if code < 0:  # killed by a signal: die of the same one, as the child did
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""
