"""The words every output shares, written once: where a browser blocks, a verdict in one
line, a report's or a failed check's diagnosis, and :func:`visible`, which shows control
characters from a hostile server as ``\\xNN``.

Pure (no rich): the renderers, :mod:`corsprobe.policy` and :class:`~.model.Report` use them.
"""

from __future__ import annotations

from typing import Any

from ..fetch.browsers import ALL, limits

BROWSER_LABEL = {name: limits(name).label for name in ALL}


def where(blocked_at: str | None) -> str:
    """Where the browser blocks, in words: "at the preflight", "at the response", ..."""
    return {"preflight": "at the preflight", "actual": "at the response",
            "redirect": "at a redirect", "mixed-content": "as mixed content",
            "local-network-access": "by Local Network Access",
            "request-mode": "by the request mode (same-origin)"}.get(blocked_at or "", "")


def visible(obj: Any) -> Any:
    """``obj`` with every control character in its strings shown as ``\\xNN``: a hostile
    server's header values must not reach a terminal as escape sequences (ESC, CSI, BEL)."""
    if isinstance(obj, str):
        if obj.isprintable():
            return obj
        return "".join(c if c.isprintable() or c in "\n\t" or ord(c) > 0x9f
                       else f"\\x{ord(c):02x}" for c in obj)
    if isinstance(obj, list):
        return [visible(o) for o in obj]
    if isinstance(obj, dict):
        return {k: visible(v) for k, v in obj.items()}
    return obj


def verdict(report: dict[str, Any]) -> str:
    """What the browser does, in one line."""
    browser = BROWSER_LABEL.get(report.get("browser", ""), "The browser")
    if report.get("error"):
        return f"not reachable: {report['error']['message']}"
    allowed = report.get("allowed")
    if allowed is True:
        if report.get("response_type") == "opaque":
            return f"{browser} allows it, but unreadable: opaque (no-cors)"
        return f"{browser} allows it"
    if allowed is False:
        at = where(report.get("blocked_at"))
        error = report.get("browser_error") or report.get("blocked_reason")
        return f"{browser} blocks it {at} ({error})".replace("  ", " ")
    return "the preflight passes; the actual request was not sent"


def request_line(result: dict[str, Any]) -> str:
    return f"{result['method']} {result['url']} from {result['origin']}"


def diagnosis(result: dict[str, Any], fixes: bool = True) -> list[str]:
    """The failure explained: each failed expectation, the console message, the findings."""
    report = result["report"]
    lines = [f"{f['expectation']}: {f['message']}" for f in result["failures"]]
    lines.append(f"request: {request_line(result)}")
    if report.get("console_message"):
        lines.append(f"console: {report['console_message']}")
    for f in report.get("findings") or []:
        lines.append(f"{f['severity']} {f['rule']} {f['name']}: {f['message']}")
        generic = (f.get("fix") or {}).get("generic")
        if fixes and generic:
            lines.append(f"  fix: {generic}")
    return lines


def report_diagnosis(report: dict[str, Any]) -> str:
    """One report explained in lines: the verdict, the console message, each finding and its
    fix (also in the detected framework's terms). What ``assert_cors`` shows on failure."""
    lines = [verdict(report)]
    if report.get("console_message"):
        lines.append(f"console: {report['console_message']}")
    framework = (report.get("framework") or {}).get("name")
    for f in report.get("findings") or []:
        lines.append(f"{f['severity']} {f['rule']} {f['name']}: {f['message']}")
        fix = f.get("fix") or {}
        if fix.get("generic"):
            lines.append(f"  fix: {fix['generic']}")
        if framework and fix.get(framework):
            lines.append(f"  fix ({framework}): {fix[framework]}")
    return "\n".join(lines)
