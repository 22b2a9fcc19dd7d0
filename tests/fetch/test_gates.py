"""Mixed content, as recorded in Chromium 156, Firefox ESR 153 and WebKitGTK 2.50."""

import pytest

from corsprobe.fetch.gates import (
    lna_failure,
    loopback_host,
    mixed_content,
    mixed_content_console,
    space_of_address,
    space_of_host,
)
from corsprobe.fetch.urls import parse_origin, parse_url


@pytest.mark.parametrize("host", ["localhost", "api.localhost", "127.0.0.1", "127.9.9.9", "::1",
                                  "[::1]"])
def test_loopback_hosts_are_potentially_trustworthy(host):
    assert loopback_host(host)


@pytest.mark.parametrize("host", ["api.test", "10.0.0.1", "192.168.1.2", "localhost.example.com"])
def test_other_hosts_are_not(host):
    assert not loopback_host(host)


@pytest.mark.parametrize(("page", "url", "trusts_loopback", "blocked"), [
    ("https://app.test", "http://api.test/x", True, True),
    ("https://app.test", "https://api.test/x", True, False),
    ("http://app.test", "http://api.test/x", True, False),
    ("https://app.test", "http://127.0.0.1:8000/x", True, False),
    ("https://app.test", "http://localhost:8000/x", True, False),
    ("https://app.test", "http://localhost:8000/x", False, True),  # WebKit
    ("null", "http://api.test/x", True, False),
])
def test_mixed_content(page, url, trusts_loopback, blocked):
    assert mixed_content(parse_origin(page), parse_url(url), trusts_loopback) is blocked


def test_console_lines_per_engine():
    chromium = mixed_content_console("chromium", "https://app.test/", "http://api.test/x", None)
    assert chromium == ["Mixed Content: The page at 'https://app.test/' was loaded over HTTPS, but "
                        "requested an insecure resource 'http://api.test/x'. This request has been "
                        "blocked; the content must be served over HTTPS."]
    firefox = mixed_content_console("gecko", "https://app.test/", "http://api.test/x",
                                    "https://api.test/r")
    assert firefox[0] == "Blocked loading mixed active content “http://api.test/x”"
    assert "https://api.test/r. (Reason: CORS request did not succeed)" in firefox[1]
    webkit = mixed_content_console("webkit", "https://app.test/", "http://api.test/x", None)
    assert webkit == [
        "[blocked] The page at https://app.test/ requested insecure content from "
        "http://api.test/x. This content was blocked and must be served over HTTPS.",
        "Not allowed to request resource",
        "Fetch API cannot load http://api.test/x due to access control checks."]
    loopback = mixed_content_console("webkit", "https://app.test/", "http://localhost:8/x", None)
    assert loopback[0].endswith("http://localhost:8/x. This content was blocked and must")


@pytest.mark.parametrize(("address", "space"), [
    ("127.0.0.1", "local"), ("::1", "local"), ("0.0.0.0", "local"), ("10.1.2.3", "private"),
    ("172.16.0.1", "private"), ("192.168.1.20", "private"), ("169.254.1.1", "private"),
    ("fd00::1", "private"), ("::ffff:192.168.1.1", "private"), ("8.8.8.8", "public"),
    ("2606:4700::1111", "public"),
])
def test_space_of_address(address, space):
    assert space_of_address(address) == space


def test_space_of_host_names_only_what_the_host_says():
    assert space_of_host("localhost") == "local"
    assert space_of_host("[::1]") == "local"
    assert space_of_host("192.168.0.2") == "private"
    assert space_of_host("api.example.com") is None


@pytest.mark.parametrize(("lna", "page", "target", "secure", "error"), [
    ("permission", "public", "local", True, "LocalNetworkAccessPermissionDenied"),
    ("permission", "public", "private", True, "LocalNetworkAccessPermissionDenied"),
    ("permission", "public", "local", False, "InsecureLocalNetwork"),
    ("permission", "public", "public", True, None),
    ("permission", "private", "local", True, None),  # recorded: Chromium 156 allows it
    ("permission", None, "local", True, None),  # unknown page: not gated (a note says so)
    ("prompt", "public", "local", False, "LocalNetworkAccessPermissionDenied"),
    ("none", "public", "local", True, None),
])
def test_lna_failure(lna, page, target, secure, error):
    failure = lna_failure(lna, page, target, secure)
    assert (failure.error if failure else None) == error


def test_chromium_names_the_spaces_its_way():
    assert lna_failure("permission", "public", "private", True).hint == "local"
    assert lna_failure("permission", "public", "local", True).hint == "loopback"
