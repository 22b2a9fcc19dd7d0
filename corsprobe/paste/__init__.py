"""``corsprobe paste``, the pure part: what the browser said, read back into requests.

:func:`parse` takes a paste (console messages from Chromium, Firefox or Safari; "Copy as
cURL" in bash or cmd quoting; "Copy as fetch" in the browser or Node.js form) and returns one
:class:`Pasted` request per message, de-duplicated, with what was inferred. The modules:

- :mod:`.console`: the three engines' console texts (the inverse of ``corsprobe.fetch``'s);
- :mod:`.curl` and :mod:`.shell`: "Copy as cURL" and the two shells' quoting;
- :mod:`.fetchcall`: "Copy as fetch";
- :mod:`.request`: the browser's own headers, the origin, the preflight pasted for a request;
- :mod:`.infer`: the request a console line implies;
- :mod:`.kinds`: the kind of request (font, ``<img>``, module script, ...) the text shows;
- :mod:`.verdict`: whether the pasted error reproduces, and the ``corsprobe/paste/v1`` document.

Nothing here touches the network; the command (:mod:`corsprobe.cli.paste`) runs the check.
"""

from __future__ import annotations

from dataclasses import replace

from . import console, curl, fetchcall
from .infer import complete
from .kinds import settle
from .model import ACCEPTED, SOURCES, Pasted

__all__ = ["ACCEPTED", "SOURCES", "Pasted", "parse", "NotRecognised"]


class NotRecognised(ValueError):
    """The text is none of the accepted forms (the message names them)."""


def parse(text: str) -> list[Pasted]:
    """The requests in ``text``, in order, one per message, de-duplicated.

    Raises :class:`NotRecognised` when nothing in it is an accepted form.
    """
    stripped = text.strip()
    try:
        if curl.is_curl(stripped):
            found = curl.parse(stripped)
        elif fetchcall.is_fetch(stripped) and not console.records(stripped):
            found = fetchcall.parse(stripped)
        else:
            found = _merge_firefox(console.parse(stripped))
    except ValueError as exc:
        raise NotRecognised(f"the paste looks like a {_form(stripped)} but cannot be read "
                            f"({exc}); paste {ACCEPTED}") from None
    if not found:
        raise NotRecognised(f"nothing in the paste is {ACCEPTED}")
    unique: dict[tuple[object, ...], Pasted] = {}
    for p in found:
        p = settle(complete(p))
        unique.setdefault(p.key, p)
    return list(unique.values())


def _form(text: str) -> str:
    return "cURL command" if curl.is_curl(text) else "fetch() call"


def _merge_firefox(found: list[Pasted]) -> list[Pasted]:
    """Firefox prints several lines for one failed request (a preflight's reasons, then
    "CORS request did not succeed"), each naming the same URL: one request, named by the
    first line (the one corsprobe's own Firefox console text gives). A line naming the kind
    ("Loading failed for the module with source", "downloadable font: ...") of the same URL
    belongs to it too, before or after it."""
    out: list[Pasted] = []
    for p in found:
        prev = out[-1] if out else None
        if (prev is not None and prev.source == p.source == "firefox-console"
                and prev.url == p.url and (console.is_firefox_kind_line(p)
                                           != console.is_firefox_kind_line(prev))):
            line, named = (prev, p) if console.is_firefox_kind_line(p) else (p, prev)
            out[-1] = replace(line, kind=named.kind,
                              inferred=(*line.inferred, *named.inferred))
            continue
        if (p.source == "firefox-console" and prev is not None
                and prev.source == "firefox-console"
                and (prev.url == p.url or p.browser_reason == "CORSDidNotSucceed")):
            merged = replace(prev, inferred=(*prev.inferred, f"Firefox's next line "
                                             f"({p.browser_reason}) is about the same request"))
            if prev.url != p.url:  # the reason names a redirect hop; this, the page's request
                merged = replace(merged, url=p.url, final_url=prev.url)
            out[-1] = merged
            continue
        out.append(p)
    return out
