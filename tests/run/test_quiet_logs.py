"""`corsprobe run` in a CI log (stderr not a terminal), as pytest does without -v: each failed
or unreachable check in full as it comes, a progress line at most every few seconds, and the
summary; `-v` prints one line per check."""

from __future__ import annotations

import io
import json
import re

from corsprobe.render.run import PROGRESS_EVERY, PlainProgress

from .conftest import APP, run_cli


def result(name: str, status: str) -> dict:
    failures = {"passed": [], "failed": [{"expectation": "allowed", "message": "blocked"}],
                "unreachable": [{"expectation": "reachable", "message": "connect failed"}]}
    return {"name": name, "status": status, "failures": failures[status], "method": "GET",
            "url": "https://api.example.com/x", "origin": APP,
            "report": {"console_message": "Access to fetch ... blocked" if status == "failed"
                       else None, "findings": []}}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def feed(progress: PlainProgress, clock: Clock, statuses: list[str], step: float) -> str:
    out = progress.out
    assert isinstance(out, io.StringIO)
    progress.start({"total": len(statuses), "config": "corsprobe.toml"})
    for n, status in enumerate(statuses):
        clock.now += step
        progress.result(result(f"c{n}", status))
    progress.finish({"total": len(statuses), "passed": statuses.count("passed"),
                     "failed": statuses.count("failed"),
                     "unreachable": statuses.count("unreachable"), "duration_s": 2.0,
                     "exit_code": 1})
    return out.getvalue()


STATUSES = ["passed"] * 1000
STATUSES[16] = "failed"
STATUSES[400] = "unreachable"
STATUSES[700] = "failed"


def test_default_failures_in_full_progress_every_interval_and_a_summary():
    clock = Clock()
    # 1000 checks, 1/8 s apart: 125 s, so a progress line every 5 s (40 checks) is 24 of them
    # (none at the very end: the summary says it)
    text = feed(PlainProgress(io.StringIO(), clock=clock), clock, STATUSES, 0.125)
    lines = text.splitlines()
    assert lines[0] == "corsprobe: 1000 checks from corsprobe.toml"
    assert lines[-1] == "corsprobe: 1000 checks: 997 passed, 2 failed, 1 unreachable in 2.0 s"
    assert "corsprobe: [17/1000] FAIL c16" in lines
    at = lines.index("corsprobe: [17/1000] FAIL c16")
    assert lines[at + 1:at + 4] == ["    allowed: blocked",
                                    "    request: GET https://api.example.com/x from " + APP,
                                    "    console: Access to fetch ... blocked"]
    assert "corsprobe: [401/1000] UNREACHABLE c400" in lines
    assert "corsprobe: [701/1000] FAIL c700" in lines
    assert not any("PASS" in line for line in lines)
    progress = [line for line in lines if line.endswith(("failed", "unreachable"))
                and " done, " in line]
    assert len(progress) == 24, progress
    assert progress[0] == "corsprobe: 40/1000 done, 1 failed"
    assert progress[-1] == "corsprobe: 960/1000 done, 2 failed, 1 unreachable"
    assert len(lines) == 1 + 24 + (4 + 3 + 4) + 1  # start, progress, 3 failures, summary


def test_progress_lines_are_never_closer_than_the_interval():
    clock = Clock()
    # checks 2 s apart: a line every third check (at 6 s, 12 s, ...), never every check
    text = feed(PlainProgress(io.StringIO(), interval=5, clock=clock), clock, ["passed"] * 10, 2)
    assert re.findall(r"(\d+)/10 done", text) == ["3", "6", "9"]
    clock = Clock()
    text = feed(PlainProgress(io.StringIO(), clock=clock), clock, ["passed"] * 10, 0.01)
    assert " done, " not in text and len(text.splitlines()) == 2  # a quick run: start, summary
    assert PROGRESS_EVERY == 5


def test_verbose_is_one_line_per_check_and_failures_in_full():
    clock = Clock()
    text = feed(PlainProgress(io.StringIO(), verbose=True, clock=clock), clock, STATUSES, 0.125)
    lines = text.splitlines()
    checks = [line for line in lines if re.match(r"corsprobe: \[\d+/1000\] ", line)]
    assert len(checks) == 1000 and checks[0] == "corsprobe: [1/1000] PASS c0"
    assert " done, " not in text  # the per-check lines are the progress
    assert "    allowed: blocked" in lines


def test_the_cli_in_a_log(base, write, tmp_path):
    write(f'base_url = "{base}"\n'
          '[[checks]]\nname = "good"\nurls = ["/ok/a", "/ok/b", "/ok/c", "/ok/d"]\n'
          f'origin = "{APP}"\n'
          f'[[checks]]\nname = "bad"\nurl = "/none/x"\norigin = "{APP}"\n')
    quiet = run_cli("--format", "json", "--concurrency", "1", cwd=tmp_path)
    assert quiet.code == 1
    lines = quiet.err.splitlines()
    assert lines[0] == "corsprobe: 5 checks from corsprobe.toml"
    assert lines[1] == "corsprobe: [5/5] FAIL bad"
    assert lines[2] == "    allowed: expected Chrome to allow it, but it blocks it at the " \
                       "response: MissingAllowOriginHeader"
    assert lines[3].startswith("    request: GET ") and lines[4].startswith("    console: ")
    assert re.fullmatch(r"corsprobe: 5 checks: 4 passed, 1 failed in [0-9.]+ s", lines[-1])
    assert "good" not in quiet.err and " done, " not in quiet.err

    # a progress line after every check but the last when the interval is 0
    every = run_cli("--format", "junit", "--concurrency", "1", "--progress-every", "0",
                    cwd=tmp_path)
    assert re.findall(r"corsprobe: (\d/5) done, (\d) failed", every.err) == \
        [("1/5", "0"), ("2/5", "0"), ("3/5", "0"), ("4/5", "0")]

    for flag in ("-v", "--verbose"):
        verbose = run_cli("--format", "json", "--concurrency", "1", flag, cwd=tmp_path)
        assert verbose.code == 1
        assert [r["name"] for r in json.loads(verbose.out)["results"]] == \
            [r["name"] for r in json.loads(quiet.out)["results"]]  # stdout: the same report
        lines = verbose.err.splitlines()
        assert [line for line in lines if line.startswith("corsprobe: [")] == [
            "corsprobe: [1/5] PASS good [/ok/a]", "corsprobe: [2/5] PASS good [/ok/b]",
            "corsprobe: [3/5] PASS good [/ok/c]", "corsprobe: [4/5] PASS good [/ok/d]",
            "corsprobe: [5/5] FAIL bad"]
        assert "    allowed: expected Chrome to allow it, but it blocks it at the response: " \
               "MissingAllowOriginHeader" in lines
    # a format with a line per check on stdout needs nothing on stderr, -v or not
    assert run_cli("--format", "github", "-v", cwd=tmp_path).err == ""
