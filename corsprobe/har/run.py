"""``corsprobe har``: read, filter, diagnose, optionally replay, and report."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..fetch.urls import InvalidInput, parse_origin


@dataclass(frozen=True)
class Filters:
    origin: str | None = None  # only requests made by pages at this origin (and the page's
    # origin where the recording does not show it)
    url_contains: tuple[str, ...] = ()  # only requests whose URL (any hop) contains one of these
    failed_only: bool = False


def analyse(
    path: Path, filters: Filters = Filters(), replay: bool = False,
    send_actual: bool | None = None, options: object = None, browser: str = "chrome",
    credentials: bool = False,
) -> dict[str, Any]:
    """The ``corsprobe/har/v1`` report for the HAR at ``path``.

    ``credentials``: take every request as ``credentials: 'include'`` (a HAR does not record
    the mode; without this only a request that carried a Cookie is).
    """
    from .build import build
    from .diagnose import diagnose, with_replay
    from .reader import HarError, read
    from .recorded import collect

    wanted_origin = None
    if filters.origin is not None:
        try:
            wanted_origin = parse_origin(filters.origin).serialize()
        except InvalidInput as exc:
            raise UsageError(f"--origin: {exc}") from None
    from ..inputs import regular_file

    regular_file(path, "HAR file")
    try:
        handle = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        try:
            info, entries = read(handle)
            collected = collect(entries, wanted_origin)
        except HarError as exc:
            raise UsageError(f"{path}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}); a HAR is JSON") from None
    diagnoses = []
    for request in collected.requests:
        if wanted_origin is not None and request.origin != wanted_origin:
            continue
        if filters.url_contains and not any(
            part in hop.url for part in filters.url_contains for hop in request.hops
        ):
            continue
        if credentials and not request.credentials:
            request = replace(request, credentials=True)
        d = diagnose(request, browser)
        if replay and not d.complete:
            d = with_replay(d, options, send_actual)
        diagnoses.append(d)
    doc = build(str(path), info, collected.entries, collected.skipped, diagnoses,
                len(collected.requests), replay_offered=not replay)
    if filters.failed_only:
        doc["requests"] = [q for q in doc["requests"] if q["verdict"] != "allowed"]
    return doc


def exit_code(doc: dict[str, Any]) -> int:
    """1 when any reported request was blocked or failed, else 0."""
    from ..policy import har_exit

    return har_exit(q["verdict"] for q in doc["requests"])
