"""Whether the pasted error still happens, and the ``corsprobe/paste/v1`` document.

Pure functions of a :class:`~corsprobe.paste.model.Pasted` and the live check's
``corsprobe/report/v1`` dict (None with ``--no-check``).

``reproduced``: the error the paste implies against the live verdict, in the pasted browser's
own terms (Chromium's CorsError name, Firefox's reason code, the kind of WebKit's reason line):
the same error -> true; allowed now -> false (and the preflight cache or the HTTP cache may
still serve the old answer to the browser); a different error -> false, naming it. A cURL or
fetch paste carries no error: any block reproduces it. Unknown (null) when unreachable, or when
the preflight passes but the actual request, where the error was, was not sent.
"""

from __future__ import annotations

from typing import Any

from ..redact import SECRET_HEADERS, Scrubber, header_secrets, header_value
from .console import safari_class
from .model import Pasted

SCHEMA = "corsprobe/paste/v1"
CACHE_HINT = ("the server now allows this request: the error you pasted no longer happens; if "
              "the browser still shows it, the preflight cache (up to Max-Age) or the HTTP cache "
              "is serving the old answer")


MIXED_GONE = ("not blocked as mixed content now: the page's origin ({origin}) is not https, or "
              "the URL is https, or its host is one the browser trusts over http (localhost, "
              "127.0.0.0/8, [::1]; not in Safari)")


def _pasted_error(p: Pasted) -> str | None:
    if p.blocked_reason:
        return p.blocked_reason
    if p.source == "firefox-console":
        return p.browser_reason
    if p.source == "safari-console":
        found = safari_class(p.message) if p.message else None
        return found[0] if found else None
    return p.browser_error


def _live_error(p: Pasted, report: dict[str, Any]) -> str | None:
    if report.get("blocked_reason"):  # a gate before CORS (mixed content)
        return str(report["blocked_reason"])
    if p.source == "firefox-console":
        return report.get("browser_reason")
    if p.source == "safari-console":
        lines = report.get("console_lines") or []
        found = safari_class(lines[0]) if lines else None
        return found[0] if found else None
    return report.get("browser_error")


def reproduced(p: Pasted, report: dict[str, Any] | None) -> tuple[bool | None, str]:
    """(reproduced, the sentence that says so) for the live ``report``."""
    if report is None:
        return None, "not checked (--no-check)"
    if report.get("error") is not None:
        return None, f"the server could not be reached: {report['error']['message']}"
    allowed = report["allowed"]
    pasted, live = _pasted_error(p), _live_error(p, report)
    if p.blocked_reason and allowed is not False:
        return False, MIXED_GONE.format(origin=p.origin)
    if allowed is True:
        return False, CACHE_HINT
    if allowed is None:
        if p.preflight:
            return False, ("the preflight passes now: " + CACHE_HINT.split(": ", 1)[1])
        return None, ("the preflight passes; the actual request was not sent (its method may "
                      "change data), so whether its response still fails is not known: add "
                      "--send-actual")
    where = report.get("blocked_at") or "?"
    if p.blocked_reason and pasted == live:
        return True, ("the browser still blocks it as mixed content, before sending anything "
                      "(the server was never asked)")
    if pasted is None:
        return True, f"the server still answers this way: blocked at the {where} ({live})"
    if pasted == live:
        return True, f"the server still answers this way: {live} at the {where}"
    return False, (f"a different error now: {live} at the {where} (the paste said {pasted}); "
                   "the server changed, or the page's request differs from what was pasted")


def _secrets(p: Pasted) -> list[str]:
    return header_secrets((*p.headers, *p.cookies), SECRET_HEADERS)


def _kind_fields(p: Pasted) -> dict[str, Any]:
    """The request's mode, credentials mode and crossorigin, as its kind makes them."""
    from ..fetch import kinds

    try:
        kind = kinds.resolve(p.kind, p.mode if p.kind == "fetch" else None, p.crossorigin,
                             p.credentials, p.method, p.headers, p.body)
    except kinds.KindError:  # an override the check refuses (it says why)
        return {"mode": p.mode, "credentials_mode": None, "crossorigin": p.crossorigin}
    return {"mode": kind.mode, "credentials_mode": kind.credentials_mode,
            "crossorigin": p.crossorigin}


def document(p: Pasted, report: dict[str, Any] | None) -> dict[str, Any]:
    """The ``corsprobe/paste/v1`` dict: secrets (Authorization, Cookie, ...) redacted."""
    verdict, why = reproduced(p, report)
    doc = {
        "schema": SCHEMA,
        "source": p.source,
        "request": {
            "url": p.url,
            "origin": p.origin,
            "method": p.method,
            "headers": {k: header_value(k, v, SECRET_HEADERS) for k, v in p.headers},
            "credentials": p.credentials,
            "kind": p.kind,
            **_kind_fields(p),
        },
        "browser": p.browser,
        "browser_error": p.browser_error,
        "browser_reason": p.browser_reason,
        "blocked_reason": p.blocked_reason,
        "browser_message": p.message,
        "browser_headers": list(p.browser_headers),
        "inferred": list(p.inferred),
        "reproduced": verdict,
        "reproduced_why": why,
        "report": report,
    }
    return Scrubber(_secrets(p))(doc)
