"""Command-line style inputs parsed into values: ``-H 'Name: value'``, ``--resolve``,
``--connect-to`` and ``--secret-header`` names, and input files checked before they are read.

Shared by the commands and the Python API (``corsprobe.check(headers=["Name: value"])``).
Low level on purpose: it imports only :mod:`corsprobe.errors` and :mod:`corsprobe.fetch`.
Every bad input is a :class:`~corsprobe.errors.UsageError` that shows a valid example.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from .errors import UsageError


def output_file(path: Path) -> IO[str]:
    """``path`` opened for a report (``--json FILE`` and the like); a one-line usage error
    when it cannot be written."""
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from None


def regular_file(path: Path, what: str) -> Path:
    """``path``, unless it names something that is not a regular file: a directory, or a FIFO
    or device that would block the read forever. A missing file is left to the reader."""
    if path.exists() and not path.is_file():
        raise UsageError(f"{what} {path}: cannot read it: not a regular file")
    return path


def parse_header(text: str) -> tuple[str, str]:
    """``"Name: value"`` as ``(name, value)``; the value keeps inner spaces."""
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


def secret_header_name(name: str) -> str:
    """A ``--secret-header`` value: a header name (an HTTP token)."""
    from .fetch.safelist import is_token  # imported on use: ``--help`` stays light

    name = name.strip()
    if not is_token(name):
        raise UsageError(f"--secret-header '{name}' is not a header name; e.g. "
                         "--secret-header X-Api-Key")
    return name


def parse_resolve(text: str) -> tuple[str, int, str]:
    """curl's ``--resolve HOST:PORT:ADDRESS`` (an IPv6 address may be in brackets)."""
    host, sep1, rest = text.partition(":")
    port, sep2, addr = rest.partition(":")
    if not (sep1 and sep2 and host and addr) or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(
            f"--resolve '{text}' is not HOST:PORT:ADDRESS; e.g. --resolve api.example.com:443:127.0.0.1"
        )
    return host, int(port), addr.strip("[]")


def parse_connect_to(text: str) -> tuple[str, int, str, int]:
    """curl's ``--connect-to HOST:PORT:HOST2:PORT2``."""
    parts = text.split(":")
    ok = len(parts) == 4 and parts[0] and parts[2] and all(
        p.isdigit() and 0 < int(p) < 65536 for p in (parts[1], parts[3]))
    if not ok:
        raise UsageError(f"--connect-to '{text}' is not HOST:PORT:HOST2:PORT2; e.g. "
                         "--connect-to api.example.com:443:127.0.0.1:8443")
    return parts[0], int(parts[1]), parts[2], int(parts[3])
