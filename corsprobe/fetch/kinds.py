"""Every kind of cross-origin request, pure: what ``<img>``, ``@font-face``, ``<script>``,
``<script type=module>``, ``<link rel=stylesheet>``, XHR, EventSource and ``sendBeacon()`` ask
the Fetch algorithm for.

Each kind fixes the request's *mode* (``cors``, ``no-cors``, ``same-origin``), its
*credentials mode* (``include``, ``same-origin``), its destination (``Sec-Fetch-Dest``), the
``Accept`` header the browser adds, the word Chromium's console uses for it ("Access to font
at ..."), and what the page sees when it fails or succeeds. Recorded from Chromium 156 (the
``kinds`` group of ``tests/browser/scenarios.py``):

=============  ==============================  =============================  ==========
kind           mode                            credentials                    dest
=============  ==============================  =============================  ==========
fetch          ``--mode`` (default cors)       ``--credentials``: include     empty
xhr            cors                            withCredentials: include       empty
eventsource    cors (GET only)                 withCredentials: include       empty
img            no-cors without crossorigin     include (no-cors),             image
               (opaque: taints a canvas)       anonymous: same-origin,
                                               use-credentials: include
script         like img                        like img                       script
stylesheet     like img                        like img                       style
module         cors                            same-origin; use-credentials:  script
                                               include
font           cors                            same-origin                    font
beacon         no-cors; cors with a            include                        empty
               non-safelisted Content-Type
=============  ==============================  =============================  ==========

Firefox and WebKit (recorded from Firefox ESR 153 and WebKitGTK 2.50 by
``tests/browser/test_engines.py``) make the same requests, except: their ``<img>`` and (Firefox)
font ``Accept`` values are their own; WebKit fetches fonts in **no-cors** mode (no Origin, no
CORS check: a font without Access-Control-Allow-Origin loads in Safari and fails in Chrome and
Firefox); WebKit's beacon adds ``Cache-Control: max-age=0``. :func:`of` applies these for the
spec's ``browser``.

A ``no-cors`` request is never preflighted and never CORS-checked: it loads, but the response
is *opaque* (the page cannot read it). fetch() refuses a no-cors method other than GET, HEAD
and POST, and silently drops a header that is not CORS-safelisted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

KINDS = ("fetch", "xhr", "eventsource", "img", "font", "script", "module", "stylesheet",
         "beacon")
MODES = ("cors", "no-cors", "same-origin")
CROSSORIGINS = ("anonymous", "use-credentials", "none")
ELEMENT_KINDS = ("img", "script", "stylesheet")  # no-cors unless crossorigin is set
NO_CORS_METHODS = ("GET", "HEAD", "POST")

_ACCEPT = {
    "img": "image/jxl,image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    "stylesheet": "text/css,*/*;q=0.1",
    "eventsource": "text/event-stream",
}
# Firefox's own Accept values where they differ from Chromium's (Firefox ESR 153, recorded by
# tests/browser/test_engines.py); WebKit's in _ACCEPT_WEBKIT
_ACCEPT_GECKO = {
    "img": "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
    "font": "application/font-woff2;q=1.0,application/font-woff;q=0.9,*/*;q=0.8",
}
_ACCEPT_WEBKIT = {
    "img": "image/webp,image/avif,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
}
_ACCEPT_BY_ENGINE = {"gecko": _ACCEPT_GECKO, "webkit": _ACCEPT_WEBKIT}
_DEST = {"img": "image", "font": "font", "script": "script", "module": "script",
         "stylesheet": "style"}
# the initiator word of Chromium's console line: "Access to <word> at '...'"
_CONSOLE_WORD = {"fetch": "fetch", "xhr": "XMLHttpRequest", "img": "image", "font": "font",
                 "script": "script", "module": "script", "stylesheet": "CSS stylesheet",
                 "eventsource": "resource", "beacon": "resource"}
LABELS = {"fetch": "fetch()", "xhr": "XMLHttpRequest", "eventsource": "EventSource",
          "img": "<img>", "font": "@font-face font", "script": "<script>",
          "module": "<script type=module>", "stylesheet": "<link rel=stylesheet>",
          "beacon": "navigator.sendBeacon()"}

# what the page sees when the browser blocks it
_BLOCKED = {
    "fetch": "fetch() rejects with TypeError: Failed to fetch",
    "xhr": "xhr.onerror fires; status 0, no response",
    "eventsource": "EventSource fires error and closes (readyState CLOSED): it does not "
                   "reconnect",
    "img": "img.onerror fires; the image is not shown",
    "font": "the font is silently not used: the text falls back to the next font in the "
            "stack (FontFace.load() and document.fonts.load() reject with NetworkError)",
    "script": "script.onerror fires; the script does not run",
    "module": "script.onerror fires; the module (and every module importing it) does not run",
    "stylesheet": "link.onerror fires; the styles are not applied",
    "beacon": "sendBeacon() still returned true (queued), but the beacon is never "
              "delivered: the page is not told",
}
# what the page sees when a no-cors request loads: opaque
_OPAQUE = {
    "fetch": "fetch() resolves with an opaque response: type 'opaque', status 0, no headers, "
             "an empty body",
    "img": "the image is shown, but it taints a canvas: getImageData(), toDataURL() and "
           "toBlob() throw SecurityError (set crossorigin=\"anonymous\" and have the server "
           "answer with Access-Control-Allow-Origin to read it)",
    "script": "the script runs, but its errors are muted (window.onerror sees only "
              "'Script error.')",
    "stylesheet": "the styles apply, but the page cannot read them: sheet.cssRules throws "
                  "SecurityError",
    "beacon": "the beacon is delivered; the page never sees the response (sendBeacon() only "
              "says it was queued)",
    "font": "the font loads and is used: Safari (WebKit) fetches fonts in no-cors mode, so no "
            "CORS header is needed there (Chrome and Firefox still require one)",
}
_LOADED = {
    "fetch": "fetch() resolves; the page reads the response",
    "xhr": "xhr.onload fires; the page reads the response",
    "eventsource": "EventSource opens (onopen) and delivers its events",
    "img": "the image loads and can be drawn to a canvas and read back",
    "font": "the font loads and is used",
    "script": "the script runs (its errors are reported in full)",
    "module": "the module runs",
    "stylesheet": "the styles apply and sheet.cssRules is readable",
    "beacon": "the beacon is delivered; the page never sees the response",
}


class KindError(ValueError):
    """A combination the browser cannot make (the message says why); ``field`` names the
    input at fault."""

    def __init__(self, message: str, field: str = "kind") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Kind:
    """The request one kind makes, as the Fetch algorithm sees it."""

    name: str
    mode: str  # cors | no-cors | same-origin
    credentials_mode: str  # include | same-origin
    dest: str  # Sec-Fetch-Dest
    accept: str  # the Accept header the browser adds (a page-set one wins for fetch/xhr)
    console_word: str
    extra_headers: tuple[tuple[str, str], ...] = ()  # sent before Accept (EventSource)

    @property
    def include(self) -> bool:
        return self.credentials_mode == "include"

    @property
    def no_cors(self) -> bool:
        return self.mode == "no-cors"

    @property
    def label(self) -> str:
        return LABELS[self.name]

    def page_sees(self, allowed: bool | None, opaque: bool) -> str | None:
        """What the page observes, in the kind's words (None: not decided)."""
        if allowed is None:
            return None
        if not allowed:
            return _BLOCKED[self.name]
        if opaque:
            return _OPAQUE.get(self.name, _OPAQUE["fetch"])
        return _LOADED[self.name]


def resolve(
    kind: str = "fetch",
    mode: str | None = None,
    crossorigin: str | None = None,
    credentials: bool = False,
    method: str = "GET",
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes | None = None,
) -> Kind:
    """The request mode, credentials mode and headers of ``kind``; KindError for what the
    page cannot ask for (an ``<img>`` cannot PUT, a font has no crossorigin, ...).
    ``credentials`` (the page's credentials: 'include' / withCredentials) counts only for
    fetch, xhr and eventsource: the other kinds decide their own."""
    if kind not in KINDS:
        raise KindError(f"unknown kind '{kind}'; one of {', '.join(KINDS)}")
    if mode is not None and mode not in MODES:
        raise KindError(f"unknown mode '{mode}'; one of {', '.join(MODES)}", "mode")
    if crossorigin is not None and crossorigin not in CROSSORIGINS:
        raise KindError(f"unknown crossorigin '{crossorigin}'; one of "
                        f"{', '.join(CROSSORIGINS)}", "crossorigin")
    if mode is not None and kind != "fetch":
        raise KindError(f"--mode is fetch()'s option; a {LABELS[kind]} request's mode is set "
                        "by its kind", "mode")
    if crossorigin is not None and kind not in (*ELEMENT_KINDS, "module"):
        why = ("a font is always fetched in cors mode with same-origin credentials"
               if kind == "font" else f"{LABELS[kind]} has no crossorigin attribute")
        raise KindError(f"--crossorigin applies to img, script, module and stylesheet: {why}",
                        "crossorigin")
    if kind in (*ELEMENT_KINDS, "module", "font", "eventsource"):
        if method.upper() != "GET":
            raise KindError(f"a {LABELS[kind]} request is always a GET", "method")
        if body is not None:
            raise KindError(f"a {LABELS[kind]} request has no body", "body")
        if kind != "eventsource" and any(True for _ in headers):
            raise KindError(f"a page cannot set request headers on a {LABELS[kind]} request",
                            "headers")
        if kind == "eventsource" and headers:
            raise KindError("EventSource cannot set request headers (the browser sends "
                            "Accept: text/event-stream and Cache-Control: no-cache)", "headers")
    if kind == "beacon" and method.upper() != "POST":
        raise KindError("navigator.sendBeacon() always sends a POST", "method")
    accept = _ACCEPT.get(kind, "*/*")
    dest = _DEST.get(kind, "empty")
    word = _CONSOLE_WORD[kind]
    include = "include" if credentials else "same-origin"
    if kind == "fetch":
        return Kind(kind, mode or "cors", include, dest, accept, word)
    if kind in ("xhr", "eventsource"):
        extra = (("Cache-Control", "no-cache"),) if kind == "eventsource" else ()
        return Kind(kind, "cors", include, dest, accept, word, extra)
    if kind in ELEMENT_KINDS:
        co = crossorigin or "none"
        if co == "none":
            return Kind(kind, "no-cors", "include", dest, accept, word)
        creds = "include" if co == "use-credentials" else "same-origin"
        return Kind(kind, "cors", creds, dest, accept, word)
    if kind == "module":
        creds = "include" if crossorigin == "use-credentials" else "same-origin"
        return Kind(kind, "cors", creds, dest, accept, word)
    if kind == "font":
        return Kind(kind, "cors", "same-origin", dest, accept, word)
    # beacon: keepalive POST, always with credentials; a Content-Type outside the three
    # safelisted ones makes it a CORS request (preflighted), else it is no-cors
    from .safelist import SAFELISTED_CONTENT_TYPES

    ctype = next((v for k, v in headers if k.lower() == "content-type"), None)
    essence = (ctype or "").split(";")[0].strip().lower()
    beacon_mode = "cors" if ctype is not None and essence not in SAFELISTED_CONTENT_TYPES \
        else "no-cors"
    return Kind(kind, beacon_mode, "include", dest, accept, word)


def accept(kind: str, engine: str = "chromium") -> str:
    """The Accept header ``engine`` ("chromium", "gecko", "webkit") adds to a ``kind`` request."""
    return _ACCEPT_BY_ENGINE.get(engine, {}).get(kind) or _ACCEPT.get(kind, "*/*")


def of(spec: object) -> Kind:
    """The kind of a RequestSpec (its ``kind``, ``mode``, ``crossorigin``), with the Accept
    header of the spec's browser."""
    return _of(getattr(spec, "kind", "fetch"), getattr(spec, "mode", None),
               getattr(spec, "crossorigin", None), bool(getattr(spec, "credentials", False)),
               str(getattr(spec, "method", "GET")), tuple(getattr(spec, "headers", ())),
               getattr(spec, "body", None), str(getattr(spec, "browser", "chrome") or "chrome"))


@lru_cache(maxsize=256)  # asked several times per check; a config's checks share a few kinds
def _of(kind: str, mode: str | None, crossorigin: str | None, credentials: bool, method: str,
        headers: tuple[tuple[str, str], ...], body: bytes | None, browser: str) -> Kind:
    from dataclasses import replace

    from .browsers import BROWSERS

    found = resolve(kind, mode, crossorigin, credentials, method, headers, body)
    b = BROWSERS.get(browser)
    engine = b.engine if b is not None else "chromium"
    wanted = accept(found.name, engine)
    if wanted != found.accept:
        found = replace(found, accept=wanted)
    if b is not None and not b.font_cors and found.name == "font":
        # WebKit loads @font-face fonts in no-cors mode: no Origin, no CORS check
        found = replace(found, mode="no-cors")
    if engine == "webkit" and found.name == "beacon":
        found = replace(found, extra_headers=(("Cache-Control", "max-age=0"),))
    return found
