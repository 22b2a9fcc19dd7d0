"""The rule catalogue (``corsprobe rules``) and one rule's documentation (``explain``).

A rule is rendered from its dict: ``id``, ``name``, ``severity``, ``family``, ``title`` and
``doc`` (the rule's docstring, with its fixed headings), as ``rules --format json`` prints it.
"""

from __future__ import annotations

import io
from typing import Any


def render_text(catalogue: list[dict[str, Any]], color: bool = False) -> str:
    lines: list[str] = []
    family = None
    for r in catalogue:
        if r["family"] != family:
            family = r["family"]
            lines.append(f"\n{family}")
        lines.append(f"  {r['id']}  {r['severity']:7}  {r['name']:45} {r['title']}")
    lines.append("\ncorsprobe explain RULE shows a rule's documentation (RULE: id or name).")
    return "\n".join(lines) + "\n"


def render_rule(rule: dict[str, Any], color: bool = False) -> str:
    """The rule's id, name, severity and title, then its doc with the headings in bold."""
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    # the terminal's width, as a console on stdout would take it
    console = Console(file=buf, force_terminal=color, highlight=False)
    console.print(Text(f"{rule['id']} {rule['name']}", style="bold"),
                  Text(f"({rule['severity']}, {rule['family']})", style="dim"))
    console.print(Text(rule["title"], style="italic"))
    console.print()
    for line in rule["doc"].splitlines():
        is_heading = line.rstrip().endswith(":") and not line.startswith(" ")
        console.print(Text(line, style="bold cyan" if is_heading else ""))
    return buf.getvalue()
