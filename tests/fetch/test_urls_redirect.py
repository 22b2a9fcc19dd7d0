"""Origins, URLs and redirect hops."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corsprobe.fetch import redirect
from corsprobe.fetch.urls import InvalidInput, parse_origin, parse_url
from corsprobe.model import CorsFailure, HttpResponse, NetError


@pytest.mark.parametrize(
    "text,serialized",
    [
        ("https://app.example.com", "https://app.example.com"),
        ("https://App.Example.COM", "https://app.example.com"),
        ("https://app.example.com:443", "https://app.example.com"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("null", "null"),
    ],
)
def test_origin_serialization(text, serialized):
    assert parse_origin(text).serialize() == serialized


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("https://app.example.com/", "ends with a slash"),
        ("https://app.example.com/x", "path"),
        ("app.example.com", "no scheme"),
        ("https://app.example.com:99999", "port"),
        ("NULL", "spelled 'null'"),
        ("ftp://x.example", "only http and https"),
        ("https://a b.example", "whitespace"),
        ("https://u:p@app.example.com", "user:password"),
    ],
)
def test_bad_origins_are_explained(text, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        parse_origin(text)


def _hop(url="https://api.example.com/a", method="GET", headers=(), tainted=False):
    return redirect.Hop(parse_url(url), method, tuple(headers), None, tainted)


PAGE = parse_origin("https://app.example.com")


def _follow(hop, status, location, n=0):
    return redirect.follow(hop, HttpResponse(status, "", (("Location", location),)), PAGE, n, 20)


def test_same_origin_hop_does_not_taint():
    nxt = _follow(_hop(), 302, "/b")
    assert isinstance(nxt, redirect.Hop) and not nxt.tainted
    assert nxt.url.text == "https://api.example.com/b"


def test_cross_origin_hop_taints():
    nxt = _follow(_hop(), 302, "https://other.example.com/b")
    assert isinstance(nxt, redirect.Hop) and nxt.tainted


def test_hop_back_to_page_origin_taints_too():
    nxt = _follow(_hop(), 302, "https://app.example.com/b")
    assert isinstance(nxt, redirect.Hop) and nxt.tainted


def test_location_with_credentials_fails():
    nxt = _follow(_hop(), 302, "https://u:p@api.example.com/b")
    assert isinstance(nxt, CorsFailure) and nxt.error == "RedirectContainsCredentials"


def test_non_cors_scheme_location_is_cors_disabled_scheme():
    nxt = _follow(_hop(), 302, "ftp://api.example.com/b")
    assert isinstance(nxt, CorsFailure) and nxt.error == "CorsDisabledScheme"
    assert nxt.hint == "ftp://api.example.com/b"


def test_data_location_is_a_network_error():
    nxt = _follow(_hop(), 302, "data:text/plain,hi")
    assert isinstance(nxt, NetError) and nxt.kind == "unsafe_redirect"


def test_too_many_redirects():
    nxt = _follow(_hop(), 302, "/b", n=20)
    assert isinstance(nxt, NetError) and nxt.kind == "too_many_redirects"


def test_post_becomes_get_on_302_and_303_but_not_307():
    post = _hop(method="POST", headers=[("Content-Type", "application/json"), ("X-A", "1")])
    for status in (301, 302, 303):
        nxt = _follow(post, status, "/b")
        assert nxt.method == "GET" and dict(nxt.headers) == {"X-A": "1"}
    nxt = _follow(post, 307, "/b")
    assert nxt.method == "POST" and len(nxt.headers) == 2


def test_cross_origin_hop_drops_authorization():
    hop = _hop(headers=[("Authorization", "Bearer x"), ("X-A", "1")])
    nxt = _follow(hop, 307, "https://other.example.com/")
    assert dict(nxt.headers) == {"X-A": "1"}


# -- parse_url's shortcut: the authority parsed once, the rest appended ----------------------

_SCHEMES = ["http://", "https://", "HTTPS://", "ftp://", "http:/", "", "1http://", "h\x01ttp://"]
_USERS = ["", "u:p@", "u@", "@", "a/b@"]
_HOSTS = ["a.b", "127.0.0.1", "[::1]", "[::1", "::1", "xn--fa-hia.de", "xn--zz.de", "faß.de",
          "A.B", "", "a b", "a<b", "%41", "[v1.x]"]
_PORTS = ["", ":80", ":443", ":8080", ":99999", ":x", ":"]
_REST = st.text(alphabet="/?#ab:@[]% é\t\x01\\.", max_size=12)


def _outcome(parse, text):
    try:
        return parse(text)
    except InvalidInput as exc:
        return str(exc)


@given(st.sampled_from(_SCHEMES), st.sampled_from(_USERS), st.sampled_from(_HOSTS),
       st.sampled_from(_PORTS), _REST)
@settings(max_examples=1500, deadline=None)
def test_parse_url_gives_what_the_full_parse_gives(scheme, user, host, port, rest):
    from corsprobe.fetch import urls

    text = scheme + user + host + port + rest
    full = urls._parse_url.__wrapped__  # (uncached: every call the full parse)
    assert _outcome(urls.parse_url.__wrapped__, text) == _outcome(full, text)
