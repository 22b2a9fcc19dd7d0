"""The per-browser table: preflight cache lifetimes and the safelist that depends on it."""

from __future__ import annotations

import pytest

from corsprobe.fetch import safelist
from corsprobe.fetch.browsers import BROWSERS, preflight_cache_seconds


@pytest.mark.parametrize(
    "max_age,chrome,firefox,safari",
    [
        (None, 5, 0, 5),  # observed: Firefox does not cache a preflight without Max-Age
        ("600", 600, 600, 600),
        ("86400", 7200, 86400, 600),
        (" 30 ", 30, 30, 30),
        ("1h", 5, 0, 5),  # Firefox does not cache a preflight with an unparsable Max-Age
        ("-1", 0, 0, 0),
    ],
)
def test_preflight_cache_seconds(max_age, chrome, firefox, safari):
    got = {name: preflight_cache_seconds(b, max_age) for name, b in BROWSERS.items()}
    assert got == {"chrome": chrome, "firefox": firefox, "safari": safari}


def test_client_hints_are_safelisted_only_for_chrome():
    headers = (("DPR", "2"), ("Accept", "*/*"))
    assert safelist.unsafe_header_names(headers, BROWSERS["chrome"].extra_safelisted_headers)[0] == []
    for name in ("firefox", "safari"):
        names, why = safelist.unsafe_header_names(headers, BROWSERS[name].extra_safelisted_headers)
        assert names == ["dpr"] and "only Chromium" in why[0]
