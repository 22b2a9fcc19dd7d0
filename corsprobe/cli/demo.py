"""``corsprobe demo``: check a small built-in API with typical CORS mistakes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..render import DEMO
from .options import FormatName, command_app, format_choice

app = command_app()
if TYPE_CHECKING:
    Format = FormatName
else:  # the formats that render this command's document
    Format = format_choice("Format", DEMO)
TEXT = Format("text")


@app.command("demo")
def demo(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = TEXT,
    color: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option("--color/--no-color", help="Colour the text report.", show_default=False),
    ] = None,
) -> None:
    """Start a small built-in API with typical CORS mistakes, check it, and show the reports."""
    from ..demo import run_demo

    run_demo(fmt.value, color)
