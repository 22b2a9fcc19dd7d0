"""The FORMATS registry: every entry resolves, commands offer exactly what it renders, and
corsprobe.render is the only package that imports rich."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest

from corsprobe.cli import load_command
from corsprobe.render import FORMATS, STREAMS, formats_for, render, reporter

PACKAGE = Path(__file__).parents[2] / "corsprobe"


@pytest.mark.parametrize("fmt, kind", [(f.name, kind) for f in FORMATS.values() for kind in f.renders])
def test_every_entry_resolves_to_a_callable(fmt, kind):
    assert callable(FORMATS[fmt].renderer(kind))


@pytest.mark.parametrize("command, kind", [
    ("check", "report"), ("run", "run"), ("scan", "scan"), ("har", "har"), ("rules", "catalogue"),
    ("demo", "demo"),
])
def test_a_commands_format_choices_are_what_renders_its_document(command, kind):
    option = next(p for p in load_command(command).params if "--format" in p.opts)
    assert tuple(option.type.choices) == formats_for(kind)
    assert option.default.value == "text"


def test_check_formats_also_render_browser_all():
    assert set(formats_for("report")) <= set(formats_for("compare"))


def test_a_missing_pairing_is_refused():
    with pytest.raises(ValueError, match="no 'junit' format for a report document"):
        render("report", "junit", {})


def test_streams_and_documents_are_not_mixed_up():
    with pytest.raises(AssertionError):
        render("run", "json", {})
    with pytest.raises(AssertionError):
        reporter("report", "json", io.StringIO())
    assert STREAMS == {"run", "scan", "demo"}


def test_the_catalogue_renders_from_rule_dicts():
    rule = {"id": "CORS999", "name": "x", "severity": "info", "family": "f", "title": "T",
            "doc": "What it detects:\n    x"}
    text = render("catalogue", "text", [rule])
    assert "  CORS999  info     x" in text and text.endswith("(RULE: id or name).\n")
    assert render("rule", "text", rule).startswith("CORS999 x (info, f)\nT\n\nWhat it detects:")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_corsprobe_render_imports_rich():
    importers = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                       if "rich" in _imports(p))
    assert importers and all(p.startswith("render/") for p in importers), importers
