"""Run corsprobe as a child process and measure what it cost: wall time and peak RSS.

``os.wait4`` gives the resource usage of exactly that child (``RUSAGE_CHILDREN`` would be
the maximum over every child the test process ever waited for)."""

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
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "corsprobe", *args], stdout=out,
                                 stderr=err, cwd=cwd or ROOT, env=full_env)
        killer = threading.Timer(limit, child.kill)  # a hang fails the test instead of the run
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Ran(child.returncode, out.read().decode("utf-8", "replace"),
                   err.read().decode("utf-8", "replace"), seconds, usage.ru_maxrss / 1024)
