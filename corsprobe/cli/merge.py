"""``corsprobe merge``: the JSON results of several ``corsprobe run`` jobs as one run, offline.

Each FILE is a ``corsprobe/run/v1`` document (``corsprobe run --format json`` or ``--json
FILE``), typically one per shard of a CI matrix (``run --shard I/N``). Their results are put
back in config order (each result's ``index``), so the merged report is the one an unsharded
run would have written, check for check, and rendered through the same reporters; the exit
code is :func:`corsprobe.policy.run_exit` of the merged statuses. Nothing is sent.

The inputs must fit together, or it is a one-line usage error (exit 2): every file readable
JSON of that schema; one config; no check twice; and when the files are shards, each shard of
the same N once, all N of them, covering the whole selection.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, Optional

import typer

from ..errors import UsageError
from ..inputs import output_file
from ..render import RUN, Reporter, reporter
from ..runner import RUN_SCHEMA as SCHEMA
from .options import ColorOpt, FormatName, command_app, format_choice

app = command_app()

if TYPE_CHECKING:
    MergeFormat = FormatName
else:  # the formats of a run: a merge renders the same results
    MergeFormat = format_choice("MergeFormat", RUN)
TEXT = MergeFormat("text")

STATUSES = ("passed", "failed", "unreachable")
# what the reporters read of a result, and its JSON type
RESULT_KEYS: dict[str, type | tuple[type, ...]] = {
    "index": int, "name": str, "group": str, "tags": list, "method": str, "url": str,
    "origin": str, "expect": dict, "status": str, "failures": list,
    "duration_ms": (int, float), "report": dict,
}


def _kind(value: object) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "number",
            float: "number", type(None): "null"}.get(type(value), type(value).__name__)


def read_run(path: Path) -> dict[str, Any]:
    """One ``corsprobe/run/v1`` file, checked enough for the reporters to render it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a JSON file (not UTF-8 text)") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        where = f" ({exc.msg}, line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise UsageError(f"{path}: not JSON{where}; give the output of corsprobe run "
                         "--format json or --json FILE") from None
    schema = doc.get("schema") if isinstance(doc, dict) else None
    if schema != SCHEMA:
        raise UsageError(f"{path}: not a {SCHEMA} document (schema: {schema!r}); give the output "
                         "of corsprobe run --format json or --json FILE")
    results = doc.get("results")
    if not isinstance(results, list):
        raise UsageError(f"{path}: 'results' is {_kind(results)}, not an array")
    for n, result in enumerate(results, 1):
        if not isinstance(result, dict):
            raise UsageError(f"{path}: result #{n} is {_kind(result)}, not an object")
        for key, want in RESULT_KEYS.items():
            value = result.get(key)
            if not isinstance(value, want) or isinstance(value, bool):
                raise UsageError(f"{path}: result #{n}: '{key}' is {_kind(value)}"
                                 f"{'' if key in result else ' (missing)'}")
        if result["status"] not in STATUSES:
            raise UsageError(f"{path}: result #{n}: status {result['status']!r} is not one of "
                             f"{', '.join(STATUSES)}")
    shard = doc.get("shard")
    if shard is not None and not (
            isinstance(shard, dict)
            and all(isinstance(shard.get(k), int) for k in ("index", "count", "total"))
            and 1 <= shard["index"] <= shard["count"]):
        raise UsageError(f"{path}: 'shard' is not {{\"index\": I, \"count\": N, \"total\": T}}")
    config = doc.get("config")
    if config is not None and not isinstance(config, str):
        raise UsageError(f"{path}: 'config' is {_kind(config)}, not a string")
    return doc


def _check_shards(paths: list[Path], docs: list[dict[str, Any]]) -> int | None:
    """When the files are shards: each shard of one N once, all N; the selection's size."""
    shards = [d.get("shard") for d in docs]
    if not any(shards):
        return None
    if not all(shards):
        plain = next(p for p, s in zip(paths, shards, strict=True) if not s)
        sharded = next(p for p, s in zip(paths, shards, strict=True) if s)
        raise UsageError(f"{plain} is not a shard, but {sharded} is: merge the shards of one "
                         "run, or whole runs")
    first: dict[str, int] = shards[0] or {}
    by_index: dict[int, Path] = {}
    for path, shard in zip(paths, shards, strict=True):
        assert shard is not None
        if (shard["count"], shard["total"]) != (first["count"], first["total"]):
            raise UsageError(
                f"{path} is shard {shard['index']}/{shard['count']} of {shard['total']} checks, "
                f"but {paths[0]} is shard {first['index']}/{first['count']} of {first['total']}: "
                "not shards of one run")
        if shard["index"] in by_index:
            raise UsageError(f"shard {shard['index']}/{shard['count']} given twice: "
                             f"{by_index[shard['index']]} and {path}")
        by_index[shard["index"]] = path
    missing = [i for i in range(1, first["count"] + 1) if i not in by_index]
    if missing:
        listed = ", ".join(f"{i}/{first['count']}" for i in missing)
        raise UsageError(f"shard{'s' if len(missing) > 1 else ''} {listed} missing: a merge "
                         f"needs the JSON files of all {first['count']} shards")
    return first["total"]


def merge_runs(paths: list[Path]) -> tuple[dict[str, Any], list[dict[str, Any]],
                                            dict[str, Any]]:
    """The run info, the results in config order, and the summary of ``paths`` merged."""
    from .. import policy
    from ..version import __version__

    docs = [read_run(path) for path in paths]
    configs = {d.get("config") for d in docs}
    if len(configs) > 1:
        other = next(i for i, d in enumerate(docs) if d.get("config") != docs[0].get("config"))
        raise UsageError(f"{paths[other]} ran config {docs[other].get('config')!r}, but "
                         f"{paths[0]} ran {docs[0].get('config')!r}: merge the runs of one config")
    selected = _check_shards(paths, docs)
    seen: dict[int, tuple[Path, str]] = {}
    results: list[dict[str, Any]] = []
    for path, doc in zip(paths, docs, strict=True):
        for result in doc["results"]:
            index = result["index"]
            if index in seen:
                first, name = seen[index]
                what = (f"check {name!r}" if name == result["name"]
                        else f"check #{index} ({name!r} and {result['name']!r})")
                raise UsageError(f"{what} is in both {first} and {path}: "
                                 "each check must come from one file")
            seen[index] = (path, result["name"])
            results.append(result)
    if selected is not None and len(results) != selected:
        raise UsageError(f"the shards hold {len(results)} checks, but the run selected "
                         f"{selected}: were they run with the same config, --only and --tag?")
    results.sort(key=lambda r: r["index"])
    counts = {status: sum(1 for r in results if r["status"] == status) for status in STATUSES}
    durations = [d["summary"]["duration_s"] for d in docs
                 if isinstance(d.get("summary"), dict)
                 and isinstance(d["summary"].get("duration_s"), (int, float))]
    summary = {
        "total": len(results), **counts,
        # the jobs ran side by side: the merged run took as long as the slowest
        "duration_s": max(durations, default=0.0),
        "exit_code": policy.run_exit(counts["failed"], counts["unreachable"]),
    }
    info: dict[str, Any] = {"schema": SCHEMA, "tool": {"name": "corsprobe", "version": __version__},
                            "total": len(results), "merged": len(paths)}
    config = docs[0].get("config") if docs else None
    if config is not None:
        info["config"] = config
    return info, results, summary


@app.command("merge")
def merge(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="corsprobe/run/v1 JSON files (corsprobe run "
                       "--format json or --json FILE), e.g. one per --shard."),
    ],
    fmt: Annotated[MergeFormat, typer.Option("--format", "-f", help="Report format on stdout.")] = TEXT,
    json_file: Annotated[Optional[Path], typer.Option("--json", help="Also write the JSON report here.")] = None,  # noqa: UP045
    junit_file: Annotated[Optional[Path], typer.Option("--junit", help="Also write JUnit XML here.")] = None,  # noqa: UP045
    sarif_file: Annotated[Optional[Path], typer.Option("--sarif", help="Also write SARIF 2.1.0 here.")] = None,  # noqa: UP045
    markdown_file: Annotated[Optional[Path], typer.Option("--markdown", help="Also write a Markdown summary here.")] = None,  # noqa: UP045
    color: ColorOpt = None,
) -> None:
    """Combine the JSON results of several corsprobe run jobs into one report and one exit code.

    Typically the --json files of a CI matrix's jobs (run --shard 1/3, 2/3, 3/3). Offline:
    nothing is sent again. The results are put back in config order, so the report is the one a single unsharded
    run would have written, in any format run writes. Exit code: that of the merged run
    (0 every expectation met; 1 an expectation failed; 3 the only problems are unreachable
    targets); 2 when a file is unreadable, not corsprobe/run/v1 JSON, from another config,
    has a check another file has, or a shard is missing.
    """
    info, results, summary = merge_runs(files)
    outputs: list[tuple[str, Path]] = [
        (kind, path) for kind, path in (("json", json_file), ("junit", junit_file),
                                        ("sarif", sarif_file), ("markdown", markdown_file))
        if path is not None]
    handles: list[IO[str]] = []
    reporters: list[Reporter] = [reporter(RUN, fmt.value, sys.stdout, color)]
    try:
        for kind, path in outputs:
            handle = output_file(path)
            handles.append(handle)
            reporters.append(reporter(RUN, kind, handle, False))
        for r in reporters:
            r.start(info)
        for result in results:
            for r in reporters:
                r.result(result)
        for r in reporters:
            r.finish(summary)
    finally:
        for handle in handles:
            handle.close()
    raise typer.Exit(summary["exit_code"])
