"""The only package that talks to the network (and the only one importing httpx).

A transport sends one request exactly as given (no default headers, no redirect following, no
proxies from the environment, no decompression) and records the response's status and header
lines in order, duplicates and letter case included, plus a capped body excerpt.

- :mod:`.options`    TransportOptions, the limits, importing httpx cheaply
- :mod:`.wire`       a response head read as Chromium reads it; failures named
- :mod:`.record`     the request made ready for the wire; the answer recorded
- :mod:`.sync`       :class:`Transport`, blocking (``corsprobe check``)
- :mod:`.blocking`   the deadline-keeping socket streams under :class:`Transport`
- :mod:`.pool`       :class:`AsyncTransport`, a keep-alive pool on asyncio (``run``, ``scan``)
- :mod:`.aiopool`    that pool: asyncio protocol, streams, connections kept per origin, h11
                     driven directly (the common exchange in plain code h11 agrees with)
- :mod:`.inprocess`  :class:`AppTransport` / :class:`AsyncAppTransport` (``--app``)

Imports go one way inside: options and wire first, then record, then the transports.
httpx itself is imported on first use, never by importing this package: :mod:`.blocking` and
:mod:`.aiopool` (which import httpx, httpcore or h11 at their top) are imported when a
transport builds its first connection pool.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .inprocess import AppTransport, AsyncAppTransport
    from .options import BODY_CAP, MAX_HEAD, TransportOptions, address_of
    from .pool import AsyncTransport
    from .sync import Transport

# each name is imported from its module on first use (PEP 562): importing a submodule, as
# ``run`` does for the options before its worker processes start, runs this file, and the
# transports' modules are then imported by whoever sends
_HOMES = {
    "AppTransport": "inprocess", "AsyncAppTransport": "inprocess", "BODY_CAP": "options",
    "MAX_HEAD": "options", "TransportOptions": "options", "address_of": "options",
    "AsyncTransport": "pool", "Transport": "sync",
}
__all__ = [
    "BODY_CAP", "MAX_HEAD", "AppTransport", "AsyncAppTransport", "AsyncTransport", "Transport",
    "TransportOptions", "address_of",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
