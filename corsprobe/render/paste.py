"""``corsprobe paste``: what was understood, what was inferred, whether the pasted error
reproduces, then the check's own report. Pure functions of the ``corsprobe/paste/v1`` dicts
(one per pasted request) that :func:`corsprobe.paste.verdict.document` makes."""

from __future__ import annotations

import json
from typing import Any

from ..report.words import visible
from . import text

SOURCE_LABEL = {"chrome-console": "Chrome's console", "firefox-console": "Firefox's console",
                "safari-console": "Safari's console", "curl": "Copy as cURL",
                "fetch": "Copy as fetch"}
REPRODUCED = {True: "REPRODUCED", False: "NOT REPRODUCED", None: "UNKNOWN"}


def _one(doc: dict[str, Any], color: bool) -> str:
    doc = visible(doc)
    req = doc["request"]
    lines = [f"corsprobe paste  from {SOURCE_LABEL.get(doc['source'], doc['source'])}"]
    said = doc["browser_error"] or doc["browser_reason"] or doc.get("blocked_reason")
    if said or doc["browser_message"]:
        lines.append(f"  the browser said: {said or '-'}"
                     + (f" ({doc['browser_message']})" if doc["browser_message"] else ""))
    creds = req.get("credentials_mode") or ("include" if req["credentials"] else "same-origin")
    how = [req["kind"]]
    if req.get("mode") and req["mode"] != "cors" and req["kind"] == "fetch":
        how.append(f"mode {req['mode']}")
    if req.get("crossorigin"):
        how.append(f"crossorigin {req['crossorigin']}")
    lines.append(f"  understood: {req['method']} {req['url']} from origin {req['origin']} "
                 f"({', '.join(how)}, credentials: {creds})")
    for name, value in req["headers"].items():
        lines.append(f"    {name}: {value}")
    if doc["browser_headers"]:
        lines.append("  the browser's own headers (not the page's): "
                     + ", ".join(doc["browser_headers"]))
    for note in doc["inferred"]:
        lines.append(f"  inferred: {note}")
    lines.append(f"{REPRODUCED[doc['reproduced']]}: {doc['reproduced_why']}")
    out = "\n".join(lines) + "\n"
    if doc["report"] is not None:
        out += "\n" + text.render(doc["report"], color=color)
    return out


def render_text(docs: list[dict[str, Any]], color: bool = False) -> str:
    return "\n".join(_one(doc, color) for doc in docs)


def render_json(docs: list[dict[str, Any]], color: bool = False) -> str:
    """One paste/v1 object; a list of them when the paste held several requests."""
    shown: Any = docs[0] if len(docs) == 1 else docs
    return json.dumps(shown, indent=2, ensure_ascii=False) + "\n"
