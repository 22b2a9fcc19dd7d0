"""``corsprobe run``: the checks of a config file, concurrently, with expectations, for CI."""

# No ``from __future__ import annotations`` here: typer reads the options from the
# annotations, and string annotations make it compile and evaluate each one again (~4% of
# the part of a big run that no worker process can share).
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, Optional

import typer

from ..errors import UsageError
from ..inputs import output_file
from ..render import RUN, Reporter, reporter
from .options import ColorOpt, FormatName, command_app, format_choice

app = command_app()


if TYPE_CHECKING:
    from ..config import Check
    RunFormat = FormatName
else:  # the formats that render this command's document
    RunFormat = format_choice("RunFormat", RUN)
TEXT = RunFormat("text")


@app.command("run")
def run(
    config_arg: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(metavar="[CONFIG]", help="Config file (default: the nearest corsprobe.toml "
                       "or pyproject.toml with [tool.corsprobe], walking up)."),
    ] = None,
    config: Annotated[
        Optional[Path], typer.Option("--config", "-c", help="Config file; overrides discovery.")  # noqa: UP045
    ] = None,
    concurrency: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--concurrency", min=1, help="Checks in flight at once (default 20).",
                     show_default=False),
    ] = None,
    per_host: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--per-host", min=1, help="Requests in flight to one host (default 10).",
                     show_default=False),
    ] = None,
    only: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--only", help="Run only the check with this name (repeatable)."),
    ] = None,
    tag: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--tag", help="Run only checks with this tag (repeatable)."),
    ] = None,
    shard: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--shard", metavar="I/N",
                     help="Run only the I-th of N slices of the selected checks (by a stable "
                     "hash of each check's name), for a CI matrix of N jobs; combine their "
                     "--json files with corsprobe merge."),
    ] = None,
    fmt: Annotated[RunFormat, typer.Option("--format", "-f", help="Report format on stdout.")] = TEXT,
    json_file: Annotated[Optional[Path], typer.Option("--json", help="Also write the JSON report here.")] = None,  # noqa: UP045
    junit_file: Annotated[Optional[Path], typer.Option("--junit", help="Also write JUnit XML here.")] = None,  # noqa: UP045
    sarif_file: Annotated[Optional[Path], typer.Option("--sarif", help="Also write SARIF 2.1.0 here.")] = None,  # noqa: UP045
    markdown_file: Annotated[Optional[Path], typer.Option("--markdown", help="Also write a Markdown summary here.")] = None,  # noqa: UP045
    base_url: Annotated[
        Optional[str], typer.Option("--base-url", help="Replace the config's base_url.")  # noqa: UP045
    ] = None,
    color: ColorOpt = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="In a log (stderr not a terminal): one line "
                           "per check, not only the failures and a progress line every 5 s.")
    ] = False,
    progress_every: Annotated[
        float, typer.Option("--progress-every", hidden=True, min=0)
    ] = 5.0,
    jobs: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--jobs", "-j", min=1, show_default=False,
                     help="Processes that run the checks, this one included (default: one "
                     "per CPU, up to 8, for 100 checks or more on Linux; 1 elsewhere). "
                     "--concurrency and --per-host are shared among them, never multiplied."),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", hidden=True)
    ] = "pool",
) -> None:
    """Run the checks of a config file concurrently, with expectations, for CI.

    Exit code: 0 every expectation met; 1 an expectation failed; 3 the only problems are
    unreachable targets; 2 usage or config error.

    Secrets: values of Authorization, Cookie, Proxy-Authorization, of the headers listed in
    secret_headers = [...] and of every ${VAR} are redacted in every output.
    """
    from .. import config as config_mod

    if config_arg is not None and config is not None and config_arg != config:
        raise UsageError("give the config once: as the argument or with --config, not both")
    part = config_mod.parse_shard(shard) if shard is not None else None
    cfg = config_mod.load(config or config_arg, base_url=base_url)
    if engine not in ("pool", "httpx"):
        raise UsageError("--engine is pool or httpx")
    wanted_names, wanted_tags = set(only or ()), set(tag or ())
    # a flow runs whole (its steps share one jar): naming one step keeps the flow
    wanted_flows = ({c.flow for c in cfg.checks() if c.flow and c.name in wanted_names}
                    if wanted_names else set())

    def keep(c: "Check") -> bool:
        if (wanted_names and c.name not in wanted_names and c.group not in wanted_names
                and c.flow not in wanted_flows):
            return False
        return not wanted_tags or bool(wanted_tags.intersection(c.tags))

    def selected(c: "Check") -> bool:  # --only/--tag first, then the shard of what they keep
        return keep(c) and (part is None or part.holds(c))

    kept = total = 0
    seen = set[str]()
    filtering = bool(wanted_names or wanted_tags or part is not None)
    if filtering:
        for c in cfg.checks():
            if keep(c):
                kept += 1
                seen.update((c.name, c.group))
                if part is None or part.holds(c):
                    total += 1
    else:  # every check (a config of many need not be walked to be counted)
        kept = total = cfg.count
    missing = sorted(wanted_names - seen)
    if missing:
        raise UsageError(f"--only {missing[0]!r}: no check in {cfg.display} has that name"
                         + ("" if not wanted_tags else " (with the --tag filter)"))
    if kept == 0:
        raise UsageError(f"no check in {cfg.display} has the tag(s) {', '.join(sorted(wanted_tags))}")
    run_info: dict[str, Any] = {"config": cfg.display}
    if part is not None:
        # the whole selection's size too, so that merge can tell when a shard is missing
        run_info["shard"] = {"index": part.index, "count": part.count, "total": kept}
        if total == 0:  # N jobs may outnumber a small config's checks: not an error
            print(f"corsprobe: shard {part} holds none of the {kept} selected checks: "
                  "nothing to run", file=sys.stderr)

    from ..net.options import TransportOptions
    from ..render.run import progress_for
    from ..runner import run_all

    options = TransportOptions(timeout=cfg.timeout, insecure=cfg.insecure, cacert=cfg.cacert,
                               resolve=cfg.resolve)
    loaded = None
    if cfg.app is not None:
        from ..apps import load

        loaded = load(cfg.app)
    files: list[IO[str]] = []
    reporters: list[Reporter] = []
    progress = progress_for(fmt.value, verbose, progress_every)
    if progress is not None:
        reporters.append(progress)
    reporters.append(reporter(RUN, fmt.value, sys.stdout, color))
    for kind, path in (("json", json_file), ("junit", junit_file), ("sarif", sarif_file),
                       ("markdown", markdown_file)):
        if path is not None:
            handle = output_file(path)
            files.append(handle)
            reporters.append(reporter(RUN, kind, handle, False))
    from ..workers import jobs_for

    in_flight = concurrency or cfg.concurrency or config_mod.DEFAULT_CONCURRENCY
    to_host = per_host or cfg.per_host or config_mod.DEFAULT_PER_HOST
    try:
        summary = run_all(
            (c for c in cfg.checks() if selected(c)) if filtering else cfg.checks(), total,
            reporters, run_info, options,
            concurrency=in_flight, per_host=to_host, secrets=cfg.secrets, engine=engine,
            app=loaded, jobs=jobs_for(jobs, total, in_flight, to_host, loaded),
        )
    finally:
        for handle in files:
            handle.close()
    raise typer.Exit(summary.exit_code)
