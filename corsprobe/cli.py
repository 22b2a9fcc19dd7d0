"""The command line: options become a RequestSpec, a report is printed, an exit code returned.

No CORS logic lives here. Heavy modules (httpx, rich, the rules) are imported inside the
commands so that ``corsprobe --help`` stays fast. Every CorsprobeError becomes one line on
stderr and its exit code (2 usage, 3 unreachable); nothing ever prints a traceback.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__
from .errors import EXIT_FAIL, EXIT_OK, EXIT_UNREACHABLE, CorsprobeError, UsageError

app = typer.Typer(
    name="corsprobe",
    help="Replay what a browser does with a cross-origin request against the real server, "
    "and say what it will do, why, and how to fix it.",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    text = "text"
    json = "json"


class Browser(str, Enum):
    chrome = "chrome"
    firefox = "firefox"
    safari = "safari"
    all = "all"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


def _version(value: bool) -> None:
    if value:
        print(f"corsprobe {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """corsprobe: a CORS debugger."""


def parse_header(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep:
        raise UsageError(f"header '{text}' has no colon; write it as -H 'Name: value'")
    name = name.strip()
    if not name:
        raise UsageError(f"header '{text}' has no name; write it as -H 'Name: value'")
    return name, value.strip(" \t")


def parse_resolve(text: str) -> tuple[str, int, str]:
    host, sep1, rest = text.partition(":")
    port, sep2, addr = rest.partition(":")
    if not (sep1 and sep2 and host and addr) or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(
            f"--resolve '{text}' is not HOST:PORT:ADDRESS; e.g. --resolve api.example.com:443:127.0.0.1"
        )
    return host, int(port), addr.strip("[]")


@app.command()
def check(
    url: Annotated[str, typer.Argument(metavar="URL", help="The URL the page fetches.")],
    origin: Annotated[
        str, typer.Option("--origin", "-o", help="The page's origin: scheme://host[:port].")
    ],
    method: Annotated[str, typer.Option("--method", "-X", help="Request method.")] = "GET",
    header: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Option("--header", "-H", help="A header the page sets: 'Name: value' (repeatable)."),
    ] = None,
    data: Annotated[Optional[str], typer.Option("--data", "-d", help="Request body.")] = None,  # noqa: UP045
    data_file: Annotated[
        Optional[Path], typer.Option("--data-file", help="Read the request body from a file.")  # noqa: UP045
    ] = None,
    credentials: Annotated[
        bool, typer.Option("--credentials", help="credentials: 'include' (cookies, HTTP auth).")
    ] = False,
    expect_header: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--expect-header", help="A response header the page's JavaScript must read."),
    ] = None,
    send_actual: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option(
            "--send-actual/--no-actual",
            help="Send the actual request. Default: only for GET, HEAD and OPTIONS.",
            show_default=False,
        ),
    ] = None,
    browser: Annotated[
        Browser,
        typer.Option("--browser", help="Whose rules and console texts apply; all: every browser, "
                     "side by side."),
    ] = Browser.chrome,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    resolve: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--resolve", help="HOST:PORT:ADDRESS, like curl (repeatable)."),
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per request.")] = 10.0,
    insecure: Annotated[bool, typer.Option("--insecure", "-k", help="Skip TLS verification.")] = False,
    cacert: Annotated[
        Optional[Path], typer.Option("--cacert", help="CA bundle to verify TLS with.")  # noqa: UP045
    ] = None,
    max_redirects: Annotated[int, typer.Option("--max-redirects", help="Redirects to follow.")] = 20,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Lowest finding severity that makes the exit code 1.")
    ] = FailOn.error,
    probe: Annotated[
        bool, typer.Option("--probe/--no-probe", help="When the origin is refused, try close variants of it (OPTIONS/GET only).")
    ] = True,
    color: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option("--color/--no-color", help="Colour the text report (default: on a terminal).",
                     show_default=False),
    ] = None,
) -> None:
    """Check one request, as a page at ORIGIN would make it with fetch(URL, {...})."""
    from .model import RequestSpec

    if data is not None and data_file is not None:
        raise UsageError("give the body once: -d/--data or --data-file, not both")
    body: bytes | None = data.encode("utf-8") if data is not None else None
    if data_file is not None:
        try:
            body = data_file.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read --data-file {data_file}: {exc.strerror}") from None
    if timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if not 0 <= max_redirects <= 100:
        raise UsageError("--max-redirects must be between 0 and 100")
    if cacert is not None and not cacert.is_file():
        raise UsageError(f"--cacert {cacert}: no such file")
    spec = RequestSpec(
        url=url,
        origin=origin,
        method=method,
        headers=tuple(parse_header(h) for h in header or ()),
        body=body,
        credentials=credentials,
        send_actual=send_actual,
        expect_headers=tuple(expect_header or ()),
        browser="chrome" if browser == Browser.all else browser.value,
        max_redirects=max_redirects,
    )
    from .net import TransportOptions

    options = TransportOptions(
        timeout=timeout,
        insecure=insecure,
        cacert=str(cacert) if cacert else None,
        resolve=tuple(parse_resolve(r) for r in resolve or ()),
    )
    if browser == Browser.all:
        code = run_check_all(spec, options, fmt.value, fail_on.value, color, probe)
    else:
        code = run_check(spec, options, fmt.value, fail_on.value, color, probe)
    raise typer.Exit(code)


def run_check_all(
    spec: object, options: object, fmt: str, fail_on: str, color: bool | None, probe: bool = True
) -> int:
    """Every browser in turn against the same server; exit 1 if any blocks (3: unreachable)."""
    import dataclasses

    from .api import run
    from .fetch.browsers import ALL
    from .report import compare

    results = {name: run(dataclasses.replace(spec, browser=name), options, probe)  # type: ignore[type-var]
               for name in ALL}
    doc = compare.build({name: r.report for name, r in results.items()})
    if fmt == "json":
        from .report import json as json_report

        sys.stdout.write(json_report.render(doc) + "\n")
    else:
        use_color = sys.stdout.isatty() if color is None else color
        sys.stdout.write(compare.render_text(doc, color=use_color))
    sys.stdout.flush()
    unreachable = next((r.trace.net_error for r in results.values() if r.trace.net_error), None)
    if unreachable is not None and all(r.trace.net_error for r in results.values()):
        print(f"corsprobe: {unreachable.message}", file=sys.stderr)
        return EXIT_UNREACHABLE
    codes = [exit_code(r, fail_on) if r.trace.net_error is None else EXIT_FAIL
             for r in results.values()]
    return EXIT_FAIL if EXIT_FAIL in codes else EXIT_OK


def run_check(
    spec: object, options: object, fmt: str, fail_on: str, color: bool | None, probe: bool = True
) -> int:
    from .api import run
    from .model import RequestSpec

    assert isinstance(spec, RequestSpec)
    result = run(spec, options, probe)  # type: ignore[arg-type]
    emit(result.report, fmt, color)
    return exit_code(result, fail_on)


def emit(report: dict, fmt: str, color: bool | None) -> None:
    if fmt == "json":
        from .report import json as json_report

        sys.stdout.write(json_report.render(report) + "\n")
    else:
        from .report import text as text_report

        use_color = sys.stdout.isatty() if color is None else color
        sys.stdout.write(text_report.render(report, color=use_color))
    sys.stdout.flush()


def exit_code(result: object, fail_on: str) -> int:
    from .model import SEVERITY_RANK

    trace, found = result.trace, result.findings  # type: ignore[attr-defined]
    if trace.net_error is not None:
        print(f"corsprobe: {trace.net_error.message}", file=sys.stderr)
        return EXIT_UNREACHABLE
    if trace.allowed is False:
        return EXIT_FAIL
    if fail_on != "never" and any(
        SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in found
    ):
        return EXIT_FAIL
    return EXIT_OK


@app.command()
def rules(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
) -> None:
    """List the rule catalogue."""
    from .rules import all_rules

    catalogue = all_rules()
    if fmt == Format.json:
        import json

        print(json.dumps([
            {"id": r.id, "name": r.name, "severity": r.severity, "family": r.family,
             "title": r.title, "doc": r.doc}
            for r in catalogue
        ], indent=2))
        return
    family = None
    for r in catalogue:
        if r.family != family:
            family = r.family
            print(f"\n{family}")
        print(f"  {r.id}  {r.severity:7}  {r.name:45} {r.title}")
    print("\ncorsprobe explain RULE shows a rule's documentation (RULE: id or name).")


@app.command()
def explain(rule_id: Annotated[str, typer.Argument(metavar="RULE", help="Rule id or name.")]) -> None:
    """Show one rule's documentation."""
    from .rules import all_rules

    wanted = rule_id.strip().lower()
    for r in all_rules():
        if wanted in (r.id.lower(), r.name):
            from rich.console import Console
            from rich.text import Text

            console = Console(highlight=False)
            console.print(Text(f"{r.id} {r.name}", style="bold"), Text(f"({r.severity}, {r.family})", style="dim"))
            console.print(Text(r.title, style="italic"))
            console.print()
            for line in r.doc.splitlines():
                is_heading = line.rstrip().endswith(":") and not line.startswith(" ")
                console.print(Text(line, style="bold cyan" if is_heading else ""))
            return
    raise UsageError(f"no rule '{rule_id}'; `corsprobe rules` lists them (e.g. CORS102)")


@app.command()
def demo(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    color: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option("--color/--no-color", help="Colour the text report.", show_default=False),
    ] = None,
) -> None:
    """Start a small built-in API with typical CORS mistakes, check it, and show the reports."""
    from .demo import run_demo

    run_demo(fmt.value, color)


class RunFormat(str, Enum):
    text = "text"
    json = "json"
    junit = "junit"
    sarif = "sarif"
    markdown = "markdown"
    github = "github"


def _open_report(path: Path) -> object:
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def _run_reporter(fmt: str, out: object, color: bool = False) -> object:
    if fmt == "text":
        from .runner import TextReporter

        return TextReporter(None if out is sys.stdout else out, color=color)  # type: ignore[arg-type]
    if fmt == "json":
        from .runner import JsonReporter

        return JsonReporter(out)  # type: ignore[arg-type]
    if fmt == "junit":
        from .report.junit import JUnitReporter

        return JUnitReporter(out)  # type: ignore[arg-type]
    if fmt == "sarif":
        from .report.sarif import SarifReporter

        return SarifReporter(out)  # type: ignore[arg-type]
    if fmt == "markdown":
        from .report.markdown import MarkdownReporter

        return MarkdownReporter(out)  # type: ignore[arg-type]
    from .report.github import GitHubReporter

    return GitHubReporter(out)  # type: ignore[arg-type]


@app.command("run")
def run_command(
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
        typer.Option("--concurrency", help="Checks in flight at once (default 20).", show_default=False),
    ] = None,
    per_host: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--per-host", help="Requests in flight to one host (default 10).", show_default=False),
    ] = None,
    only: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--only", help="Run only the check with this name (repeatable)."),
    ] = None,
    tag: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--tag", help="Run only checks with this tag (repeatable)."),
    ] = None,
    fmt: Annotated[RunFormat, typer.Option("--format", "-f", help="Report format on stdout.")] = RunFormat.text,
    json_file: Annotated[Optional[Path], typer.Option("--json", help="Also write the JSON report here.")] = None,  # noqa: UP045
    junit_file: Annotated[Optional[Path], typer.Option("--junit", help="Also write JUnit XML here.")] = None,  # noqa: UP045
    sarif_file: Annotated[Optional[Path], typer.Option("--sarif", help="Also write SARIF 2.1.0 here.")] = None,  # noqa: UP045
    markdown_file: Annotated[Optional[Path], typer.Option("--markdown", help="Also write a Markdown summary here.")] = None,  # noqa: UP045
    base_url: Annotated[
        Optional[str], typer.Option("--base-url", help="Replace the config's base_url.")  # noqa: UP045
    ] = None,
    color: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option("--color/--no-color", help="Colour the text report (default: on a terminal).",
                     show_default=False),
    ] = None,
    engine: Annotated[str, typer.Option("--engine", hidden=True)] = "pool",
) -> None:
    """Run the checks of a config file concurrently, with expectations, for CI.

    Exit code: 0 every expectation met; 1 an expectation failed; 3 the only problems are
    unreachable targets; 2 usage or config error.
    """
    from . import config as config_mod

    if config_arg is not None and config is not None and config_arg != config:
        raise UsageError("give the config once: as the argument or with --config, not both")
    cfg = config_mod.load(config or config_arg, base_url=base_url)
    for name, value in (("--concurrency", concurrency), ("--per-host", per_host)):
        if value is not None and value < 1:
            raise UsageError(f"{name} must be at least 1")
    if engine not in ("pool", "httpx"):
        raise UsageError("--engine is pool or httpx")
    wanted_names, wanted_tags = set(only or ()), set(tag or ())

    def keep(c: object) -> bool:
        if wanted_names and c.name not in wanted_names and c.group not in wanted_names:  # type: ignore[attr-defined]
            return False
        return not wanted_tags or bool(wanted_tags.intersection(c.tags))  # type: ignore[attr-defined]

    total, seen = 0, set()
    for c in cfg.checks():
        if keep(c):
            total += 1
            seen.update((c.name, c.group))
    missing = sorted(wanted_names - seen)
    if missing:
        raise UsageError(f"--only {missing[0]!r}: no check in {cfg.display} has that name"
                         + ("" if not wanted_tags else " (with the --tag filter)"))
    if total == 0:
        raise UsageError(f"no check in {cfg.display} has the tag(s) {', '.join(sorted(wanted_tags))}")

    from .net import TransportOptions
    from .runner import progress_for, run

    options = TransportOptions(timeout=cfg.timeout, insecure=cfg.insecure, cacert=cfg.cacert,
                               resolve=cfg.resolve)
    files = []
    reporters: list[object] = []
    progress = progress_for(fmt.value)
    if progress is not None:
        reporters.append(progress)
    use_color = sys.stdout.isatty() if color is None else color
    reporters.append(_run_reporter(fmt.value, sys.stdout, use_color))
    for kind, path in (("json", json_file), ("junit", junit_file), ("sarif", sarif_file),
                       ("markdown", markdown_file)):
        if path is not None:
            handle = _open_report(path)
            files.append(handle)
            reporters.append(_run_reporter(kind, handle))
    try:
        summary = run(
            (c for c in cfg.checks() if keep(c)), total, reporters,  # type: ignore[arg-type]
            {"config": cfg.display}, options,
            concurrency=concurrency or cfg.concurrency or config_mod.DEFAULT_CONCURRENCY,
            per_host=per_host or cfg.per_host or config_mod.DEFAULT_PER_HOST,
            secrets=cfg.secrets, engine=engine,
        )
    finally:
        for handle in files:
            handle.close()  # type: ignore[attr-defined]
    raise typer.Exit(summary.exit_code)


def main() -> None:
    # httpcore probes for trio at import (~50 ms when installed); this process never uses it.
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
    try:
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except CorsprobeError as exc:
        print(f"corsprobe: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("corsprobe: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected: one line, no traceback
        # typer vendors click; its exceptions carry show() and an exit code.
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if exc.__class__.__name__ == "Abort":
            sys.exit(130)
        print(f"corsprobe: internal error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        sys.exit(70)
