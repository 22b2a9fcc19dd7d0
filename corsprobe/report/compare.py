"""``--browser all``: one report per browser, side by side, and where they disagree.

The JSON object (schema ``corsprobe/compare/v1``) holds ``browsers`` (browser name ->
report/v1, each built exactly as ``--browser NAME`` builds it) and ``disagreements``: one
entry per compared field whose values are not the same in every browser, with the value per
browser. Compared: the verdict (``allowed``, ``blocked_at``, ``browser_error``), whether a
preflight is sent (``preflight.required``) and how many, the requests on the wire, the readable
response headers and how long the preflight is cached (these two only among the browsers
that allow the request / pass the preflight). Console texts always differ in wording
and are shown per browser, not listed as disagreements.

:mod:`corsprobe.render.compare` renders it as text.
"""

from __future__ import annotations

from typing import Any

SCHEMA = "corsprobe/compare/v1"


def _fields(report: dict[str, Any]) -> dict[str, Any]:
    pre = report["preflight"]
    wire = [
        f"{ex['request']['method']} {ex['request']['url']}"
        for ex in (*pre["exchanges"], *report["actual"]["exchanges"])
    ]
    return {
        "allowed": report["allowed"],
        "blocked_at": report["blocked_at"],
        "browser_error": report["browser_error"],
        "preflight.required": pre["required"],
        "preflights sent": len(pre["exchanges"]),
        "requests sent": len(wire),
        "readable_headers": report["readable_headers"] if report["allowed"] else None,
        "preflight.cache_seconds": pre.get("cache_seconds"),
    }


# Fields where None means "not applicable" (blocked, or no preflight passed) rather than a value.
_NONE_COUNTS = ("allowed", "blocked_at", "browser_error")


def build(reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    fields = {name: _fields(r) for name, r in reports.items()}
    disagreements = []
    for key in next(iter(fields.values())):
        values = {name: f[key] for name, f in fields.items()}
        compared = [v for v in values.values() if v is not None or key in _NONE_COUNTS]
        if len({repr(v) for v in compared}) > 1:
            disagreements.append({"field": key, "values": values})
    return {"schema": SCHEMA, "browsers": reports, "disagreements": disagreements}
