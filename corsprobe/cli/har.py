"""``corsprobe har FILE``: diagnose the cross-origin requests a browser recorded."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..inputs import parse_connect_to, parse_resolve
from .options import Browser, command_app, positive_seconds

app = command_app()


class HarFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


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
    timeout: Annotated[
        float, typer.Option("--timeout", callback=positive_seconds, help="With --replay: seconds per request.")
    ] = 10.0,
    insecure: Annotated[bool, typer.Option("--insecure", "-k", help="With --replay: skip TLS verification.")] = False,
) -> None:
    """Diagnose the cross-origin requests recorded in a HAR file, offline.

    Exit code: 0 every request shown is allowed; 1 one is blocked or failed; 2 bad input.
    """
    from ..har.render import render_json, render_markdown, render_text
    from ..har.run import Filters, analyse, exit_code
    from ..net import TransportOptions

    options = TransportOptions(timeout=timeout, insecure=insecure,
                               resolve=tuple(parse_resolve(r) for r in resolve or ()),
                               connect_to=tuple(parse_connect_to(c) for c in connect_to or ()))
    doc = analyse(file, Filters(origin, tuple(url_contains or ()), failed_only), replay,
                  send_actual, options, browser.value, credentials)
    render = {"json": render_json, "markdown": render_markdown}.get(fmt.value, render_text)
    sys.stdout.write(render(doc))
    sys.stdout.flush()
    raise typer.Exit(exit_code(doc))
