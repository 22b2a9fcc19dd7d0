"""The Python entry points shared by every command, and the public API.

:func:`run` is the pipeline (a RequestSpec in, a Result out) that ``check`` uses;
:func:`check` (re-exported as ``corsprobe.check``) is the documented API for programs and
test suites, returning a typed :class:`Report`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Finding, RequestSpec, Trace
from .net import TransportOptions


@dataclass(frozen=True)
class Result:
    trace: Trace
    findings: list[Finding]
    report: dict[str, Any]


def run(spec: RequestSpec, options: TransportOptions | None = None, probe: bool = True,
        app: object = None) -> Result:
    """Replay ``spec`` against the real server, diagnose it, and build the report/v1 dict.

    ``app``: an ASGI/WSGI application (the object, or ``"module:attr"``) that answers
    in-process instead of the network (see :mod:`corsprobe.apps`).
    """
    from . import probe as probe_mod
    from . import replay
    from .engine import findings as run_rules
    from .report.build import build

    notes = transport_notes(options)
    if app is not None:
        from .apps import resolve
        from .net import AppTransport

        loaded = resolve(app)
        transport: Any = AppTransport(loaded, options or TransportOptions())
        notes = (*notes, loaded.note)
    else:
        from .net import Transport

        transport = Transport(options or TransportOptions())
    with transport:
        trace = replay.run(spec, transport)
        if probe:
            trace = probe_mod.run(trace, transport)
    found = run_rules(trace)
    report = build(trace, found, extra_notes=notes)
    if app is not None and report.get("framework") is None and loaded.framework:
        from .frameworks import LABELS

        report["framework"] = {  # no Server header in-process, but the app says what it is
            "name": loaded.framework, "label": LABELS[loaded.framework],
            "evidence": [f"the in-process app is a {type(loaded.app).__module__}."
                         f"{type(loaded.app).__name__}"]}
    return Result(trace, found, report)


def transport_notes(options: TransportOptions | None) -> tuple[str, ...]:
    if options is not None and options.insecure:
        return ("TLS certificate verification was turned off (--insecure): a browser would "
                "refuse an invalid certificate before any CORS check",)
    return ()


@dataclass(frozen=True)
class Report:
    """What the browser does with one cross-origin request, why, and how to fix it.

    ``allowed``: True (the page's fetch() resolves), False (blocked, or a network error),
    None (the preflight passed but the actual request was not sent: unsafe methods need
    ``send_actual=True``). ``blocked_at`` is ``"preflight"``, ``"actual"``, ``"redirect"`` or
    None; ``browser_error`` the DevTools ``Network.CorsError`` name and ``console_message``
    Chromium's console line. ``findings`` are the rules that fired, most severe first.
    ``data`` is the ``corsprobe/report/v1`` dict that ``--format json`` prints.
    """

    allowed: bool | None
    blocked_at: str | None
    browser_error: str | None
    console_message: str | None
    readable_headers: tuple[str, ...]
    findings: tuple[Finding, ...]
    error: str | None  # the network failure (DNS, connect, TLS, ...), if any
    data: dict[str, Any] = field(repr=False)
    trace: Trace = field(repr=False)

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def diagnosis(self) -> str:
        """The verdict, the console message and each finding with its fix, as text lines."""
        from .render.words import verdict

        lines = [verdict(self.data)]
        if self.console_message:
            lines.append(f"console: {self.console_message}")
        framework = (self.data.get("framework") or {}).get("name")
        for f in self.findings:
            lines.append(f"{f.severity} {f.rule} {f.name}: {f.message}")
            fix = f.fix.get("generic")
            if fix:
                lines.append(f"  fix: {fix}")
            if framework and f.fix.get(framework):
                lines.append(f"  fix ({framework}): {f.fix[framework]}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.diagnosis()


HeadersArg = Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[str] | None


def _header_pairs(headers: HeadersArg) -> tuple[tuple[str, str], ...]:
    if headers is None:
        return ()
    if isinstance(headers, Mapping):
        return tuple((str(k), str(v)) for k, v in headers.items())
    pairs = []
    for item in headers:
        if isinstance(item, str):
            from .inputs import parse_header

            pairs.append(parse_header(item))
        else:
            name, value = item
            pairs.append((str(name), str(value)))
    return tuple(pairs)


def check(
    url: str,
    *,
    origin: str,
    method: str = "GET",
    headers: HeadersArg = None,
    body: bytes | str | None = None,
    credentials: bool = False,
    app: object = None,
    send_actual: bool | None = None,
    expect_headers: Iterable[str] = (),
    browser: str = "chrome",
    timeout: float = 10.0,
    max_redirects: int = 20,
    probe: bool = True,
) -> Report:
    """Check one request as a page at ``origin`` would make it with ``fetch(url, {...})``.

    ``app``: an ASGI or WSGI application object (FastAPI, Starlette, Django's handler,
    Flask) or ``"module:attr"``; the requests are then answered in-process, and ``url`` may
    be a path (``"/api/users"``, sent to ``http://localhost``). Without ``app`` the real
    server at ``url`` is asked. ``headers``: a mapping, ``(name, value)`` pairs, or
    ``"Name: value"`` strings. Unsafe methods' actual requests are sent only with
    ``send_actual=True`` (GET, HEAD and OPTIONS always are).

    Raises :class:`corsprobe.errors.UsageError` for input fetch() would refuse (a bad
    origin, a forbidden header, ...). A network failure is reported, not raised
    (``report.error``).
    """
    if app is not None and url.startswith("/"):
        from .apps import APP_BASE_URL

        url = APP_BASE_URL + url
    spec = RequestSpec(
        url=url, origin=origin, method=method, headers=_header_pairs(headers),
        body=body.encode("utf-8") if isinstance(body, str) else body,
        credentials=credentials, send_actual=send_actual,
        expect_headers=tuple(expect_headers), browser=browser, max_redirects=max_redirects,
    )
    result = run(spec, TransportOptions(timeout=timeout), probe=probe, app=app)
    data = result.report
    trace = result.trace
    return Report(
        allowed=trace.allowed, blocked_at=trace.blocked_at,
        browser_error=data["browser_error"], console_message=data["console_message"],
        readable_headers=tuple(trace.readable_headers), findings=tuple(result.findings),
        error=trace.net_error.message if trace.net_error else None, data=data, trace=trace,
    )
