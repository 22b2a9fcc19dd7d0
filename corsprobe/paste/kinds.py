"""Which kind of request a paste shows (``corsprobe.fetch.kinds``): fetch, XHR, EventSource,
``<img>``, font, ``<script>``, module script, stylesheet or ``sendBeacon()``.

- Chromium's console names it: "Access to font at ...", "Access to image at ...", "Access to
  XMLHttpRequest at ...", "Access to CSS stylesheet at ...", "Access to script at ..." (a
  classic ``<script crossorigin>`` or a module: the same request), "Access to resource at ..."
  (EventSource, or a ``sendBeacon()``: a beacon is only CORS-checked when its Content-Type made
  it preflighted). A CORS error on an element means it had ``crossorigin`` (without it the
  request is no-cors and never CORS-checked).
- Firefox names it on its own lines: "Loading failed for the module with source “URL”.",
  "Loading failed for the <script> with source “URL”.", "downloadable font: ... bad URI or
  cross-site access not allowed source: URL".
- A cURL or fetch copy carries ``Sec-Fetch-Dest`` and ``Sec-Fetch-Mode``: ``font``+``cors`` a
  font; ``script``+``cors`` a module (or a crossorigin classic script), ``script``+``no-cors``
  a classic script; ``image``/``style`` + ``no-cors`` an element without crossorigin, + ``cors``
  one with it; ``empty``+``cors`` fetch() or XHR (they cannot be told apart: fetch kept), with
  ``Accept: text/event-stream`` an EventSource.

What cannot be told is said in ``inferred``; fetch is the default.
"""

from __future__ import annotations

from dataclasses import replace

from ..fetch import kinds
from ..model import HeaderList
from .model import Pasted
from .request import header

# Chromium's console word ("Access to <word> at") -> kind (see fetch.kinds._CONSOLE_WORD)
CHROME_WORDS = {"fetch": "fetch", "XMLHttpRequest": "xhr", "font": "font", "image": "img",
                "CSS stylesheet": "stylesheet", "script": "module", "resource": "eventsource"}
ELEMENTS = (*kinds.ELEMENT_KINDS, "module")
NO_PAGE_HEADERS = (*ELEMENTS, "font", "eventsource")  # every header is the browser's


def from_chrome_word(word: str) -> tuple[str, list[str]]:
    """(kind, notes) of the word in Chromium's "Access to <word> at" (fetch when unknown)."""
    kind = CHROME_WORDS.get(word)
    if kind is None:
        return "fetch", [f"Chrome's console says 'Access to {word} at', a kind corsprobe does "
                         "not model: fetch() assumed (give --kind)"]
    if kind in ("fetch", "eventsource"):  # "resource": settle() tells EventSource or beacon
        return kind, []
    return kind, [f"kind {kind} (Chrome's console says 'Access to {word} at')"]


def from_headers(headers: HeaderList, credentials: bool) -> tuple[str, str | None, str | None,
                                                                  list[str]]:
    """(kind, fetch mode, crossorigin, notes) from a copied request's Sec-Fetch-Dest and
    Sec-Fetch-Mode (``credentials``: a Cookie was sent)."""
    dest = (header(headers, "sec-fetch-dest") or "").strip().lower()
    mode = (header(headers, "sec-fetch-mode") or "").strip().lower()
    accept = (header(headers, "accept") or "").strip().lower()
    said = f"Sec-Fetch-Dest: {dest}, Sec-Fetch-Mode: {mode or '-'}"
    if not dest:
        return "fetch", None, None, ["no Sec-Fetch-Dest header: fetch() assumed (give --kind "
                                     "if the page made another kind of request)"]
    if dest == "empty":
        if accept.startswith("text/event-stream") and mode == "cors":
            return "eventsource", None, None, [f"kind eventsource ({said}, Accept: "
                                               "text/event-stream)"]
        fmode = mode if mode in ("no-cors", "same-origin") else None
        note = (f"fetch() assumed ({said}): XMLHttpRequest sends the same headers (give "
                "--kind xhr)")
        if fmode == "no-cors":
            note = (f"fetch() with mode no-cors ({said}); a navigator.sendBeacon() sends the "
                    "same headers (give --kind beacon)")
        return "fetch", fmode, None, [note]
    element = {"image": "img", "style": "stylesheet", "script": "script", "font": "font"}
    kind = element.get(dest)
    if kind is None:
        return "fetch", None, None, [f"Sec-Fetch-Dest: {dest} is not a kind corsprobe models: "
                                     "fetch() assumed (give --kind)"]
    if kind == "font":
        return kind, None, None, [f"kind font ({said})"]
    if mode == "no-cors":
        return kind, None, None, [f"kind {kind} without crossorigin ({said}: opaque)"]
    co = "use-credentials" if credentials else "anonymous"
    if kind == "script":
        return "module", None, ("use-credentials" if credentials else None), [
            f"kind module ({said}); a classic <script crossorigin=\"{co}\"> sends the same "
            "request (give --kind script --crossorigin " + co + ")"]
    return kind, None, co, [f"kind {kind} with crossorigin=\"{co}\" ({said}"
                            + (", a Cookie was sent" if credentials else "") + ")"]


def settle(p: Pasted) -> Pasted:
    """``p`` made a request its kind can make: a console line's element gets the crossorigin
    its CORS error implies, "resource" becomes an EventSource or a beacon, the browser's own
    headers of an element leave the page's; a kind the request cannot be (an ``<img>`` that
    PUTs) falls back to fetch, said in ``inferred``."""
    notes = list(p.inferred)
    kind, crossorigin, credentials = p.kind, p.crossorigin, p.credentials
    method, headers, browser_headers = p.method, p.headers, p.browser_headers
    if not p.told_request and p.source.endswith("-console"):
        if kind == "eventsource" and p.preflight:
            kind = "beacon"
            notes.append("kind beacon (Chrome's console says 'Access to resource at', and a "
                         "preflight failed: a navigator.sendBeacon() whose Content-Type is not "
                         "CORS-safelisted; an EventSource is never preflighted)")
        elif kind == "eventsource" and p.source == "chrome-console":
            notes.append("kind eventsource (Chrome's console says 'Access to resource at': an "
                         "EventSource or a navigator.sendBeacon(); give --kind beacon -X POST "
                         "-H 'Content-Type: ...' for a beacon)")
        if kind not in ("fetch", "xhr", "eventsource"):  # the kind decides the credentials
            notes = [n for n in notes if not n.startswith("credentials: same-origin assumed")]
        cors_error = p.blocked_reason is None  # mixed content blocks before any CORS check
        if cors_error and (kind in ("img", "stylesheet", "script")
                           or (kind == "module" and credentials)):
            crossorigin = "use-credentials" if credentials else "anonymous"
            notes.append(f"crossorigin=\"{crossorigin}\" (a CORS error means the element had "
                         "crossorigin; without it the request is no-cors and never "
                         "CORS-checked)")
        if kind == "module" and p.source == "chrome-console":
            notes.append("<script type=module> assumed: a classic <script crossorigin> makes "
                         "the same request (give --kind script --crossorigin anonymous)")
        if kind == "font" and credentials:
            notes.append("a font is always fetched with same-origin credentials: "
                         "credentials: 'include' dropped")
        if kind in (*ELEMENTS, "font"):
            credentials = False
            method, headers = "GET", ()
    if kind in NO_PAGE_HEADERS and headers:
        browser_headers = (*browser_headers, *(k for k, _ in headers))
        headers = ()
    if kind in (*ELEMENTS, "font") and p.told_request:
        credentials = False  # the kind decides: the Cookie was the browser's
        notes = [n for n in notes if not n.startswith("a Cookie was sent")]
    try:
        kinds.resolve(kind, p.mode if kind == "fetch" else None, crossorigin,
                      credentials and kind in ("fetch", "xhr", "eventsource"), method, headers,
                      p.body)
    except kinds.KindError as exc:
        notes.append(f"not a {kinds.LABELS[kind]} request after all ({exc}): fetch() assumed")
        return replace(p, kind="fetch", mode=p.mode if p.mode in kinds.MODES else None,
                       crossorigin=None, inferred=tuple(notes))
    return replace(p, kind=kind, crossorigin=crossorigin, credentials=credentials,
                   method=method, headers=headers, browser_headers=browser_headers,
                   mode=p.mode if kind == "fetch" else None, inferred=tuple(notes))
