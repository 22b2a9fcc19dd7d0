"""'Copy as fetch' read back into a request.

Chromium (``NetworkLogView.ts``, ``generateFetchCall``) writes ``fetch(URL, OPTIONS);`` where
URL and OPTIONS are JSON (``JSON.stringify(options, null, 2)``): ``headers`` (the forbidden
ones left out), ``referrer``, ``referrerPolicy``, ``body``, ``method``, ``mode: "cors"``, and
``credentials`` ("include" when cookies or Authorization were sent, else "omit"). The Node.js
form has no ``mode``/``credentials``/``referrer``: the cookie, Referer and Referrer-Policy go
into ``headers``. Firefox (``RequestListContextMenu.js``, ``generateFetchString``) writes
``await fetch("URL", OPTIONS);`` with four-space JSON and the same keys.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .kinds import from_headers
from .model import Pasted
from .request import browser_of, page_origin, split_headers

CALL = re.compile(r"(?:await\s+)?fetch\(\s*")


def is_fetch(text: str) -> bool:
    return CALL.search(text) is not None


def parse(text: str) -> list[Pasted]:
    """Every ``fetch(URL, {...})`` in ``text`` (ValueError: one that is not JSON)."""
    found: list[Pasted] = []
    decoder = json.JSONDecoder()
    for m in CALL.finditer(text):
        pos = m.end()
        url, pos = decoder.raw_decode(text, pos)
        rest = text[pos:].lstrip()
        options: dict[str, Any] = {}
        if rest.startswith(","):
            start = text.index(",", pos) + 1
            while text[start].isspace():
                start += 1
            options, _ = decoder.raw_decode(text, start)
        if not isinstance(url, str) or not isinstance(options, dict):
            raise ValueError("fetch() is not called with a URL string and an options object")
        found.append(read(url, options))
    return found


def read(url: str, options: dict[str, Any]) -> Pasted:
    raw = options.get("headers") or {}
    headers = tuple((str(k), str(v)) for k, v in (raw.items() if isinstance(raw, dict) else raw))
    page, cookies, browser = split_headers(headers)
    referrer = options.get("referrer")
    origin, how = page_origin(headers, referrer if isinstance(referrer, str) else None)
    credentials_opt = options.get("credentials")
    credentials = credentials_opt == "include" or bool(cookies)
    inferred = [how] if how else []
    if credentials_opt == "include":
        inferred.append("credentials: 'include' in the call")
    elif cookies:
        inferred.append("a cookie header was sent: the page used credentials: 'include'")
    body = options.get("body")
    method = str(options.get("method") or "GET")
    kind, mode, crossorigin = "fetch", None, None
    if any(k.lower() == "sec-fetch-dest" for k, _ in headers):  # the Node.js form has them
        kind, mode, crossorigin, notes = from_headers(headers, bool(cookies))
        inferred.extend(notes)
    given = options.get("mode")
    if kind == "fetch" and given in ("no-cors", "same-origin"):
        mode = given
        inferred.append(f"mode {given} (in the call)")
    return Pasted(
        source="fetch", url=url, origin=origin, method=method, headers=page,
        body=body.encode("utf-8") if isinstance(body, str) else None, credentials=credentials,
        kind=kind, mode=mode, crossorigin=crossorigin, browser=browser_of(headers),
        cookies=cookies, browser_headers=browser, inferred=tuple(inferred), told_request=True)
