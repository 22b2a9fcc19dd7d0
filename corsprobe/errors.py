"""One exception tree; each class carries the exit code the CLI maps it to.

    CorsprobeError                 (exit 1, never raised directly)
     +-- UsageError                exit 2: bad URL, origin, header, option or config
     +-- UnreachableError          exit 3: DNS, connect, TLS, timeout, not HTTP
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


class CorsprobeError(Exception):
    exit_code = EXIT_FAIL


class UsageError(CorsprobeError):
    """The user's input is wrong; the message names the bad part and shows a valid example."""

    exit_code = EXIT_USAGE


class UnreachableError(CorsprobeError):
    exit_code = EXIT_UNREACHABLE

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
