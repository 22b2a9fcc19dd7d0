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


@pytest.mark.parametrize(
    "headers,chrome_and_safari",
    [
        ((("Content-Type", "text/plain"), ("content-type", "text/plain")), ["content-type"]),
        ((("Content-Type", "text/plain"), ("Content-Type", "text/plain;charset=utf-8")),
         ["content-type"]),
        ((("Accept", "a/" + "b" * 98), ("Accept", "c/" + "d" * 98)), ["accept"]),
        ((("Accept", "application/json"), ("Accept", "text/plain")), []),
    ],
)
def test_a_header_given_twice_is_combined_except_in_firefox(headers, chrome_and_safari):
    # tests/browser combined-*: Chromium and WebKit judge "text/plain, text/plain"; Firefox
    # judges each value.
    for name in ("chrome", "safari"):
        b = BROWSERS[name]
        names, why = safelist.unsafe_header_names(
            headers, b.extra_safelisted_headers, b.combines_repeated_headers
        )
        assert names == chrome_and_safari
        assert all("given 2 times" in w for w in why)
    firefox = BROWSERS["firefox"]
    assert safelist.unsafe_header_names(
        headers, firefox.extra_safelisted_headers, firefox.combines_repeated_headers
    )[0] == []

