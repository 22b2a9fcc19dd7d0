"""``corsprobe scan``: try origins an attacker can own and report what each may read."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..errors import UsageError
from ..inputs import parse_header, parse_resolve
from ..render import SCAN, Reporter, reporter
from .options import (
    CacertOpt,
    ColorOpt,
    FailOn,
    FailOnOpt,
    FormatName,
    InsecureOpt,
    ResolveOpt,
    TimeoutOpt,
    command_app,
    format_choice,
)

app = command_app()


if TYPE_CHECKING:
    ScanFormat = FormatName
else:  # the formats that render this command's document
    ScanFormat = format_choice("ScanFormat", SCAN)
TEXT = ScanFormat("text")


@app.command("scan")
def scan(
    url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(metavar="[URL]", help="The URL to scan (or -i FILE)."),
    ] = None,
    origin: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--origin", "-o", help="The trusted origin the policy is meant for "
                     "(default: the URL's own)."),
    ] = None,
    credentials: Annotated[
        bool, typer.Option("--credentials", help="The endpoint is read with cookies or HTTP "
                           "auth (give them with -H 'Cookie: ...').")
    ] = False,
    header: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--header", "-H", help="A header sent on every request (repeatable)."),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Try every origin (rarer variants too), not only up to the first accepted "
                           "one per class.")
    ] = False,
    input_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--input", "-i", help="URLs to scan: one a line, or a corsprobe config."),
    ] = None,
    fmt: Annotated[ScanFormat, typer.Option("--format", "-f", help="Report format.")] = TEXT,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="URLs scanned at once.")
    ] = 20,
    per_host: Annotated[
        int, typer.Option("--per-host", min=1, help="Requests in flight to one host.")
    ] = 10,
    fail_on: FailOnOpt = FailOn.error,
    timeout: TimeoutOpt = 10.0,
    insecure: InsecureOpt = False,
    cacert: CacertOpt = None,
    resolve: ResolveOpt = None,
    color: ColorOpt = None,
) -> None:
    """Find dangerous CORS policies: try origins an attacker can own (reflection, null,
    prefix/suffix, unescaped dots, subdomains, http, special characters, ...) with GET and
    OPTIONS only, and report what a browser would let each of them read.

    Exit code: 0 no finding reaches --fail-on; 1 findings; 2 usage error; 3 unreachable.
    """
    from ..scan import run as scan_run
    from ..scan.steps import Target

    if (url is None) == (input_file is None):
        raise UsageError("give one URL to scan, or -i FILE with URLs (one a line) or a config")
    default = Target(url=url or "", trusted=origin,
                     headers=tuple(parse_header(h) for h in header or ()),
                     credentials=credentials, every=every)
    if input_file is not None:
        targets = scan_run.read_targets(input_file, default)
    else:
        targets = scan_run.Targets((default,))
    scan_run.validate(targets.items, targets.display)

    from ..net import TransportOptions
    from ..render.run import progress_for
    from ..runner import run_all

    options = TransportOptions(timeout=timeout, insecure=insecure,
                               cacert=str(cacert) if cacert else None,
                               resolve=tuple(parse_resolve(r) for r in resolve or ()))
    reporters: list[Reporter] = []
    progress = progress_for(fmt.value) if len(targets.items) > 1 and sys.stderr.isatty() else None
    if progress is not None:
        reporters.append(progress)
    reporters.append(reporter(SCAN, fmt.value, sys.stdout, color))
    info: dict[str, object] = {"schema": scan_run.SCHEMA}
    if targets.display:
        info["config"] = targets.display
    summary = run_all(targets.items, len(targets.items), reporters, info,
                      options, concurrency=concurrency, per_host=per_host, secrets=targets.secrets,
                      job=scan_run.make_job(fail_on.value))
    raise typer.Exit(summary.exit_code)
