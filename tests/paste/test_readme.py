"""The README's "Paste what the browser said" examples: the console line and the "Copy as
cURL" shown there parse to exactly the lines the README shows for them."""

from __future__ import annotations

import re

from tests.clihelp import ROOT, cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Paste what the browser said", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"```\n(.*?)```", SECTION, re.S)


def _shown(block: str) -> list[str]:
    """The README's own report lines before the check's report (understood, inferred, ...)."""
    head = block.split("corsprobe paste  from", 1)[1].split("\n\n", 1)[0]
    return [line for line in head.splitlines()[1:] if line.startswith("  ")]


def test_console_line_example():
    block = BLOCKS[0]
    line = re.search(r'^\$ corsprobe paste "(.*)"$', block, re.M).group(1)
    out = cli("paste", line, "--no-check", "--no-color").out
    assert out.startswith("corsprobe paste  from Chrome's console")
    for shown in _shown(block):
        assert shown in out.splitlines(), shown


def test_copy_as_curl_example():
    block = BLOCKS[1]
    curl = block.split("# the clipboard holds:\n", 1)[1].split("\ncorsprobe paste  from", 1)[0]
    assert curl.startswith("curl '") and curl.endswith("--compressed")
    out = cli("paste", curl, "--no-check", "--no-color").out
    for shown in _shown(block):
        assert shown in out.splitlines(), shown
    assert "eyJhbGciOiJIUzI1NiJ9" not in out and "7f3a9c0e1d2b" not in out
