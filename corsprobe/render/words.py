"""The words every format shares: a verdict in one line, a failed check's diagnosis, and
:func:`visible`, which shows control characters from a hostile server as ``\\xNN``.

Standard library only, so the engine (:mod:`corsprobe.runner`, :mod:`corsprobe.api`) may
use them too without importing a renderer.
"""

from __future__ import annotations

from typing import Any

BROWSER_LABEL = {"chrome": "Chrome", "firefox": "Firefox", "safari": "Safari"}


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
        return f"{browser} allows it"
    if allowed is False:
        where = {"preflight": "at the preflight", "actual": "at the response",
                 "redirect": "at a redirect"}.get(report.get("blocked_at") or "", "")
        return f"{browser} blocks it {where} ({report.get('browser_error')})".replace("  ", " ")
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
