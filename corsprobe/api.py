"""The public Python API: :func:`check` (re-exported as ``corsprobe.check``) for programs and
test suites, returning the typed :class:`Report` (:class:`corsprobe.report.model.Report`).
It is a thin shell over :mod:`corsprobe.core`, as every command is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from .model import RequestSpec
from .report.model import Report

if TYPE_CHECKING:
    pass

__all__ = ["HeadersArg", "Report", "check"]


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
    page_space: str | None = None,
    target_space: str | None = None,
    stack: str | Iterable[str] = (),
    kind: str = "fetch",
    mode: str | None = None,
    crossorigin: str | None = None,
) -> Report:
    """Check one request as a page at ``origin`` would make it with ``fetch(url, {...})``.

    ``app``: an ASGI or WSGI application object (FastAPI, Starlette, Django's handler,
    Flask) or ``"module:attr"``; the requests are then answered in-process, and ``url`` may
    be a path (``"/api/users"``, sent to ``http://localhost``). Without ``app`` the real
    server at ``url`` is asked. ``headers``: a mapping, ``(name, value)`` pairs, or
    ``"Name: value"`` strings. Unsafe methods' actual requests are sent only with
    ``send_actual=True`` (GET, HEAD and OPTIONS always are). ``page_space`` /
    ``target_space`` ("public", "private", "local"): where the page and the server are, for
    Local Network Access (default: from the hosts, resolved when they are names). ``stack``
    (``"nginx,django"`` or a list): the layers in front of and behind the URL, where the wire
    does not show them. ``kind`` ("fetch", "xhr", "eventsource", "img", "font", "script",
    "module", "stylesheet", "beacon"), ``mode`` (fetch's: "cors", "no-cors", "same-origin")
    and ``crossorigin`` ("anonymous", "use-credentials", "none"; img, script, module,
    stylesheet): the kind of request the page makes, with its own mode and credentials.

    Raises :class:`corsprobe.errors.UsageError` for input fetch() would refuse (a bad
    origin, a forbidden method, ...); a forbidden header is dropped, as fetch() drops it, and
    ``report.notes`` says so. A network failure is reported, not raised (``report.error``).
    """
    if app is not None and url.startswith("/"):
        from .apps import APP_BASE_URL

        url = APP_BASE_URL + url
    from .stack import parse as parse_stack

    spec = RequestSpec(
        url=url, origin=origin, method=method, headers=_header_pairs(headers),
        body=body.encode("utf-8") if isinstance(body, str) else body,
        credentials=credentials, send_actual=send_actual,
        expect_headers=tuple(expect_headers), browser=browser, max_redirects=max_redirects,
        page_space=page_space, target_space=target_space, stack=parse_stack(stack, "stack"),
        kind=kind, mode=mode, crossorigin=crossorigin,
    )
    from .core import check as core_check
    from .replay import check_kind

    check_kind(spec)
    from .net import TransportOptions

    return core_check(spec, TransportOptions(timeout=timeout), probe=probe, app=app)
