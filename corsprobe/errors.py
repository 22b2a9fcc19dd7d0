"""One exception tree; each class carries the exit code the CLI maps it to.

    CorsprobeError                 (exit 1, never raised directly)
     +-- UsageError                exit 2: bad URL, origin, header, option or config

A target that cannot be reached (exit 3: DNS, connect, TLS, timeout, not HTTP) is not raised:
it is recorded in the trace (``Trace.net_error``) and reported, and :mod:`corsprobe.policy`
maps it to exit 3.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3


class CorsprobeError(Exception):
    exit_code = EXIT_FAIL


class UsageError(CorsprobeError):
    """The user's input is wrong; the message names the bad part and shows a valid example.

    ``field``: which part of a request was wrong (url, origin, method, headers, body), so that
    a config error can name its key."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
