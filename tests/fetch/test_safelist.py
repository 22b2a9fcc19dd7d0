"""CORS-safelisting and the preflight decision (Fetch Standard + Chromium additions)."""

import pytest

from corsprobe.fetch import safelist

SAFE = [
    ("Accept", "application/json"),
    ("Accept", "*/*"),
    ("Accept-Language", "en-US,en;q=0.9"),
    ("Content-Language", "de-DE"),
    ("Content-Type", "text/plain"),
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Content-Type", "Text/Plain"),
    ("Content-Type", "multipart/form-data; boundary=x"),
    ("Content-Type", "application/x-www-form-urlencoded"),
    ("Range", "bytes=0-100"),
    ("Range", "bytes=5-"),
    ("Save-Data", "on"),
    ("DPR", "2"),
    ("Device-Memory", "0.5"),
    ("Width", "100"),
    ("Viewport-Width", "1280"),
    ("RTT", "50"),
    ("ECT", "4g"),
    ("Downlink", "1.5"),
]
UNSAFE = [
    ("Content-Type", "application/json", "not one of the three"),
    ("Content-Type", 'text/plain; a="b"', "not CORS-safe"),
    ("Accept", "text/(html)", "not CORS-safe"),
    ("Accept-Language", "en/US", "only letters"),
    ("Content-Language", "de_DE", "only letters"),
    ("Range", "bytes=-500", "single"),
    ("Range", "bytes=0-1,5-6", "single"),
    ("Range", "bytes=9-1", "single"),
    ("Accept", "a" * 129, "129 bytes"),
    ("X-Custom", "1", "not a CORS-safelisted"),
    ("Authorization", "Bearer x", "not a CORS-safelisted"),
    ("Save-Data", "off", "only the value 'on'"),
    ("DPR", "two", "not a number"),
    ("Width", "1.5", "not an integer"),
    ("RTT", "50.5", "not an integer"),
    ("ECT", "5g", "only slow-2g"),
    ("Range", "bytes=0-" + "1" * 40, "single"),
]


@pytest.mark.parametrize("name,value", SAFE)
def test_safelisted(name, value):
    assert safelist.safelist_problem(name, value) is None


@pytest.mark.parametrize("name,value,why", UNSAFE)
def test_not_safelisted(name, value, why):
    problem = safelist.safelist_problem(name, value)
    assert problem is not None and why in problem


def test_128_bytes_is_still_safe():
    assert safelist.safelist_problem("Accept", "a" * 128) is None


def test_unsafe_names_sorted_lowercase_and_unique():
    names, _ = safelist.unsafe_header_names(
        (("X-B", "1"), ("Content-Type", "application/json"), ("x-a", "2"), ("X-B", "3"))
    )
    assert names == ["content-type", "x-a", "x-b"]


def test_forbidden_headers_are_ignored():
    names, _ = safelist.unsafe_header_names((("Cookie", "a=b"), ("Sec-Foo", "1"), ("Host", "x")))
    assert names == []


def test_total_over_1024_bytes_makes_every_safelisted_name_unsafe():
    headers = tuple((n, "1" * 120) for n in ("Dpr", "Width", "Viewport-Width", "Device-Memory"))
    headers += (("Accept", "a" * 128), ("Accept-Language", "b" * 128), ("Content-Language", "c" * 128))
    headers += (("Rtt", "1" * 128), ("Downlink", "1" * 128))
    names, why = safelist.unsafe_header_names(headers)
    assert "accept" in names and "dpr" in names
    assert all("1024" in w for w in why)


def test_total_at_1024_is_fine():
    headers = tuple((n, "1" * 128) for n in ("Accept", "Rtt", "Downlink", "Width", "Viewport-Width",
                                                "Accept-Language", "Content-Language", "Dpr"))
    assert sum(len(v) for _, v in headers) == 1024
    names, _ = safelist.unsafe_header_names(headers)
    assert names == []
    names, _ = safelist.unsafe_header_names(headers + (("Device-Memory", "1"),))
    assert "accept" in names and "device-memory" in names


@pytest.mark.parametrize(
    "given,normalized",
    [("get", "GET"), ("delete", "DELETE"), ("Options", "OPTIONS"), ("patch", "patch"),
     ("PATCH", "PATCH"), ("post", "POST"), ("Put", "PUT")],
)
def test_method_normalization(given, normalized):
    assert safelist.normalize_method(given) == normalized


def test_preflight_reasons_method_and_headers():
    reasons, names = safelist.preflight_reasons("PUT", (("Content-Type", "application/json"),))
    assert names == ["content-type"]
    assert reasons[0].startswith("method PUT") and "content-type" in reasons[1]


def test_lowercase_patch_reason_mentions_case():
    reasons, _ = safelist.preflight_reasons("patch", ())
    assert "keeps its case" not in reasons[0]  # patch is not safelisted in any case
    reasons, _ = safelist.preflight_reasons("GET", ())
    assert reasons == []


@pytest.mark.parametrize("name", ["Host", "Origin", "Cookie", "Sec-Fetch-Mode", "Proxy-Foo", "Connection"])
def test_forbidden_request_headers(name):
    assert safelist.is_forbidden_header(name)


def test_method_override_with_forbidden_method_is_forbidden():
    assert safelist.is_forbidden_header("X-HTTP-Method-Override", "TRACE")
    assert not safelist.is_forbidden_header("X-HTTP-Method-Override", "PUT")
