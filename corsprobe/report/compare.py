"""``--browser all``: one report per browser, side by side, and where they disagree.

The JSON object (schema ``corsprobe/compare/v1``) holds ``browsers`` (browser name ->
report/v1, each built exactly as ``--browser NAME`` builds it) and ``disagreements``: one
entry per compared field whose values are not the same in every browser, with the value per
browser. Compared: the verdict (``allowed``, ``blocked_at``, ``browser_error``), whether a
preflight is sent (``preflight.required``) and how many, the requests on the wire, the readable
response headers and how long the preflight is cached (these two only among the browsers
that allow the request / pass the preflight), and what each browser does with each cookie
the answer sets (field ``cookie NAME``, a value such as ``stores it, sent next`` or ``does NOT
store it (ThirdPartyPhaseout)``). Console texts always differ in wording and are shown per
browser, not listed as disagreements.

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


def _cookie_fate(cookie: dict[str, Any] | None) -> str | None:
    """What a browser does with one cookie, in words (None: the answer did not set it)."""
    if cookie is None:
        return None
    if not cookie["stored"]:
        reasons = ", ".join(cookie["blocked_reasons"])
        return "does NOT store it" + (f" ({reasons})" if reasons else "")
    kept = "stores it partitioned" if cookie["partitioned"] else "stores it"
    return f"{kept}, {'sent' if cookie['sent_on_next'] else 'NOT sent'} next"


def cookie_fields(report: dict[str, Any]) -> dict[str, str | None]:
    return {f"cookie {c['name']}": _cookie_fate(c) for c in report.get("cookies") or []}


def build(reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    fields = {name: _fields(r) for name, r in reports.items()}
    names = list(dict.fromkeys(k for r in reports.values() for k in cookie_fields(r)))
    for name, r in reports.items():
        mine = cookie_fields(r)
        fields[name].update({k: mine.get(k) for k in names})
    disagreements = []
    for key in next(iter(fields.values())):
        values = {name: f[key] for name, f in fields.items()}
        compared = [v for v in values.values() if v is not None or key in _NONE_COUNTS]
        if len({repr(v) for v in compared}) > 1:
            disagreements.append({"field": key, "values": values})
    return {"schema": SCHEMA, "browsers": reports, "disagreements": disagreements}
