"""From a console line alone: the request the error implies.

A console message names the URL and (Chromium, Safari) the origin, not the request. What it
does say is used: "Method PUT is not allowed" means the page sent PUT; "Request header field
x-api-key is not allowed" means it set that header; a wildcard or Allow-Credentials complaint
means ``credentials: 'include'``. A failed preflight with no such detail means the request
needed one: a JSON POST is assumed (the most common reason), and the report says so.
"""

from __future__ import annotations

from dataclasses import replace

from ..model import HeaderList
from .model import Pasted
from .request import placeholder

CREDENTIALED = frozenset({
    "WildcardOriginNotAllowed", "InvalidAllowCredentials", "PreflightWildcardOriginNotAllowed",
    "PreflightInvalidAllowCredentials",
    "CORSNotSupportingCredentials", "CORSMissingAllowCredentials",  # Firefox's codes
})
SAFARI_CREDENTIALED = ("Cannot use wildcard", "Credentials flag is true")


def complete(p: Pasted) -> Pasted:
    """``p`` with the method, headers and credentials its error implies (console sources)."""
    if p.told_request:
        return p
    notes = list(p.inferred)
    method = "GET"
    headers: HeaderList = ()
    error = p.browser_error or p.browser_reason or ""
    credentials = error in CREDENTIALED or (
        p.source == "safari-console" and (p.message or "").startswith(SAFARI_CREDENTIALED))
    if credentials:
        notes.append("credentials: 'include' (the error is about credentials)")
    else:
        notes.append("credentials: same-origin assumed (the text does not say; add "
                     "--credentials if the page used credentials: 'include')")
    if error in ("MethodDisallowedByPreflightResponse",) and p.hint:
        method = p.hint
        notes.append(f"method {method} (named by the error)")
    elif error == "HeaderDisallowedByPreflightResponse" and p.hint:
        headers = ((p.hint, placeholder(p.hint)),)
        if p.hint.lower() == "content-type":
            method = "POST"
        notes.append(f"header {p.hint} (named by the error; its value is a stand-in)"
                     + (", method POST" if method == "POST" else ""))
    elif error == "CORSMissingAllowHeaderFromPreflight" and p.hint:
        headers = ((p.hint, placeholder(p.hint)),)
        notes.append(f"header {p.hint} (named by the error; its value is a stand-in)")
    elif error == "CORSMethodNotFound":
        method = "PUT"
        notes.append("Firefox does not name the method it refused: PUT assumed (give -X)")
    elif p.preflight:
        method, headers = "POST", (("Content-Type", "application/json"),)
        notes.append("the preflight failed but the text does not say why the request needed "
                     "one: a JSON POST assumed (give -X/-H for what the page sent)")
    return replace(p, method=method, headers=headers, credentials=credentials,
                   inferred=tuple(notes))
