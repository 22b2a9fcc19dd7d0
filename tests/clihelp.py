"""Run the corsprobe CLI as a child process, and fail on an unexpected exit code.

``cli("check", URL, "--origin", ORIGIN, code=1)`` runs ``python -m corsprobe ...`` with this
checkout first on ``PYTHONPATH`` and raises an AssertionError showing the command, its stdout
and its stderr when the exit code is not ``code`` (0 unless given; several codes may be
allowed as a tuple).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHOWN = 4000  # characters of stdout and stderr shown in a failure


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        try:
            return json.loads(self.out)
        except ValueError:
            raise AssertionError(f"{self.command}: stdout is not JSON\n{self.shown()}") from None

    @property
    def command(self) -> str:
        return "corsprobe " + shlex.join(self.args)

    def shown(self) -> str:
        return (f"--- stdout ---\n{self.out[-SHOWN:]}\n--- stderr ---\n{self.err[-SHOWN:]}")


def cli(*args: str, code: int | Collection[int] = 0, timeout: float = 120, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> Ran:
    """``python -m corsprobe *args``; asserts the exit code is ``code`` (or one of them)."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), full_env.get("PYTHONPATH")) if p)
    full_env.update(env or {})
    p = subprocess.run([sys.executable, "-m", "corsprobe", *args], capture_output=True, text=True,
                       timeout=timeout, cwd=cwd or ROOT, env=full_env)
    ran = Ran(tuple(args), p.returncode, p.stdout, p.stderr)
    expected = (code,) if isinstance(code, int) else tuple(code)
    if ran.code not in expected:
        want = expected[0] if len(expected) == 1 else " or ".join(map(str, expected))
        raise AssertionError(f"{ran.command} exited {ran.code}, expected {want}\n{ran.shown()}")
    return ran
