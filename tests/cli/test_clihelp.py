"""The CLI test helper fails on an unexpected exit code and shows what the command printed."""

from __future__ import annotations

import pytest

from tests.clihelp import cli


def test_an_unexpected_exit_code_fails_with_the_output():
    with pytest.raises(AssertionError) as failed:
        cli("explain", "CORS999")  # a usage error: exit 2, not 0
    message = str(failed.value)
    assert "corsprobe explain CORS999 exited 2, expected 0" in message
    assert "--- stderr ---" in message and "corsprobe rules" in message


def test_the_expected_code_passes_and_several_may_be_allowed():
    assert cli("explain", "CORS999", code=2).code == 2
    assert cli("explain", "CORS101", code=(0, 1)).out.startswith("CORS101 ")
