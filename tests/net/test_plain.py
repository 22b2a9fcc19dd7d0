"""The pool's plain path (corsprobe.net.aiopool.plain_request / plain_head) against h11
itself: whenever it takes a message, it writes the bytes h11 writes and reads what h11
reads, byte for byte; everything else it leaves to h11 (None)."""

from __future__ import annotations

import h11
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corsprobe.net.aiopool import plain_head, plain_request
from corsprobe.net.wire import HeadFilter, Watch


def _h11_request(method: bytes, target: bytes, headers: list[tuple[bytes, bytes]],
                 body: bytes) -> bytes | None:
    conn = h11.Connection(h11.CLIENT)
    try:
        out = conn.send(h11.Request(method=method, target=target, headers=headers)) or b""
        if body:
            out += conn.send(h11.Data(data=body)) or b""
        out += conn.send(h11.EndOfMessage()) or b""
    except h11.LocalProtocolError:
        return None
    return out


def _h11_response(method: bytes, data: bytes) -> tuple[tuple, int, bool] | None:
    """(head, body length, connection kept) as h11 reads ``data`` (the whole answer)."""
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method=method, target=b"/", headers=[(b"Host", b"x")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(data)
    try:
        head = conn.next_event()
        if not isinstance(head, h11.Response):
            return None
        size = 0
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Data):
                size += len(event.data)
            elif isinstance(event, h11.EndOfMessage):
                break
            else:
                return None  # h11 wants more (or the close) to end the body
    except h11.RemoteProtocolError:
        return None
    kept = conn.our_state is h11.DONE and conn.their_state is h11.DONE
    return ((head.status_code, head.reason, head.headers.raw_items()), size, kept)


def _filtered(raw: bytes) -> bytes:
    f = HeadFilter()
    return f.feed(raw, Watch(deadline=float("inf"), timeout=1)) + f.eof()


def _same_as_h11_response(method: bytes, raw: bytes, body: bytes = b"") -> bool:
    """True when the plain path took the head (and agreed with h11), False when it left it
    to h11."""
    data = _filtered(raw) + body
    plain = plain_head(data, method)
    if plain is None:
        return False
    status, reason, headers, length, start = plain
    theirs = _h11_response(method, data[: start + length])
    assert theirs is not None, raw
    assert theirs == ((status, reason, headers), length, True), raw
    return True


HOST = (b"Host", b"api.example.com:8080")


@pytest.mark.parametrize("method,target,headers,body,plain", [
    (b"GET", b"/users?a=1", [HOST], b"", True),
    (b"OPTIONS", b"/x", [HOST, (b"Origin", b"https://app.example.com"),
                         (b"Access-Control-Request-Method", b"PUT"),
                         (b"Access-Control-Request-Headers", b"content-type,x-a")], b"", True),
    (b"PUT", b"/x", [HOST, (b"Content-Type", b"application/json"),
                     (b"Content-Length", b"7")], b'{"a":1}', True),
    (b"patch", b"/x", [(b"Content-Length", b"0"), HOST], b"", True),  # Host still first
    (b"GET", b"/x", [HOST, (b"X-Empty", b"")], b"", True),
    (b"GET", b"/x", [HOST, (b"X-Obs", b"caf\xe9 \t au lait")], b"", True),
    (b"GET", b"/x", [], b"", False),  # no Host: h11 refuses
    (b"GET", b"/x", [HOST, HOST], b"", False),
    (b"GET", b"/x", [HOST, (b"X-A", b" padded")], b"", False),
    (b"GET", b"/x", [HOST, (b"X-A", b"a\r\nb")], b"", False),
    (b"GET", b"/x", [HOST, (b"Bad Name", b"1")], b"", False),
    (b"GET", b"/x y", [HOST], b"", False),
    (b"GET", b"/x", [HOST, (b"Connection", b"close")], b"", False),
    (b"GET", b"/x", [HOST, (b"Transfer-Encoding", b"chunked")], b"", False),
    (b"GET", b"/x", [HOST, (b"Expect", b"100-continue")], b"", False),
    (b"POST", b"/x", [HOST], b"abc", False),  # a body without Content-Length
    (b"POST", b"/x", [HOST, (b"Content-Length", b"2")], b"abc", False),
    (b"POST", b"/x", [HOST, (b"Content-Length", b"3, 3")], b"abc", False),
    (b"CONNECT", b"a:443", [HOST], b"", False),
])
def test_plain_requests_are_the_bytes_h11_writes(method, target, headers, body, plain):
    ours = plain_request(method, target, headers, body)
    assert (ours is not None) == plain
    if ours is not None:
        assert ours == _h11_request(method, target, headers, body)


OK = b"HTTP/1.1 200 OK\r\n"


@pytest.mark.parametrize("method,raw,body,plain", [
    (b"GET", OK + b"Content-Length: 2\r\n\r\n", b"{}", True),
    (b"GET", b"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", b"", True),
    (b"GET", b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", b"", True),
    (b"GET", b"HTTP/1.1 404 Not \tFound \xff\r\nContent-Length: 0\r\n\r\n", b"", True),
    (b"OPTIONS", b"HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\n"
                 b"access-control-allow-origin: https://a.example\r\nX-Empty:\r\n"
                 b"Vary: Origin\r\nVary: Accept\r\n\r\n", b"", True),
    (b"HEAD", OK + b"Content-Length: 500\r\n\r\n", b"", True),
    (b"head", OK + b"Content-Length: 5\r\n\r\n", b"hello", True),  # h11 frames by method
    (b"GET", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", b"", True),
    (b"GET", OK + b"X-A :  v  \r\n  folded\r\nContent-Length: 0\r\n\r\n", b"", True),
    (b"GET", OK + b"\r\n", b"", False),  # the body ends at the close
    (b"GET", b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", b"", False),
    (b"GET", OK + b"Connection: close\r\nContent-Length: 0\r\n\r\n", b"", False),
    (b"GET", OK + b"Transfer-Encoding: chunked\r\n\r\n", b"0\r\n\r\n", False),
    (b"GET", OK + b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n", b"{}", False),
    (b"GET", OK + b"Content-Length: 2, 2\r\n\r\n", b"{}", False),
    (b"GET", OK + b"Content-Length: x\r\n\r\n", b"", False),
    (b"GET", OK + b"X-A: a\x00b\r\nContent-Length: 0\r\n\r\n", b"", False),
    (b"GET", b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + OK
     + b"Content-Length: 0\r\n\r\n", b"", False),
    (b"GET", b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n", b"", False),
    (b"GET", b"HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n", b"", False),
    (b"GET", b"SSH-2.0-OpenSSH\r\n\r\n", b"", False),
])
def test_plain_heads_are_read_as_h11_reads_them(method, raw, body, plain):
    assert _same_as_h11_response(method, raw, body) == plain


PIECE = st.sampled_from([b"X-A", b"Content-Length", b"content-length", b"Vary", b":", b": ",
                         b" ", b"\t", b"v", b"0", b"12", b",", b"\x01", b"\x00", b"\x7f",
                         b"\xff", b"\x0b", b"\r", b"Connection", b"close"])
LINE = st.lists(PIECE, max_size=6).map(b"".join)
STATUS = st.sampled_from([OK, b"HTTP/1.1 204 No Content\r\n", b"HTTP/1.1 200\r\n",
                          b"HTTP/1.1 302 \x01\r\n", b"HTTP/1.0 200 OK\r\n",
                          b"HTTP/1.1 100 Continue\r\n"])


@settings(max_examples=400)
@given(STATUS, st.lists(LINE, max_size=6), st.sampled_from([b"GET", b"HEAD", b"OPTIONS"]),
       st.binary(max_size=20))
def test_any_head_the_plain_path_takes_is_read_as_h11_reads_it(status, lines, method, body):
    raw = status + b"".join(line + b"\r\n" for line in lines) + b"\r\n"
    _same_as_h11_response(method, raw, body)


VALUE = st.lists(st.sampled_from([b"a", b" ", b"\t", b"\x00", b"\x7f", b"\xe9", b"\r", b"\n",
                                  b",", b"1"]), max_size=5).map(b"".join)
NAME = st.sampled_from([b"Host", b"host", b"X-A", b"Content-Length", b"Connection", b"Bad Name",
                        b"", b"Transfer-Encoding"])


@settings(max_examples=400)
@given(st.sampled_from([b"GET", b"PUT", b"post", b"BAD METHOD", b"CONNECT"]),
       st.sampled_from([b"/", b"/a?b=c", b"/a b", b"*"]),
       st.lists(st.tuples(NAME, VALUE), max_size=5), st.sampled_from([b"", b"1", b"abc"]))
def test_any_request_the_plain_path_writes_is_what_h11_writes(method, target, headers, body):
    ours = plain_request(method, target, headers, body)
    if ours is not None:
        assert ours == _h11_request(method, target, headers, body)


def _both(request):
    from corsprobe.net.options import TransportOptions, import_httpx
    from corsprobe.net.record import Wire, plain_wire, prepare

    options = TransportOptions()
    ours = plain_wire(request, options)
    if ours is not None:
        theirs = prepare(import_httpx(), request, options)
        assert theirs.request is not None, request
        assert ours[0] == Wire.of(theirs.request), request
        assert ours[1] == theirs.recorded, request
    return ours


def _req(url, method="GET", headers=(("Origin", "https://app.example.com"),), body=None):
    from corsprobe.model import HttpRequest

    return HttpRequest(method, url, tuple(headers), body)


@pytest.mark.parametrize("request_,plain", [
    (_req("http://127.0.0.1:8080/users/1"), True),
    (_req("https://api.example.com/users?a=1&b=%20c"), True),
    (_req("https://api.example.com"), True),
    (_req("https://api.example.com?x=1"), True),
    (_req("http://api.example.com:8443/a;b/c:d@e/~f!$&'()*+,=-_.g"), True),
    (_req("http://a.example/x", "PUT", [("Content-Type", "application/json")], b'{"a":1}'), True),
    (_req("http://a.example/x", "PUT", [("Content-Length", "7")], b'{"a":1}'), True),
    (_req("http://a.example/x", "patch"), True),  # Content-Length: 0 first, as httpx puts it
    (_req("http://a.example/x", "POST", [("Transfer-Encoding", "chunked")]), True),
    (_req("http://a.example/x", "DELETE"), True),
    (_req("http://a.example/x", "OPTIONS", [("X-Empty", "")]), True),
    (_req("http://a..example./x"), True),
    (_req("http://0.0.0.0/x"), True),
    (_req("http://API.example.com/x"), False),  # httpx lower-cases the host
    (_req("http://api.example.com:80/x"), False),  # the default port is dropped
    (_req("https://api.example.com:0443/x"), False),
    (_req("http://api.example.com:99999/x"), False),
    (_req("http://1.2.3.256/x"), False),
    (_req("http://01.2.3.4/x"), False),
    (_req("http://1-2-3-4/x"), False),
    (_req("http://user:pw@api.example.com/x"), False),
    (_req("http://api.example.com/a/../b"), False),
    (_req("http://api.example.com/./b"), False),
    (_req("http://api.example.com/a b"), False),
    (_req("http://api.example.com/a%zz"), False),
    (_req("http://api.example.com/x?"), False),
    (_req("http://api.example.com/x#frag"), False),
    (_req("http://bücher.example/x"), False),
    (_req("http://[::1]:8080/x"), False),
    (_req("http://a.example/x", headers=[("X-A", "caf\u00e9")]), False),
])
def test_plain_wire_is_what_httpx_makes(request_, plain):
    assert (_both(request_) is not None) == plain


URL_PIECE = st.sampled_from(["a", "A", "0", "1", ".", "..", "/", "-", "%", "%2F", "%zz", "?",
                             "#", ":", "@", " ", "~", "é", "[", "]", "=", "&", "80", "443"])


@settings(max_examples=400)
@given(st.sampled_from(["http://", "https://", "HTTP://", "ftp://"]),
       st.sampled_from(["api.example.com", "127.0.0.1", "1.2.3", "a", "A.b", "x-.y", "-x.y"]),
       st.sampled_from(["", ":80", ":443", ":8080", ":0", ":65536", ":"]),
       st.lists(URL_PIECE, max_size=8).map("".join),
       st.sampled_from(["GET", "put", "POST", "OPTIONS"]), st.sampled_from([None, b"", b"x"]))
def test_any_url_the_plain_wire_takes_is_what_httpx_makes(scheme, host, port, rest, method,
                                                           body):
    _both(_req(scheme + host + port + rest, method, body=body))


@settings(max_examples=1500)
@given(STATUS, st.lists(LINE, max_size=6), st.sampled_from([b"\r\n", b"\n"]))
def test_the_head_filter_gives_clean_heads_back_as_its_rewrite_would(status, lines, end):
    """HeadFilter's shortcut (a clean head is handed on as it came) agrees with its rewrite,
    bytes and notes, for any head."""
    head = (status[:-2] + b"".join(end + line for line in lines))
    fast, slow = Watch(deadline=float("inf"), timeout=1), Watch(deadline=float("inf"), timeout=1)
    assert HeadFilter._rewrite(head, fast) == HeadFilter._rewritten(head, slow)
    assert (fast.skipped, fast.trimmed, fast.folded) == (slow.skipped, slow.trimmed, slow.folded)
