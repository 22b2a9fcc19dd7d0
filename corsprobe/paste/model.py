"""What a paste says: one request, and what the browser said about it."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import HeaderList

SOURCES = ("chrome-console", "firefox-console", "safari-console", "curl", "fetch")
ACCEPTED = ("a console error from Chrome/Edge ('Access to fetch at ...', 'Mixed Content: "
            "...'), Firefox ('Cross-Origin Request Blocked: ...', 'Blocked loading mixed active "
            "content ...') or Safari ('Origin ... is not allowed by "
            "Access-Control-Allow-Origin', 'Fetch API cannot load ...'), a 'Copy as cURL' "
            "(bash or cmd) or a 'Copy as fetch' (browser or Node.js)")


@dataclass(frozen=True)
class Pasted:
    """One request read from a paste. ``url`` is None only when a Safari reason line came
    without its "Fetch API cannot load URL" line; ``origin`` is None when the text names none
    (Firefox's console, a cURL without Origin or Referer)."""

    source: str
    url: str | None
    origin: str | None
    method: str = "GET"
    headers: HeaderList = ()  # the page's own headers (the browser's are in browser_headers)
    body: bytes | None = None
    credentials: bool = False
    kind: str = "fetch"  # corsprobe.fetch.kinds.KINDS: fetch, xhr, font, script, img, ...
    mode: str | None = None  # fetch()'s mode (None: cors); only for kind fetch
    crossorigin: str | None = None  # an element's crossorigin attribute (None: absent)
    browser: str = "chrome"  # whose rules the check applies: chrome, firefox, safari
    browser_error: str | None = None  # Network.CorsError name the text implies
    browser_reason: str | None = None  # Firefox's reason code
    blocked_reason: str | None = None  # a gate before CORS: "mixed-content" (CDP's name)
    hint: str | None = None  # the value the message quotes (a header name, a method, ...)
    message: str | None = None  # the browser's reason text, as pasted
    final_url: str | None = None  # Chromium: the URL after redirects
    preflight: bool | None = None  # the text says the preflight failed (True) / not (None)
    cookies: HeaderList = ()  # Cookie lines (secret): the browser's cookie jar
    browser_headers: tuple[str, ...] = ()  # names of the headers the browser added itself
    inferred: tuple[str, ...] = ()
    told_request: bool = False  # method and headers come from the text (cURL, fetch)

    @property
    def key(self) -> tuple[object, ...]:
        """What makes two pasted messages the same request (for de-duplication)."""
        return (self.source, self.url, self.origin, self.method, self.headers, self.body,
                self.credentials, self.kind, self.browser_error, self.browser_reason,
                self.blocked_reason, self.message)
