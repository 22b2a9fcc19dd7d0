"""Running scans: targets from the command line or a file, one result dict per target.

Targets are scanned concurrently by :func:`corsprobe.runner.run` (one shared
:class:`~corsprobe.net.AsyncTransport`, per-host limits) with :func:`make_job` as its job, so
every reporter of ``corsprobe run`` that reads result dicts (JSON, SARIF) works unchanged;
the text report is :mod:`corsprobe.render.scan`. A
result has the shape of a run result; ``status`` is ``failed`` when a finding reaches
``--fail-on``, and ``scan`` summarises what was tried.

``--format json`` writes ``corsprobe/scan/v1``: ``{"schema", "tool", "config"?, "results":
[...], "summary": {...}}``, one result per URL: ``name``, ``url``, ``origin`` (the trusted
origin, or the URL's own), ``status`` (passed, failed, unreachable), ``scan`` (``requests``
and, per class, ``tried`` and the ``accepted`` origins), and ``report`` (report/v1 of the
baseline request, its ``findings`` the scan rules' with ``risk`` and
``evidence.proving_origin``, its ``probes`` every request of the scan and its answer).

``-i FILE`` is either a corsprobe config (``corsprobe.toml``, pyproject.toml, any ``.toml``:
each check's URL, origin, headers and credentials become a target) or a list of URLs, one a
line (blank lines and ``#`` comments skipped).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import policy
from ..errors import UsageError
from ..model import HttpRequest
from . import steps
from .steps import Target

SCHEMA = "corsprobe/scan/v1"


@dataclass(frozen=True)
class Targets:
    items: tuple[Target, ...]
    display: str | None = None  # the -i file as shown in reports
    secrets: tuple[str, ...] = ()  # ${VAR} values from a config, masked in every output


def read_targets(path: Path, default: Target) -> Targets:
    """The targets of ``-i FILE``; ``default`` carries the command line's options (its
    --origin and -H win over a config's, its --credentials adds to them)."""
    from .. import config
    from ..inputs import regular_file

    regular_file(path, "-i")
    if path.suffix == ".toml" or _is_config(path):
        cfg = config.load(path)
        seen: set[tuple[str, str | None]] = set()
        items = []
        for c in cfg.checks():
            trusted = default.trusted or c.spec.origin
            key = (c.spec.url, trusted)
            if key in seen:
                continue
            seen.add(key)
            items.append(replace(default, url=c.spec.url, trusted=trusted,
                                 headers=c.spec.headers + default.headers,
                                 credentials=default.credentials or c.spec.credentials,
                                 name=c.group, line=c.line))
        return Targets(tuple(items), cfg.display, cfg.secrets)
    display = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"-i {display}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"-i {display}: cannot read it: {exc}") from None
    items = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if any(c.isspace() for c in line):
            raise UsageError(f"{display}:{number}: one URL per line, e.g. https://api.example.com/me")
        items.append(replace(default, url=line, line=number))
    if not items:
        raise UsageError(f"-i {display}: no URL in the file (one a line)")
    return Targets(tuple(items), display)


def _is_config(path: Path) -> bool:
    if path.name == "pyproject.toml":
        return True
    try:
        head = path.read_text(encoding="utf-8")[:4096]
    except (OSError, UnicodeDecodeError):
        return False
    return "[[checks]]" in head or "[[tool.corsprobe.checks]]" in head


def validate(targets: Iterable[Target], where: str | None = None) -> None:
    """Every target is checked before the first request (a usage error names the line)."""
    for t in targets:
        try:
            steps.plan(t)
        except UsageError as exc:
            prefix = f"{where}:{t.line}: " if where and t.line else ""
            raise UsageError(f"{prefix}{exc}") from None


def make_job(fail_on: str) -> Callable[..., Any]:
    """The runner job: scan one target, diagnose, and build its result dict."""

    async def job(target: Target, send: Callable[[HttpRequest], Any], scrub: Any,
                  conn: Any = None) -> dict[str, Any]:
        from ..core import SCAN_FAMILIES, diagnose_async

        started = time.perf_counter()
        planned = steps.plan(target)
        done = await diagnose_async(steps.steps(target, planned), send, families=SCAN_FAMILIES)
        trace, report = done.trace, done.data
        failures: list[dict[str, str]] = []
        if steps.unreachable(trace):
            status = "unreachable"
            failures = [f.as_dict() for f in policy.unreachable(trace)]
        elif policy.reaches(done.findings, fail_on):
            status = "failed"
        else:
            status = "passed"
        classes: dict[str, dict[str, Any]] = {}
        for p in trace.probes:
            entry = classes.setdefault(p.purpose.removeprefix("scan:"),
                                       {"tried": 0, "accepted": []})
            entry["tried"] += 1
            if p.accepted:
                entry["accepted"].append(p.origin)
        result = {
            "index": target.line or 0,
            "name": target.name or report["target"],
            "group": target.name or report["target"],
            "tags": [],
            "line": target.line,
            "method": "GET",
            "url": report["target"],
            "origin": trace.origin_sent,
            "status": status,
            "failures": failures,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "scan": {
                "trusted_origin": target.trusted and trace.origin_sent,
                "credentials": target.credentials,
                "all": target.every,
                "requests": len(trace.preflights) + len(trace.actuals) + len(trace.probes),
                "classes": classes,
            },
            "report": report,
        }
        return scrub(result) if scrub is not None else result

    return job
