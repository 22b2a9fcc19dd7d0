"""``--browser all`` as text: one column per browser, where they disagree, then each
browser's preflight reasons, console lines and the findings (each named once).

Renders the ``corsprobe/compare/v1`` dict that :mod:`corsprobe.report.compare` builds.
"""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..report.words import BROWSER_LABEL as LABEL


def _verdict(report: dict[str, Any]) -> str:
    if report.get("error"):
        return "unreachable"
    if report["allowed"] is True:
        return "ALLOW"
    if report["allowed"] is False:
        return f"BLOCK ({report['blocked_at'] or 'network error'})"
    return "preflight ok, not sent"


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return "-" if value is None else str(value)


def document(doc: dict[str, Any], color: bool = False) -> str:
    return render(doc, color=color)


def render(doc: dict[str, Any], color: bool = False, width: int = 100) -> str:
    reports = doc["browsers"]
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=not color, width=width,
                      highlight=False, emoji=False, soft_wrap=True)
    first = next(iter(reports.values()))
    req = first["request"]
    console.print(Text(f"corsprobe check  {req['method']} {first['target']}", style="bold"))
    creds = "include" if req["credentials"] else "same-origin"
    console.print(Text(f"  from origin {first['origin']} · credentials: {creds} · "
                       f"browsers: {', '.join(LABEL[b] for b in reports)}", style="dim"))
    console.print()
    table = Table(show_header=True, header_style="bold", show_lines=False, expand=False)
    table.add_column("", no_wrap=True)
    for name in reports:
        table.add_column(LABEL[name], overflow="fold")
    rows: list[tuple[str, list[str]]] = [
        ("verdict", [_verdict(r) for r in reports.values()]),
        ("error (Chromium name)", [_cell(r["browser_error"]) for r in reports.values()]),
        ("browser's reason", [_cell(r.get("browser_reason"))
                              if r.get("browser_reason") != r["browser_error"] else "-"
                              for r in reports.values()]),
        ("requests sent", [str(len(r["preflight"]["exchanges"]) + len(r["actual"]["exchanges"]))
                           for r in reports.values()]),
        ("preflight", [("yes" if r["preflight"]["required"] else "no")
                       + (f" ({len(r['preflight']['exchanges'])} sent)"
                          if r["preflight"]["exchanges"] else "") for r in reports.values()]),
        ("preflight cached", [_cell(r["preflight"].get("cache_seconds")) + " s"
                              if r["preflight"].get("cache_seconds") is not None else "-"
                              for r in reports.values()]),
        ("readable headers", [_cell(r["readable_headers"]) if r["allowed"] else "-"
                              for r in reports.values()]),
    ]
    from ..report.compare import cookie_fields

    cookie_rows = [cookie_fields(r) for r in reports.values()]
    for field in dict.fromkeys(k for c in cookie_rows for k in c):
        rows.append((field, [_cell(c.get(field)) for c in cookie_rows]))
    disagree = {d["field"] for d in doc["disagreements"]}
    marks = {"verdict": "allowed", "error (Chromium name)": "browser_error",
             "preflight": "preflight.required", "preflight cached": "preflight.cache_seconds",
             "requests sent": "requests sent",
             "readable headers": "readable_headers"}
    for title, cells in rows:
        style = "bold yellow" if marks.get(title, title) in disagree else ""
        table.add_row(Text(title, style=style), *cells)
    console.print(table)
    console.print()
    if doc["disagreements"]:
        console.print(Text("The browsers disagree:", style="bold yellow"))
        for d in doc["disagreements"]:
            vals = "; ".join(f"{LABEL[b]} {_cell(v)}" for b, v in d["values"].items())
            console.print(f"  • {d['field']}: {vals}")
    else:
        console.print(Text("All browsers agree.", style="bold green"))
    console.print()
    for name, r in reports.items():
        if r["preflight"]["required"]:
            console.print(Text(f"{LABEL[name]} preflights because:", style="bold"))
            for reason in r["preflight"]["reasons"]:
                console.print(f"  • {reason}")
    lines = [(name, r.get("console_lines") or []) for name, r in reports.items()]
    if any(ls for _, ls in lines):
        console.print()
        console.print(Text("Console:", style="bold"))
        for name, ls in lines:
            for line in ls:
                text = Text(f"  {LABEL[name]}: ", style="bold")
                text.append(line, style="")
                console.print(text)
    seen: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for name, r in reports.items():
        for f in r.get("findings") or []:
            who = seen.setdefault(f["rule"], (f, []))[1]
            if LABEL[name] not in who:  # a rule may fire once per probe: name each browser once
                who.append(LABEL[name])
    if seen:
        console.print()
        console.print(Text(f"Findings ({len(seen)})", style="bold"))
        for f, who in seen.values():
            where = "" if len(who) == len(reports) else f" [{', '.join(who)}]"
            console.print(Text(f"  {f['severity'].upper():7} {f['rule']} {f['name']}{where}",
                               style="bold"))
            console.print(f"    {f['message']}")
            if f.get("fix", {}).get("generic"):
                console.print(f"    Fix: {f['fix']['generic']}")
    console.print()
    console.print(Text("One browser's full report: --browser chrome|firefox|safari", style="dim"))
    return buf.getvalue()
