"""``corsprobe rules`` lists the rule catalogue; ``corsprobe explain RULE`` shows one rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import UsageError
from ..render import CATALOGUE, RULE, show
from .options import FormatName, command_app, format_choice

rules_app = command_app()
explain_app = command_app()
if TYPE_CHECKING:
    Format = FormatName
else:  # the formats that render this command's document
    Format = format_choice("Format", CATALOGUE)
TEXT = Format("text")


def _as_dict(rule: object) -> dict[str, str]:
    """A rule as the catalogue documents it (``rules --format json``)."""
    return {key: getattr(rule, key) for key in ("id", "name", "severity", "family", "title", "doc")}


@rules_app.command("rules")
def rules(
    fmt: Annotated[Format, typer.Option("--format", "-f", help="text or json.")] = TEXT,
) -> None:
    """List the rule catalogue."""
    from ..rules import all_rules

    show(CATALOGUE, fmt.value, [_as_dict(r) for r in all_rules()])


@explain_app.command("explain")
def explain(rule_id: Annotated[str, typer.Argument(metavar="RULE", help="Rule id or name.")]) -> None:
    """Show one rule's documentation."""
    from ..rules import all_rules

    wanted = rule_id.strip().lower()
    for r in all_rules():
        if wanted in (r.id.lower(), r.name):
            show(RULE, "text", _as_dict(r))
            return
    raise UsageError(f"no rule '{rule_id}'; `corsprobe rules` lists them (e.g. CORS102)")
