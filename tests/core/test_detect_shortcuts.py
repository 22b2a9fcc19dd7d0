"""The shortcuts layer detection takes must not hide a layer: a response with none of the
headers `stack._votes` reads (`stack._TELLING`) is skipped, so that list must name them all."""

from __future__ import annotations

import ast
import inspect

from corsprobe import stack


def _names_read(func) -> set[str]:
    """The header names ``func`` passes to joined/header_values (lower case)."""
    tree = ast.parse(inspect.getsource(func))
    return {call.args[1].value.lower() for call in ast.walk(tree)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id in ("joined", "header_values") and len(call.args) > 1
            and isinstance(call.args[1], ast.Constant)}


def test_every_header_layer_detection_reads_is_in_its_shortcut_list():
    read = _names_read(stack._votes) | _names_read(stack.house_style)
    assert len(read) >= 10  # the walk found the calls
    assert read <= stack._TELLING, read - stack._TELLING
