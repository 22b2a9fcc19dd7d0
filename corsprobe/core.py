"""The one pipeline: a request becomes a report.

    RequestSpec ─replay─▶ Trace ─probes─▶ Trace ─rules─▶ findings ─▶ Report

The browser's work is a sans-I/O step generator (:func:`corsprobe.replay.replay`,
:func:`corsprobe.probe.steps`, :func:`corsprobe.scan.steps.steps`): it yields each request
it would send and receives the exchange. The core drives such steps with whatever answers
them (the network, blocking or on asyncio; an in-process ASGI/WSGI app; a HAR recording),
runs the rule families the caller chose, and wraps the result in a frozen
:class:`~corsprobe.report.model.Report`. Every command (``check``, ``run``, ``scan``,
``har``, ``demo``), the Python API and the pytest plugin come through here, and nothing else
runs rules or builds reports.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, Union

from .engine import findings
from .model import Exchange, HttpRequest, RequestSpec, Trace
from .policy import most_severe_first
from .replay import Steps, drive, drive_async, replay
from .report.model import Framework, Report
from .rules import FAMILIES

CHECK_FAMILIES: tuple[str, ...] = tuple(f for f in FAMILIES if f != "scan")
SCAN_FAMILIES: tuple[str, ...] = ("scan",)

# Whether to send probes after the replay: always, never, or when a predicate on the trace
# says so (``run`` probes only a check whose expectations failed).
Probing = Union[bool, Callable[[Trace], bool]]  # noqa: UP007 - a runtime alias on 3.10


def steps(spec: RequestSpec, probe: Probing = True) -> Steps[Trace]:
    """The browser's steps for ``spec``, then (as ``probe`` says) the probes that name why
    an origin was refused or how far an echoed one is trusted (:mod:`corsprobe.probe`).

    Raises UsageError before the first request when fetch() would refuse the input.
    """
    trace = yield from replay(spec)
    if probe is True or (probe is not False and probe(trace)):
        from . import probe as probes  # imported by the first check that probes

        trace = yield from probes.steps(trace)
    return trace


def conclude(trace: Trace, families: tuple[str, ...] = CHECK_FAMILIES,
             notes: tuple[str, ...] = (), framework: Framework | None = None) -> Report:
    """Run the chosen rule families over a finished trace and make its report."""
    return Report(trace, tuple(most_severe_first(findings(trace, families))), notes, framework)


def diagnose(work: Steps[Trace], send: Callable[[HttpRequest], Exchange], *,
             families: tuple[str, ...] = CHECK_FAMILIES, notes: tuple[str, ...] = (),
             framework: Framework | None = None) -> Report:
    """Drive ``work`` with a blocking ``send`` and conclude."""
    return conclude(drive(work, send), families, notes, framework)


async def diagnose_async(work: Steps[Trace], send: Callable[[HttpRequest], Awaitable[Exchange]],
                         *, families: tuple[str, ...] = CHECK_FAMILIES,
                         notes: tuple[str, ...] = (),
                         framework: Framework | None = None) -> Report:
    """Drive ``work`` with an awaitable ``send`` and conclude."""
    return conclude(await drive_async(work, send), families, notes, framework)


# -- what answers: the network or an in-process app ----------------------------------------------


@dataclass(frozen=True)
class Connection:
    """What answers the requests, and what the report must say about it."""

    send: Callable[..., Any]  # (HttpRequest) -> Exchange, or an awaitable of one
    notes: tuple[str, ...] = ()
    framework: Framework | None = None
    closer: Any = None  # the transport, closed when the connection ends


def _about(options: Any, app: Any) -> tuple[tuple[str, ...], Framework | None]:
    notes: tuple[str, ...] = ()
    if options is not None and options.insecure:
        notes = ("TLS certificate verification was turned off (--insecure): a browser would "
                 "refuse an invalid certificate before any CORS check",)
    framework = None
    if app is not None:
        notes = (*notes, app.note)
        if app.framework:
            framework = Framework(app.framework, (f"the in-process app is a "
                                                  f"{type(app.app).__module__}."
                                                  f"{type(app.app).__name__}",))
    return notes, framework


def load_app(app: object) -> Any:
    """An app given as an object, ``"module:attr"`` or already loaded, loaded once."""
    if app is None:
        return None
    from .apps import resolve

    return resolve(app)


@contextmanager
def connect(options: Any = None, app: object = None) -> Iterator[Connection]:
    """A blocking connection: the network (``options``) or an in-process ``app``."""
    from .net import AppTransport, Transport, TransportOptions

    options = options or TransportOptions()
    loaded = load_app(app)
    transport: Any = AppTransport(loaded, options) if loaded is not None else Transport(options)
    notes, framework = _about(options, loaded)
    with transport:
        yield Connection(transport.send, notes, framework, transport)


@asynccontextmanager
async def connect_async(options: Any = None, app: object = None,
                        engine: str = "pool") -> AsyncIterator[Connection]:
    """An asyncio connection pool (``run``, ``scan``): the network or an in-process app."""
    from .net import AsyncAppTransport, AsyncTransport, TransportOptions

    options = options or TransportOptions()
    loaded = load_app(app)
    transport: Any = (AsyncAppTransport(loaded, options) if loaded is not None
                      else AsyncTransport(options, engine=engine))
    notes, framework = _about(options, loaded)
    try:
        yield Connection(transport.send, notes, framework, transport)
    finally:
        await transport.aclose()


@functools.lru_cache(maxsize=256)
def _address_of(host: str, port: int, options: Any) -> str | None:
    """The address ``host`` connects to, looked up once per run: a config of many checks
    names the same page origin in every check, and a lookup that fails (a placeholder name
    with no DNS) can take as long as a request."""
    from .net import address_of

    return address_of(host, port, options)


def address_spaces(spec: RequestSpec, options: Any) -> tuple[RequestSpec, tuple[str, ...]]:
    """``spec`` with the page's and the target's address spaces filled in where the user gave
    none and the host is a name (Local Network Access): from the address the transport would
    connect to (``--resolve`` first, then DNS), and notes saying what was assumed when the
    verdict depends on it. A name that does not resolve stays unknown."""
    import dataclasses

    from .fetch import gates
    from .fetch.urls import InvalidInput, parse_origin, parse_url
    from .net import TransportOptions

    options = options or TransportOptions()
    try:
        page, url = parse_origin(spec.origin), parse_url(spec.url)
    except InvalidInput:
        return spec, ()  # replay reports the usage error
    found: dict[str, tuple[str, str, str]] = {}
    for what, origin, given in (("page", page, spec.page_space), ("target", url.origin,
                                                                   spec.target_space)):
        if given or origin.opaque or gates.space_of_host(origin.host) is not None:
            continue
        address = _address_of(origin.host, origin.port, options)
        if address is not None:
            found[what] = (origin.host, address, gates.space_of_address(address))
    if not found:
        return spec, ()
    page_space = found["page"][2] if "page" in found else spec.page_space
    target_space = found["target"][2] if "target" in found else spec.target_space
    spec = dataclasses.replace(spec, page_space=page_space, target_space=target_space)
    target = target_space or gates.space_of_host(url.host)
    if target in (None, "public"):
        return spec, ()  # Local Network Access does not apply: nothing to say
    notes = []
    for what, (host, address, space) in found.items():
        option = "--page-space" if what == "page" else "--target-space"
        notes.append(f"Local Network Access: the {what} is taken to be in the {space} address "
                     f"space ({host} connects to {address}); {option} says otherwise")
    return spec, tuple(notes)


def check(spec: RequestSpec, options: Any = None, *, probe: Probing = True,
          app: object = None) -> Report:
    """One request, replayed against the server (or ``app``) and diagnosed: ``check``."""
    notes: tuple[str, ...] = ()
    if app is None:
        spec, notes = address_spaces(spec, options)
    with connect(options, app) as conn:
        return diagnose(steps(spec, probe), conn.send, notes=(*notes, *conn.notes),
                        framework=conn.framework)
