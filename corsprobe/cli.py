"""The command line: options become a RequestSpec, a report is printed, an exit code returned.

No CORS logic lives here. Heavy modules (httpx, rich, the rules) are imported inside the
commands so that ``corsprobe --help`` stays fast. Every CorsprobeError becomes one line on
stderr and its exit code (2 usage, 3 unreachable); nothing ever prints a traceback.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

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


# Options that several commands share, spelled once.
ResolveOpt = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option("--resolve", help="HOST:PORT:ADDRESS, like curl (repeatable)."),
]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="Seconds per request.")]
InsecureOpt = Annotated[bool, typer.Option("--insecure", "-k", help="Skip TLS verification.")]
CacertOpt = Annotated[
    Optional[Path], typer.Option("--cacert", help="CA bundle to verify TLS with.")  # noqa: UP045
]
FailOnOpt = Annotated[
    FailOn, typer.Option("--fail-on", help="Lowest finding severity that makes the exit code 1.")
]
ColorOpt = Annotated[
    Optional[bool],  # noqa: UP045
    typer.Option("--color/--no-color", help="Colour the text report (default: on a terminal).",
                 show_default=False),
]


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
        # show the name only: the rest may be a credential ("Authorization Bearer ...")
        first, space, _ = text.strip().partition(" ")
        shown = f"{first} ..." if space else first
        raise UsageError(f"header '{shown}' has no colon; write it as -H 'Name: value'")
    name = name.strip()
    if not name:
        raise UsageError(f"header '{text}' has no name; write it as -H 'Name: value'")
    return name, value.strip(" \t")


def _secret_name(name: str) -> str:
    from .fetch.safelist import is_token

    name = name.strip()
    if not is_token(name):
        raise UsageError(f"--secret-header '{name}' is not a header name; e.g. "
                         "--secret-header X-Api-Key")
    return name


def parse_resolve(text: str) -> tuple[str, int, str]:
    host, sep1, rest = text.partition(":")
    port, sep2, addr = rest.partition(":")
    if not (sep1 and sep2 and host and addr) or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(
            f"--resolve '{text}' is not HOST:PORT:ADDRESS; e.g. --resolve api.example.com:443:127.0.0.1"
        )
    return host, int(port), addr.strip("[]")


def parse_connect_to(text: str) -> tuple[str, int, str, int]:
    parts = text.split(":")
    ok = len(parts) == 4 and parts[0] and parts[2] and all(
        p.isdigit() and 0 < int(p) < 65536 for p in (parts[1], parts[3]))
    if not ok:
        raise UsageError(f"--connect-to '{text}' is not HOST:PORT:HOST2:PORT2; e.g. "
                         "--connect-to api.example.com:443:127.0.0.1:8443")
    return parts[0], int(parts[1]), parts[2], int(parts[3])


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
    secret_header: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--secret-header", metavar="NAME",
                     help="Redact this header's value in every output, like Authorization, "
                          "Cookie and Proxy-Authorization always are (repeatable)."),
    ] = None,
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
    resolve: ResolveOpt = None,
    timeout: TimeoutOpt = 10.0,
    insecure: InsecureOpt = False,
    cacert: CacertOpt = None,
    max_redirects: Annotated[int, typer.Option("--max-redirects", help="Redirects to follow.")] = 20,
    fail_on: FailOnOpt = FailOn.error,
    probe: Annotated[
        bool, typer.Option("--probe/--no-probe", help="When the origin is refused, try close variants of it (OPTIONS/GET only).")
    ] = True,
    color: ColorOpt = None,
    app_target: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--app", metavar="MODULE:APP", help="Send the requests in-process to this "
                     "ASGI/WSGI app (e.g. myproject.main:app, mysite.wsgi); URL may be a path."),
    ] = None,
) -> None:
    """Check one request, as a page at ORIGIN would make it with fetch(URL, {...})."""
    from .model import RequestSpec

    loaded = None
    if app_target is not None:
        from .apps import APP_BASE_URL, load

        loaded = load(app_target)
        if url.startswith("/"):
            url = APP_BASE_URL + url

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
        secret_headers=tuple(_secret_name(n) for n in secret_header or ()),
    )
    from .net import TransportOptions

    options = TransportOptions(
        timeout=timeout,
        insecure=insecure,
        cacert=str(cacert) if cacert else None,
        resolve=tuple(parse_resolve(r) for r in resolve or ()),
    )
    if browser == Browser.all:
        code = run_check_all(spec, options, fmt.value, fail_on.value, color, probe, loaded)
    else:
        code = run_check(spec, options, fmt.value, fail_on.value, color, probe, loaded)
    raise typer.Exit(code)


def run_check_all(
    spec: object, options: object, fmt: str, fail_on: str, color: bool | None, probe: bool = True,
    app: object = None,
) -> int:
    """Every browser in turn against the same server; exit 1 if any blocks (3: unreachable)."""
    import dataclasses

    from .api import run
    from .fetch.browsers import ALL
    from .report import compare

    results = {name: run(dataclasses.replace(spec, browser=name), options, probe, app)  # type: ignore[type-var]
               for name in ALL}
    doc = compare.build({name: r.report for name, r in results.items()})
    emit(doc, fmt, color, render_text=compare.render_text)
    unreachable = next((r.trace.net_error for r in results.values() if r.trace.net_error), None)
    if unreachable is not None and all(r.trace.net_error for r in results.values()):
        print(f"corsprobe: {unreachable.message}", file=sys.stderr)
        return EXIT_UNREACHABLE
    codes = [exit_code(r, fail_on) if r.trace.net_error is None else EXIT_FAIL
             for r in results.values()]
    return EXIT_FAIL if EXIT_FAIL in codes else EXIT_OK


def run_check(
    spec: object, options: object, fmt: str, fail_on: str, color: bool | None, probe: bool = True,
    app: object = None,
) -> int:
    from .api import run
    from .model import RequestSpec

    assert isinstance(spec, RequestSpec)
    result = run(spec, options, probe, app)  # type: ignore[arg-type]
    emit(result.report, fmt, color)
    return exit_code(result, fail_on)


def emit(report: dict, fmt: str, color: bool | None, render_text: Any = None) -> None:
    """Print ``report`` as JSON or as text (``render_text``; default: the one-check report)."""
    if fmt == "json":
        from .report import json as json_report

        sys.stdout.write(json_report.render(report) + "\n")
    else:
        if render_text is None:
            from .report.text import render as render_text

        use_color = sys.stdout.isatty() if color is None else color
        sys.stdout.write(render_text(report, color=use_color))
    sys.stdout.flush()


def exit_code(result: object, fail_on: str) -> int:
    from .model import SEVERITY_RANK

    trace, found = result.trace, result.findings  # type: ignore[attr-defined]
    if trace.net_error is not None:
        from .report import visible

        print(f"corsprobe: {visible(trace.net_error.message)}", file=sys.stderr)
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


class HarFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


@app.command("har")
def har_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A HAR file (browser's Network panel: Save all as HAR).")],
    origin: Annotated[
        Optional[str], typer.Option("--origin", "-o", help="Only requests made by pages at this origin.")  # noqa: UP045
    ] = None,
    url_contains: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--url-contains", help="Only requests whose URL contains this text (repeatable)."),
    ] = None,
    failed_only: Annotated[bool, typer.Option("--failed-only", help="Show only blocked or failed requests.")] = False,
    credentials: Annotated[
        bool, typer.Option("--credentials", help="The page used credentials: 'include' (a HAR does not record it).")
    ] = False,
    fmt: Annotated[HarFormat, typer.Option("--format", "-f", help="Report format.")] = HarFormat.text,
    replay: Annotated[
        bool, typer.Option("--replay", help="Re-send requests the HAR cannot explain, live, as `check` does.")
    ] = False,
    send_actual: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option("--send-actual/--no-actual", help="With --replay: send unsafe methods' actual "
                     "requests too (default: GET/HEAD only).", show_default=False),
    ] = None,
    browser: Annotated[Browser, typer.Option("--browser", help="Whose limits apply.")] = Browser.chrome,
    resolve: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--resolve", help="With --replay: HOST:PORT:ADDRESS, like curl (repeatable)."),
    ] = None,
    connect_to: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--connect-to", help="With --replay: HOST:PORT:HOST2:PORT2, like curl: "
                     "connect there instead, keeping the URL (repeatable)."),
    ] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="With --replay: seconds per request.")] = 10.0,
    insecure: Annotated[bool, typer.Option("--insecure", "-k", help="With --replay: skip TLS verification.")] = False,
) -> None:
    """Diagnose the cross-origin requests recorded in a HAR file, offline.

    Exit code: 0 every request shown is allowed; 1 one is blocked or failed; 2 bad input.
    """
    from .har.render import render_json, render_markdown, render_text
    from .har.run import Filters, analyse, exit_code
    from .net import TransportOptions

    if timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    options = TransportOptions(timeout=timeout, insecure=insecure,
                               resolve=tuple(parse_resolve(r) for r in resolve or ()),
                               connect_to=tuple(parse_connect_to(c) for c in connect_to or ()))
    doc = analyse(file, Filters(origin, tuple(url_contains or ()), failed_only), replay,
                  send_actual, options, browser.value, credentials)
    render = {"json": render_json, "markdown": render_markdown}.get(fmt.value, render_text)
    sys.stdout.write(render(doc))
    sys.stdout.flush()
    raise typer.Exit(exit_code(doc))


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
    color: ColorOpt = None,
    engine: Annotated[str, typer.Option("--engine", hidden=True)] = "pool",
) -> None:
    """Run the checks of a config file concurrently, with expectations, for CI.

    Exit code: 0 every expectation met; 1 an expectation failed; 3 the only problems are
    unreachable targets; 2 usage or config error.

    Secrets: values of Authorization, Cookie, Proxy-Authorization, of the headers listed in
    secret_headers = [...] and of every ${VAR} are redacted in every output.
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
    loaded = None
    if cfg.app is not None:
        from .apps import load

        loaded = load(cfg.app)
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
            secrets=cfg.secrets, engine=engine, app=loaded,
        )
    finally:
        for handle in files:
            handle.close()  # type: ignore[attr-defined]
    raise typer.Exit(summary.exit_code)


USAGE_EXAMPLES = {
    "check": "corsprobe check https://api.example.com/users --origin https://app.example.com",
    "run": "corsprobe run --config corsprobe.toml",
    "explain": "corsprobe explain CORS101",
    "scan": "corsprobe scan https://api.example.com/me --origin https://app.example.com",
    "har": "corsprobe har session.har --failed-only",
    "rules": "corsprobe rules --format json",
    "demo": "corsprobe demo",
}


def _usage_line(exc: Exception) -> str:
    """A click usage error as one line: what is wrong, a valid example, where help is."""
    ctx = getattr(exc, "ctx", None)
    command = ctx.info_name if ctx is not None and ctx.parent is not None else None
    message = exc.format_message() if hasattr(exc, "format_message") else str(exc)  # type: ignore[attr-defined]
    example = USAGE_EXAMPLES.get(command or "check")
    where = f"corsprobe {command} --help" if command else "corsprobe --help"
    shown = f"; e.g. {example}" if example else ""
    return f"{message.rstrip('.')}{shown} (see {where})"


class ScanFormat(str, Enum):
    text = "text"
    json = "json"
    sarif = "sarif"


@app.command("scan")
def scan_command(
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
    fmt: Annotated[ScanFormat, typer.Option("--format", "-f", help="Report format.")] = ScanFormat.text,
    concurrency: Annotated[
        int, typer.Option("--concurrency", help="URLs scanned at once.")
    ] = 20,
    per_host: Annotated[
        int, typer.Option("--per-host", help="Requests in flight to one host.")
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
    from .scan import run as scan_run
    from .scan.steps import Target

    if (url is None) == (input_file is None):
        raise UsageError("give one URL to scan, or -i FILE with URLs (one a line) or a config")
    if timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    for name, value in (("--concurrency", concurrency), ("--per-host", per_host)):
        if value < 1:
            raise UsageError(f"{name} must be at least 1")
    if cacert is not None and not cacert.is_file():
        raise UsageError(f"--cacert {cacert}: no such file")
    default = Target(url=url or "", trusted=origin,
                     headers=tuple(parse_header(h) for h in header or ()),
                     credentials=credentials, every=every)
    if input_file is not None:
        targets = scan_run.read_targets(input_file, default)
    else:
        targets = scan_run.Targets((default,))
    scan_run.validate(targets.items, targets.display)

    from .net import TransportOptions
    from .runner import progress_for, run

    options = TransportOptions(timeout=timeout, insecure=insecure,
                               cacert=str(cacert) if cacert else None,
                               resolve=tuple(parse_resolve(r) for r in resolve or ()))
    reporters: list[object] = []
    progress = progress_for(fmt.value) if len(targets.items) > 1 and sys.stderr.isatty() else None
    if progress is not None:
        reporters.append(progress)
    if fmt == ScanFormat.text:
        use_color = sys.stdout.isatty() if color is None else color
        reporters.append(scan_run.TextReporter(None, color=use_color))
    else:
        reporters.append(_run_reporter(fmt.value, sys.stdout))
    info: dict[str, object] = {"schema": scan_run.SCHEMA}
    if targets.display:
        info["config"] = targets.display
    summary = run(targets.items, len(targets.items), reporters, info,  # type: ignore[arg-type]
                  options, concurrency=concurrency, per_host=per_host, secrets=targets.secrets,
                  job=scan_run.make_job(fail_on.value))
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
            if exc.__class__.__name__ == "NoArgsIsHelpError":
                show()  # bare `corsprobe`: the help itself
            else:
                print(f"corsprobe: {_usage_line(exc)}", file=sys.stderr)
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if exc.__class__.__name__ == "Abort":
            sys.exit(130)
        print(f"corsprobe: internal error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        sys.exit(70)
