"""The per-browser table: preflight cache lifetimes and the safelist that depends on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corsprobe.fetch import safelist
from corsprobe.fetch.browsers import BROWSERS, preflight_cache_seconds, recorded_from


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


# the browser each table entry stands for -> its recording and the product named in it
RECORDINGS = {"chrome": ("chromium", "Chromium"), "firefox": ("firefox", "Firefox"),
              "safari": ("webkit", "WebKitGTK")}
OBSERVED = Path(__file__).resolve().parents[1] / "browser"


@pytest.mark.parametrize("name", sorted(BROWSERS))
def test_the_recorded_build_is_the_one_the_recording_names(name):
    engine, product = RECORDINGS[name]
    with open(OBSERVED / f"{engine}-observed.json", encoding="utf-8") as fh:
        recorded = json.load(fh)[engine]  # "156.0.8078.114", "firefox 153.8.0", ...
    version = re.search(r"\d+(?:\.\d+)+", recorded)
    assert version, recorded
    ours = BROWSERS[name].recorded_from
    assert ours.startswith(product + " ") and ours.split()[-1] == version.group(), (ours, recorded)


def test_the_recorded_builds_are_named_in_order():
    assert recorded_from() == ", ".join(BROWSERS[name].recorded_from for name in ("chrome", "firefox",
                                                                                "safari"))
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

