"""JSON: a document alone on stdout, as it is (report/v1, compare/v1, har/v1, ...).

The streamed run/scan results are written by :class:`corsprobe.render.run.JsonReporter`.
"""

from __future__ import annotations

import json
from typing import Any


def render(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def document(doc: Any, color: bool = False) -> str:
    """report/v1, compare/v1 and har/v1: UTF-8 as it is, one trailing newline."""
    return render(doc) + "\n"


def ascii_document(doc: Any, color: bool = False) -> str:
    """The rule catalogue and the demo's list, which have always escaped non-ASCII (``\\u2014``)."""
    return json.dumps(doc, indent=2) + "\n"
