"""``corsprobe paste [TEXT]``: what the browser said becomes a check.

TEXT (the argument, standard input, or the clipboard with ``--clipboard``) is a console
error (Chromium, Firefox, Safari), a "Copy as cURL" or a "Copy as fetch"
(:mod:`corsprobe.paste` reads it). Each request in it is checked as ``check`` would, with the
same safety rule (an unsafe method sends only its preflight unless ``--send-actual``), and
the report says whether the pasted error reproduces.

Exit code as ``check``'s (:func:`corsprobe.policy.check_exit`): 0 allowed, 1 blocked, 3
unreachable, 2 a usage error or a paste that is none of the accepted forms; with
``--no-check`` 0 once parsed.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..errors import UsageError
from ..inputs import parse_header, parse_resolve
from ..render import PASTE, show
from .options import (
    Browser,
    ColorOpt,
    CrossOrigin,
    FailOn,
    FailOnOpt,
    FormatName,
    InsecureOpt,
    Kind,
    Mode,
    ProbeOpt,
    ResolveOpt,
    TimeoutOpt,
    command_app,
    format_choice,
)

if TYPE_CHECKING:
    from ..model import RequestSpec
    from ..paste import Pasted

app = command_app()
if TYPE_CHECKING:
    PasteFormat = FormatName
else:  # the formats that render this command's document
    PasteFormat = format_choice("PasteFormat", PASTE)
TEXT = PasteFormat("text")

CLIPBOARDS = (("xclip", "-selection", "clipboard", "-o"), ("xsel", "--clipboard", "--output"),
              ("wl-paste", "--no-newline"), ("pbpaste",))


def read_clipboard() -> str:
    """The clipboard's text through the first tool present (xclip, xsel, wl-paste, pbpaste)."""
    for command in CLIPBOARDS:
        if shutil.which(command[0]):
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=10)
            except (OSError, subprocess.SubprocessError) as exc:
                raise UsageError(f"cannot read the clipboard with {command[0]}: {exc}") from None
            if done.returncode == 0:
                return done.stdout
            raise UsageError(f"cannot read the clipboard with {command[0]}: "
                             f"{done.stderr.strip() or 'exit ' + str(done.returncode)}")
    raise UsageError("--clipboard needs xclip, xsel, wl-paste or pbpaste, and none is "
                     "installed; pass the text as an argument or on standard input")


def _text(text: str | None, clipboard: bool) -> str:
    if clipboard:
        if text is not None:
            raise UsageError("give the text once: as TEXT or with --clipboard, not both")
        return read_clipboard()
    if text is not None and text != "-":
        return text
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("paste what the browser said: as TEXT, on standard input, or with "
                         "--clipboard; e.g. corsprobe paste \"$(xclip -o)\"")
    return sys.stdin.read()


def _missing_origin(p: Pasted) -> UsageError:
    if p.source == "firefox-console":
        why = "Firefox's console line names no origin (Firefox does not print it)"
    elif p.source == "safari-console":
        why = "Safari's 'cannot load' line names no origin (the reason line before it does)"
    else:
        why = f"the pasted {p.source} has no Origin or Referer header"
    return UsageError(f"{why}: give --origin, the origin of the page that made the request "
                      "(scheme://host[:port])", field="origin")


@app.command("paste")
def paste(
    text: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional on Python 3.10
        typer.Argument(metavar="[TEXT]", help="What the browser said: a console error, a 'Copy "
                       "as cURL' or a 'Copy as fetch' (default: standard input)."),
    ] = None,
    clipboard: Annotated[bool, typer.Option("--clipboard", help="Read the text from the "
                                            "clipboard (xclip, xsel, wl-paste or pbpaste).")] = False,
    origin: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--origin", "-o", help="The page's origin, when the text names none "
                     "(Firefox's console)."),
    ] = None,
    method: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--method", "-X", help="The request method, when the text does not say."),
    ] = None,
    header: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--header", "-H", help="A header the page set, beyond what the text says: "
                     "'Name: value' (repeatable)."),
    ] = None,
    credentials: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option("--credentials/--no-credentials", help="credentials: 'include' or not "
                     "(default: what the text implies).", show_default=False),
    ] = None,
    send_actual: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option("--send-actual/--no-actual", help="Send the actual request. Default: only "
                     "for GET, HEAD and OPTIONS.", show_default=False),
    ] = None,
    no_check: Annotated[bool, typer.Option("--no-check", help="Only say what was understood; "
                                           "send nothing.")] = False,
    browser: Annotated[
        Optional[Browser],  # noqa: UP045
        typer.Option("--browser", help="Whose rules apply (default: the browser that wrote the "
                     "text)."),
    ] = None,
    kind: Annotated[
        Optional[Kind],  # noqa: UP045
        typer.Option("--kind", help="The kind of request the page made (default: what the "
                     "text shows: the console's 'Access to font at', Sec-Fetch-Dest, ...)."),
    ] = None,
    mode: Annotated[
        Optional[Mode],  # noqa: UP045
        typer.Option("--mode", help="fetch()'s mode (default: what the text shows, else "
                     "cors)."),
    ] = None,
    crossorigin: Annotated[
        Optional[CrossOrigin],  # noqa: UP045
        typer.Option("--crossorigin", help="The element's crossorigin attribute (default: "
                     "what the text implies)."),
    ] = None,
    fmt: Annotated[PasteFormat, typer.Option("--format", "-f", help="Report format.")] = TEXT,
    resolve: ResolveOpt = None,
    timeout: TimeoutOpt = 10.0,
    insecure: InsecureOpt = False,
    fail_on: FailOnOpt = FailOn.error,
    probe: ProbeOpt = True,
    color: ColorOpt = None,
) -> None:
    """Check what the browser said: a console CORS error, 'Copy as cURL' or 'Copy as fetch'.

    Exit code: 0 allowed, 1 blocked, 3 unreachable, 2 usage or a paste that is none of the
    accepted forms; with --no-check, 0 once parsed.
    """
    from .. import paste as pasted_text
    from ..paste.verdict import document

    if browser == Browser.all:
        raise UsageError("--browser all is not supported by paste: name one browser")
    try:
        requests = pasted_text.parse(_text(text, clipboard))
    except pasted_text.NotRecognised as exc:
        raise UsageError(str(exc)) from None
    extra = tuple(parse_header(h) for h in header or ())
    requests = [_override(p, origin, method, extra, credentials,
                          browser.value if browser else None) for p in requests]
    requests = [_override_kind(p, kind.value if kind else None, mode.value if mode else None,
                               crossorigin.value if crossorigin else None) for p in requests]
    for p in requests:
        if p.url is None:
            raise UsageError("Safari's reason line came without its 'Fetch API cannot load URL' "
                             "line: paste both lines")
        if p.origin is None:
            raise _missing_origin(p)
    if no_check:
        show(PASTE, fmt.value, [document(p, None) for p in requests], color)
        raise typer.Exit(0)

    from .. import policy
    from ..core import check
    from ..net import TransportOptions
    from ..replay import check_kind

    options = TransportOptions(timeout=timeout, insecure=insecure,
                               resolve=tuple(parse_resolve(r) for r in resolve or ()))
    docs, codes = [], []
    for p in requests:
        spec = _spec(p, send_actual)
        check_kind(spec)
        report = check(spec, options, probe=probe)
        docs.append(document(p, report.data))
        codes.append(policy.check_exit(report.trace, report.findings, fail_on.value))
    show(PASTE, fmt.value, docs, color)
    raise typer.Exit(policy.all_exit(codes))


def _spec(p: Pasted, send_actual: bool | None) -> RequestSpec:
    """The check's request: the kind decides the credentials of an element and a font (the
    page's credentials: 'include' / withCredentials counts for fetch, XHR and EventSource)."""
    from ..model import RequestSpec

    assert p.url is not None and p.origin is not None
    page_credentials = p.credentials and p.kind in ("fetch", "xhr", "eventsource", "beacon")
    return RequestSpec(url=p.url, origin=p.origin, method=p.method,
                       headers=(*p.headers, *(p.cookies if page_credentials else ())),
                       body=p.body, credentials=page_credentials, send_actual=send_actual,
                       browser=p.browser, kind=p.kind,
                       mode=p.mode if p.kind == "fetch" else None, crossorigin=p.crossorigin)


def _override_kind(p: Pasted, kind: str | None, mode: str | None,
                   crossorigin: str | None) -> Pasted:
    """The paste with --kind, --mode and --crossorigin instead of what the text showed."""
    replace = dataclasses.replace
    notes = list(p.inferred)
    if kind is not None and kind != p.kind:
        from ..paste.kinds import NO_PAGE_HEADERS

        p = replace(p, kind=kind, mode=None, crossorigin=None)
        if kind in NO_PAGE_HEADERS and p.headers:  # the browser's own, for this kind
            p = replace(p, headers=(), browser_headers=(*p.browser_headers,
                                                        *(k for k, _ in p.headers)))
        notes.append(f"kind {kind} from --kind")
    if mode is not None:
        p = replace(p, mode=mode)
        notes.append(f"mode {mode} from --mode")
    if crossorigin is not None:
        p = replace(p, crossorigin=None if crossorigin == "none" else crossorigin)
        notes.append(f"crossorigin {crossorigin} from --crossorigin")
    return replace(p, inferred=tuple(notes))


def _override(p: Pasted, origin: str | None, method: str | None,
              extra: tuple[tuple[str, str], ...], credentials: bool | None,
              browser: str | None) -> Pasted:
    """The paste with what the options say instead (each noted in ``inferred``)."""
    replace = dataclasses.replace
    notes = list(p.inferred)
    if origin is not None and origin != p.origin:
        p = replace(p, origin=origin)
        notes.append(f"origin {origin} from --origin")
    if method is not None:
        p = replace(p, method=method)
        notes.append(f"method {method} from -X")
    if extra:
        names = {k.lower() for k, _ in extra}
        p = replace(p, headers=(*(h for h in p.headers if h[0].lower() not in names), *extra))
        notes.append("header(s) " + ", ".join(k for k, _ in extra) + " from -H")
    if credentials is not None and credentials != p.credentials:
        p = replace(p, credentials=credentials)
        notes.append(f"credentials {'include' if credentials else 'same-origin'} from the option")
    if browser is not None:
        p = replace(p, browser=browser)
    return replace(p, inferred=tuple(notes))
