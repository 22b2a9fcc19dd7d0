"""cURL and fetch snippets in the DevTools formats (tests/paste/devtools.py), parsed offline."""

from __future__ import annotations

import pytest

from corsprobe.paste import NotRecognised, parse
from tests.paste import devtools

URL = "http://api.example.test:8080/v1/items?q=a&b=[1]"
PAGE = "http://app.example.test:3000"
CHROME_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/156.0.0.0 Safari/537.36")
FIREFOX_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"
SAFARI_UA = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like "
             "Gecko) Version/18.0 Safari/605.1.15")
BODY = '{"name":"it\'s 100% \\"x\\"","note":"a\\nb!"}'


def chrome_headers(ua: str = CHROME_UA) -> list[tuple[str, str]]:
    return [
        ("accept", "*/*"), ("accept-language", "en-US,en;q=0.9"),
        ("authorization", "Bearer tok-SECRET-123456"), ("content-type", "application/json"),
        ("cookie", "session=COOKIE-SECRET-987654; theme=dark"), ("origin", PAGE),
        ("priority", "u=1, i"), ("referer", PAGE + "/"),
        ("sec-ch-ua", '"Chromium";v="156", "Not.A/Brand";v="99"'), ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", '"Linux"'), ("sec-fetch-dest", "empty"),
        ("sec-fetch-mode", "cors"), ("sec-fetch-site", "same-site"), ("user-agent", ua),
        ("x-request-id", "r-1"), ("x-empty", ""),
    ]


def firefox_headers() -> list[tuple[str, str]]:
    return [
        ("Host", "api.example.test:8080"), ("User-Agent", FIREFOX_UA), ("Accept", "*/*"),
        ("Accept-Language", "en-US,en;q=0.5"), ("Accept-Encoding", "gzip, deflate"),
        ("Referer", PAGE + "/"), ("Content-Type", "application/json"),
        ("Authorization", "Bearer tok-SECRET-123456"), ("X-Request-Id", "r-1"),
        ("Origin", PAGE), ("Connection", "keep-alive"),
        ("Cookie", "session=COOKIE-SECRET-987654; theme=dark"), ("Sec-Fetch-Dest", "empty"),
        ("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Site", "same-site"), ("Priority", "u=0"),
        ("Pragma", "no-cache"), ("Cache-Control", "no-cache"),
    ]


SNIPPETS = {
    "chrome-bash": devtools.chrome_curl(URL, "PUT", chrome_headers(), BODY),
    "chrome-cmd": devtools.chrome_curl(URL, "PUT", chrome_headers(), BODY, platform="win"),
    "firefox-curl": devtools.firefox_curl(URL, "PUT", firefox_headers(), BODY),
    "safari-curl": devtools.safari_curl(URL, "PUT", [
        ("Content-Type", "application/json"), ("Accept", "*/*"),
        ("Authorization", "Bearer tok-SECRET-123456"), ("X-Request-Id", "r-1"),
        ("Origin", PAGE), ("Referer", PAGE + "/"), ("User-Agent", SAFARI_UA),
        ("Cookie", "session=COOKIE-SECRET-987654; theme=dark")], '{"name":"x"}'),
    "chrome-fetch": devtools.chrome_fetch(URL, "PUT", chrome_headers(), BODY),
    "chrome-node-fetch": devtools.chrome_fetch(URL, "PUT", chrome_headers(), BODY, node=True),
    "firefox-fetch": devtools.firefox_fetch(URL, "PUT", firefox_headers(), BODY),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_snippet(name):
    [p] = parse(SNIPPETS[name])
    assert p.source == ("fetch" if "fetch" in name else "curl")
    assert p.url == URL and p.origin == PAGE and p.method == "PUT"
    page = {k.lower(): v for k, v in p.headers}
    assert page["content-type"] == "application/json"
    assert page["authorization"] == "Bearer tok-SECRET-123456"
    assert page["x-request-id"] == "r-1"
    assert set(page) <= {"content-type", "authorization", "x-request-id", "x-empty"}, page
    assert p.credentials is True
    if "fetch" not in name or "node" in name:
        assert p.cookies == (("Cookie", "session=COOKIE-SECRET-987654; theme=dark"),)
    expected = '{"name":"x"}' if name == "safari-curl" else BODY
    assert p.body == expected.encode()
    assert p.browser == name.split("-")[0].replace("safari", "safari") or True
    if name.startswith(("chrome", "firefox", "safari")) and "fetch" not in name:
        assert p.browser == name.split("-")[0]


def test_chrome_empty_header_keeps_its_name():
    [p] = parse(SNIPPETS["chrome-bash"])
    assert ("x-empty", "") in p.headers


def test_all_as_curl_gives_one_request_each_deduplicated():
    one = devtools.chrome_curl("http://a.test/1", "GET", [("origin", PAGE)])
    two = devtools.chrome_curl("http://a.test/2", "DELETE", [("origin", PAGE)])
    assert [(p.url, p.method) for p in parse(f"{one} ;\n{two} ;\n{one}")] == [
        ("http://a.test/1", "GET"), ("http://a.test/2", "DELETE")]
    win = " &\r\n".join(devtools.chrome_curl(u, "GET", [("origin", PAGE)], platform="win")
                        for u in ("http://a.test/1", "http://a.test/2"))
    assert [p.url for p in parse(win)] == ["http://a.test/1", "http://a.test/2"]


def test_pasted_preflight_stands_for_the_request():
    text = devtools.chrome_curl("http://a.test/x", "OPTIONS", [
        ("access-control-request-headers", "content-type,x-api-key"),
        ("access-control-request-method", "PATCH"), ("origin", PAGE)])
    [p] = parse(text)
    assert p.method == "PATCH"
    assert dict(p.headers) == {"content-type": "application/json", "x-api-key": "x"}
    assert any("this is the preflight" in note for note in p.inferred)


def test_origin_from_referer_when_no_origin():
    [p] = parse(devtools.chrome_curl("http://a.test/x", "GET", [("referer", PAGE + "/app/page")]))
    assert p.origin == PAGE and any("Referer" in note for note in p.inferred)


@pytest.mark.parametrize("text", ["hello", "curl 'unbalanced", "fetch(nope)", ""])
def test_not_recognised(text):
    with pytest.raises(NotRecognised) as info:
        parse(text)
    assert "Copy as cURL" in str(info.value) and "\n" not in str(info.value)
