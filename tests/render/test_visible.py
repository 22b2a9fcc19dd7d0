"""The terminal escaping of report values, tested with arbitrary text."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from corsprobe.report.words import visible


@given(st.text())
def test_visible_leaves_no_control_characters(text):
    shown = visible({"k": [text]})["k"][0]
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in shown)
