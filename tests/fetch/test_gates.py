"""Mixed content, as recorded in Chromium 156, Firefox ESR 153 and WebKitGTK 2.50."""

import pytest

from corsprobe.fetch.gates import loopback_host, mixed_content, mixed_content_console
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
