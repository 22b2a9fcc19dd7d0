"""``corsprobe check``: one request, as a page at ORIGIN would make it with fetch().

Exit code (:func:`corsprobe.policy.check_exit`): 0 allowed and no finding reaches
``--fail-on``; 1 blocked or a finding does; 3 the target could not be reached. ``--browser all`` (:func:`run_check_all`)
checks every browser in turn and prints them side by side.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..errors import UsageError
from ..inputs import parse_header, parse_resolve, regular_file, secret_header_name
from ..render import COMPARE, REPORT, show
from .options import (
    Browser,
    CacertOpt,
    ColorOpt,
    CrossOrigin,
    FailOn,
    FailOnOpt,
    FormatName,
    InsecureOpt,
    Kind,
    Mode,
    ProbeOpt,
    ResolveOpt,
    Space,
    ThirdParty,
    TimeoutOpt,
    command_app,
    format_choice,
)

if TYPE_CHECKING:
    from ..jar import Jar
    from ..model import RequestSpec
    from ..net import TransportOptions
    from ..report.model import Report

app = command_app()
if TYPE_CHECKING:
    Format = FormatName
else:  # what renders a report (and --browser all's compare)
    Format = format_choice("Format", REPORT)
TEXT = Format("text")


@app.command("check")
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
    third_party_cookies: Annotated[
        ThirdParty,
        typer.Option("--third-party-cookies", help="Chrome's third-party-cookie setting: allow "
                     "(Chrome's default) or block (incognito, and headless test contexts)."),
    ] = ThirdParty.allow,
    cookie_jar: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--cookie-jar", metavar="FILE",
                     help="curl's Netscape cookie file, read and written as curl -b FILE -c FILE "
                          "do: its cookies matching the URL go on the actual credentialed "
                          "request, and the cookies the browser would store are written back "
                          "(values are redacted in every output)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = TEXT,
    resolve: ResolveOpt = None,
    timeout: TimeoutOpt = 10.0,
    insecure: InsecureOpt = False,
    cacert: CacertOpt = None,
    max_redirects: Annotated[
        int, typer.Option("--max-redirects", min=0, max=100, help="Redirects to follow.")
    ] = 20,
    fail_on: FailOnOpt = FailOn.error,
    probe: ProbeOpt = True,
    stack: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--stack", metavar="LAYERS", help=(
            "The layers in front of and behind the URL, front first, where the wire does not "
            "show them, e.g. nginx,django or varnish,nginx,fastapi (an unknown name lists the "
            "known ones); the report leads with their fixes.")),
    ] = None,
    color: ColorOpt = None,
    page_space: Annotated[
        Optional[Space],  # noqa: UP045
        typer.Option("--page-space", help="Where the page is served from, for Local Network "
                     "Access (default: from the origin's host, resolved when it is a name)."),
    ] = None,
    target_space: Annotated[
        Optional[Space],  # noqa: UP045
        typer.Option("--target-space", help="Where the URL's server is (default: the address "
                     "corsprobe connects to); e.g. to rehearse against a local copy."),
    ] = None,
    kind: Annotated[
        Kind, typer.Option("--kind", help=(
            "The kind of request the page makes: fetch(), XMLHttpRequest, EventSource, <img>, "
            "an @font-face font, a classic <script>, <script type=module>, "
            "<link rel=stylesheet>, navigator.sendBeacon(); each has its own mode, "
            "credentials, headers and failure.")),
    ] = Kind.fetch,
    mode: Annotated[
        Optional[Mode],  # noqa: UP045
        typer.Option("--mode", help="fetch()'s mode (default cors); no-cors loads an opaque "
                     "response the page cannot read."),
    ] = None,
    crossorigin: Annotated[
        Optional[CrossOrigin],  # noqa: UP045
        typer.Option("--crossorigin", help="The element's crossorigin attribute (img, script, "
                     "module, stylesheet; default: none, absent). A font is always CORS with "
                     "same-origin credentials."),
    ] = None,
    app_target: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--app", metavar="MODULE:APP", help="Send the requests in-process to this "
                     "ASGI/WSGI app (e.g. myproject.main:app, mysite.wsgi); URL may be a path."),
    ] = None,
) -> None:
    """Check one request, as a page at ORIGIN would make it with fetch(URL, {...})."""
    from ..model import RequestSpec

    loaded = None
    if app_target is not None:
        from ..apps import APP_BASE_URL, load

        loaded = load(app_target)
        if url.startswith("/"):
            url = APP_BASE_URL + url

    if data is not None and data_file is not None:
        raise UsageError("give the body once: -d/--data or --data-file, not both")
    body: bytes | None = data.encode("utf-8") if data is not None else None
    if data_file is not None:
        try:
            body = regular_file(data_file, "--data-file").read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read --data-file {data_file}: {exc.strerror}") from None
    from ..stack import parse as parse_stack

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
        secret_headers=tuple(secret_header_name(n) for n in secret_header or ()),
        third_party_cookies=third_party_cookies.value,
        page_space=page_space.value if page_space else None,
        target_space=target_space.value if target_space else None,
        stack=parse_stack(stack, "--stack") if stack else (),
        kind=kind.value,
        mode=mode.value if mode else None,
        crossorigin=crossorigin.value if crossorigin else None,
    )
    from ..replay import check_kind

    check_kind(spec)
    jar = None
    jar_notes: tuple[str, ...] = ()
    if cookie_jar is not None:
        if browser == Browser.all:
            raise UsageError("--cookie-jar keeps one browser's cookies: give --browser chrome, "
                             "firefox or safari, not all")
        spec, jar, jar_notes = _with_jar(spec, cookie_jar)
    from ..net import TransportOptions

    options = TransportOptions(
        timeout=timeout,
        insecure=insecure,
        cacert=str(cacert) if cacert else None,
        resolve=tuple(parse_resolve(r) for r in resolve or ()),
    )
    if browser == Browser.all:
        code = run_check_all(spec, options, fmt.value, fail_on.value, color, probe, loaded)
    else:
        code = run_check(spec, options, fmt.value, fail_on.value, color, probe, loaded,
                         jar, jar_notes)
    raise typer.Exit(code)


def _with_jar(spec: RequestSpec, path: Path) -> tuple[RequestSpec, Jar, tuple[str, ...]]:
    """``spec`` with the jar's cookies for its URL (on the actual request, with credentials
    only), and a note naming them (names only)."""
    import dataclasses

    from ..jar import Jar

    jar = Jar(path)
    sent = jar.for_url(spec.url)
    names = ", ".join(sent.names)
    if sent.header is None:
        note = (f"--cookie-jar {path}: no cookie in it matches the URL ({len(jar)} in the jar)"
                if len(jar) else f"--cookie-jar {path}: the jar is empty")
        return spec, jar, (note,)
    if not spec.credentials:
        note = (f"--cookie-jar {path}: cookie(s) {names} match the URL but are not sent: "
                "without --credentials (credentials: 'include') fetch() sends no cookies "
                "cross-origin")
        return spec, jar, (note,)
    note = (f"--cookie-jar {path}: the browser's jar sends cookie(s) {names} on the actual "
            "request (never on the preflight)")
    return dataclasses.replace(spec, cookies=(*spec.cookies, ("Cookie", sent.header))), jar, (note,)


def run_check_all(
    spec: RequestSpec, options: TransportOptions, fmt: str, fail_on: str, color: bool | None,
    probe: bool = True, app: object = None,
) -> int:
    """Every browser in turn against the same server; exit 1 if any blocks (3: unreachable)."""
    import dataclasses

    from .. import policy
    from ..core import check as diagnose
    from ..fetch.browsers import ALL
    from ..report import compare

    reports = {name: diagnose(dataclasses.replace(spec, browser=name), options, probe=probe,
                              app=app)
               for name in ALL}
    show(COMPARE, fmt, compare.build({name: r.data for name, r in reports.items()}), color)
    _say_unreachable(reports.values())
    return policy.all_exit(policy.check_exit(r.trace, r.findings, fail_on)
                           for r in reports.values())


def run_check(
    spec: RequestSpec, options: TransportOptions, fmt: str, fail_on: str, color: bool | None,
    probe: bool = True, app: object = None, jar: Jar | None = None,
    jar_notes: tuple[str, ...] = (),
) -> int:
    from .. import policy
    from ..core import check as diagnose

    report = diagnose(spec, options, probe=probe, app=app)
    if jar is not None:
        report = _keep_cookies(report, jar, jar_notes)
    show(REPORT, fmt, report.data, color)
    _say_unreachable([report])
    return policy.check_exit(report.trace, report.findings, fail_on)


def _keep_cookies(report: Report, jar: Jar, jar_notes: tuple[str, ...]) -> Report:
    """Write what the browser stores to the jar; the report says so (names only)."""
    import dataclasses

    written = jar.store(report.trace)
    jar.save()
    notes = list(jar_notes)
    if written.stored:
        notes.append(f"--cookie-jar {jar.path}: wrote cookie(s) {', '.join(written.stored)}, "
                     "which the browser stores")
    if written.refused:
        notes.append(f"--cookie-jar {jar.path}: did not write cookie(s) "
                     f"{', '.join(written.refused)}: the browser refuses them (see Cookies)")
    return dataclasses.replace(report, notes=(*report.notes, *notes))


def _say_unreachable(reports: Iterable[Report]) -> None:
    """One line on stderr when the target could not be reached (exit 3)."""
    from ..report.words import visible

    reports = list(reports)
    errors = [r.trace.net_error for r in reports if r.trace.net_error is not None]
    if errors and len(errors) == len(reports):
        print(f"corsprobe: {visible(errors[0].message)}", file=sys.stderr)
