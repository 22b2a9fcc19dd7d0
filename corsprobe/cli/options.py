"""Options several commands share, spelled once, and the typer app each command builds.

Values are checked by typer's types (``min=``/``max=`` ranges, ``exists=`` files, enum
choices), so a bad value is a click usage error: one line naming the option, exit 2 (see
:func:`corsprobe.cli.main`).
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class FormatName(str, Enum):
    """A ``--format`` value. Each command's choices are a subclass built by
    :func:`format_choice`; type checkers see this base (``fmt.value`` is the name)."""


def format_choice(name: str, kind: str) -> type[FormatName]:
    """The ``--format`` choices of a command: the formats that render its document ``kind``
    (:data:`corsprobe.render.FORMATS`), as the Enum typer makes a choice of."""
    from ..render import formats_for

    # the functional Enum API on the empty base: a subclass with these members
    return FormatName(name, {f: f for f in formats_for(kind)})  # type: ignore[call-overload]


def command_app() -> typer.Typer:
    """The Typer a command module registers its one command on."""
    return typer.Typer(add_completion=False, rich_markup_mode=None,
                       pretty_exceptions_enable=False)


class Browser(str, Enum):
    chrome = "chrome"
    firefox = "firefox"
    safari = "safari"
    all = "all"


class ThirdParty(str, Enum):
    allow = "allow"
    block = "block"
class Space(str, Enum):
    """An address space, for Local Network Access (--page-space, --target-space)."""

    public = "public"
    private = "private"
    local = "local"


class Kind(str, Enum):
    """The kind of cross-origin request (--kind): corsprobe.fetch.kinds."""

    fetch = "fetch"
    xhr = "xhr"
    eventsource = "eventsource"
    img = "img"
    font = "font"
    script = "script"
    module = "module"
    stylesheet = "stylesheet"
    beacon = "beacon"


class Mode(str, Enum):
    """fetch()'s request mode (--mode)."""

    cors = "cors"
    no_cors = "no-cors"
    same_origin = "same-origin"


class CrossOrigin(str, Enum):
    """An element's crossorigin attribute (--crossorigin); none: absent."""

    anonymous = "anonymous"
    use_credentials = "use-credentials"
    none = "none"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


def positive_seconds(value: float) -> float:
    """``--timeout``: typer's ``min=`` includes its bound, and 0 s is no timeout to wait."""
    if value <= 0:
        raise typer.BadParameter(f"{value:g} is not a positive number of seconds")
    return value


ResolveOpt = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer needs Optional on Python 3.10
    typer.Option("--resolve", help="HOST:PORT:ADDRESS, like curl (repeatable)."),
]
TimeoutOpt = Annotated[
    float, typer.Option("--timeout", callback=positive_seconds, help="Seconds per request.")
]
InsecureOpt = Annotated[bool, typer.Option("--insecure", "-k", help="Skip TLS verification.")]
CacertOpt = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option("--cacert", exists=True, dir_okay=False, help="CA bundle to verify TLS with."),
]
FailOnOpt = Annotated[
    FailOn, typer.Option("--fail-on", help="Lowest finding severity that makes the exit code 1.")
]
ProbeOpt = Annotated[
    bool, typer.Option("--probe/--no-probe", help=(
        "After the browser's requests, send corsprobe's own probes: close variants of a "
        "refused origin, untrusted origins for an echoed one, and the cache probe (the "
        "page's origin and https://corsprobe-cache-check.invalid, in both orders) where a "
        "cache may stand in front. Only OPTIONS/GET/HEAD, no cookies or Authorization, "
        "each on its own URL (?corsprobe=<random>), so no shared cache ever serves a "
        "probe's answer to a real user."))
]
ColorOpt = Annotated[
    Optional[bool],  # noqa: UP045
    typer.Option("--color/--no-color", help="Colour the text report (default: on a terminal).",
                 show_default=False),
]
