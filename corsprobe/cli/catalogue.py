"""``corsprobe rules`` lists the rule catalogue; ``corsprobe explain RULE`` shows one rule."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from ..errors import UsageError
from .options import command_app

rules_app = command_app()
explain_app = command_app()


class Format(str, Enum):
    text = "text"
    json = "json"


@rules_app.command("rules")
def rules(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = Format.text,
) -> None:
    """List the rule catalogue."""
    from ..rules import all_rules

    catalogue = all_rules()
    if fmt == Format.json:
        import json

        print(json.dumps([
            {"id": r.id, "name": r.name, "severity": r.severity, "family": r.family,
             "title": r.title, "doc": r.doc}
            for r in catalogue
        ], indent=2))
        return
    family = None
    for r in catalogue:
        if r.family != family:
            family = r.family
            print(f"\n{family}")
        print(f"  {r.id}  {r.severity:7}  {r.name:45} {r.title}")
    print("\ncorsprobe explain RULE shows a rule's documentation (RULE: id or name).")


@explain_app.command("explain")
def explain(rule_id: Annotated[str, typer.Argument(metavar="RULE", help="Rule id or name.")]) -> None:
    """Show one rule's documentation."""
    from ..rules import all_rules

    wanted = rule_id.strip().lower()
    for r in all_rules():
        if wanted in (r.id.lower(), r.name):
            from rich.console import Console
            from rich.text import Text

            console = Console(highlight=False)
            console.print(Text(f"{r.id} {r.name}", style="bold"), Text(f"({r.severity}, {r.family})", style="dim"))
            console.print(Text(r.title, style="italic"))
            console.print()
            for line in r.doc.splitlines():
                is_heading = line.rstrip().endswith(":") and not line.startswith(" ")
                console.print(Text(line, style="bold cyan" if is_heading else ""))
            return
    raise UsageError(f"no rule '{rule_id}'; `corsprobe rules` lists them (e.g. CORS102)")
