"""The README's "Paste what the browser said" examples: the console lines (a CORS error, a
font, a mixed-content block) and the "Copy as cURL" shown there parse to exactly the lines the
README shows for them."""

from __future__ import annotations

import re

from tests.clihelp import ROOT, cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Paste what the browser said", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"```\n(.*?)```", SECTION, re.S)


def _block(marker: str) -> str:
    [block] = [b for b in BLOCKS if marker in b]
    return block


def _shown(block: str) -> list[str]:
    """The README's own report lines before the check's report (understood, inferred, ...)."""
    head = block.split("corsprobe paste  from", 1)[1].split("\n\n", 1)[0]
    return [line for line in head.splitlines()[1:] if line.startswith("  ")]


def test_console_line_example():
    block = _block("Method PUT is not allowed")
    line = re.search(r'^\$ corsprobe paste "(.*)"$', block, re.M).group(1)
    out = cli("paste", line, "--no-check", "--no-color").out
    assert out.startswith("corsprobe paste  from Chrome's console")
    for shown in _shown(block):
        assert shown in out.splitlines(), shown


def test_copy_as_curl_example():
    block = _block("# the clipboard holds:")
    curl = block.split("# the clipboard holds:\n", 1)[1].split("\ncorsprobe paste  from", 1)[0]
    assert curl.startswith("curl '") and curl.endswith("--compressed")
    out = cli("paste", curl, "--no-check", "--no-color").out
    for shown in _shown(block):
        assert shown in out.splitlines(), shown
    assert "eyJhbGciOiJIUzI1NiJ9" not in out and "7f3a9c0e1d2b" not in out


def test_kind_example():
    block = _block("Access to font at")
    line = re.search(r'^\$ corsprobe paste --no-check "(.*)"$', block, re.M).group(1)
    out = cli("paste", line, "--no-check", "--no-color").out
    assert out == block.split("\n", 1)[1]


def test_mixed_content_example():
    block = _block("Mixed Content: The page at")
    line = re.search(r'^\$ corsprobe paste "(.*)"$', block, re.M).group(1)
    out = cli("paste", line, "--no-color", code=1).out
    head = block.split("\n", 1)[1].split("\n\n", 1)[0]
    assert out.startswith(head + "\n\n")
