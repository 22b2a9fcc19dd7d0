"""``corsprobe har FILE``: diagnose the cross-origin requests a browser recorded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..inputs import parse_connect_to, parse_resolve
from ..render import HAR, show
from .options import Browser, FormatName, command_app, format_choice, positive_seconds

app = command_app()
if TYPE_CHECKING:
    HarFormat = FormatName
else:  # the formats that render this command's document
    HarFormat = format_choice("HarFormat", HAR)
TEXT = HarFormat("text")


@app.command("har")
def har(
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
    fmt: Annotated[HarFormat, typer.Option("--format", "-f", help="Report format.")] = TEXT,
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
    timeout: Annotated[
        float, typer.Option("--timeout", callback=positive_seconds, help="With --replay: seconds per request.")
    ] = 10.0,
    insecure: Annotated[bool, typer.Option("--insecure", "-k", help="With --replay: skip TLS verification.")] = False,
) -> None:
    """Diagnose the cross-origin requests recorded in a HAR file, offline.

    Exit code: 0 every request shown is allowed; 1 one is blocked or failed; 2 bad input.
    """
    from ..har.run import Filters, analyse, exit_code
    from ..net import TransportOptions

    options = TransportOptions(timeout=timeout, insecure=insecure,
                               resolve=tuple(parse_resolve(r) for r in resolve or ()),
                               connect_to=tuple(parse_connect_to(c) for c in connect_to or ()))
    doc = analyse(file, Filters(origin, tuple(url_contains or ()), failed_only), replay,
                  send_actual, options, browser.value, credentials)
    show(HAR, fmt.value, doc)
    raise typer.Exit(exit_code(doc))
