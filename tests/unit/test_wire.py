"""The transport's response-head filter (read as Chromium reads it) and the terminal
escaping, tested on their own, with examples and with arbitrary bytes."""

from __future__ import annotations

import unicodedata

import h11
import httpcore
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corsprobe.net import MAX_HEAD
from corsprobe.net.wire import _HeadFilter, _Watch
from corsprobe.render.words import visible

STATUS = b"HTTP/1.1 200 OK\r\n"


def _filtered(raw: bytes, splits: list[int] = ()) -> tuple[bytes, _Watch]:
    w = _Watch(deadline=float("inf"), timeout=1)
    f = _HeadFilter()
    out, start = b"", 0
    for cut in sorted(set(splits)) + [len(raw)]:
        out += f.feed(raw[start:cut], w)
        start = cut
    return out + f.eof(), w


def _parse(data: bytes) -> h11.Response:
    conn = h11.Connection(h11.CLIENT)
    conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
    conn.send(h11.EndOfMessage())
    conn.receive_data(data)
    while True:
        event = conn.next_event()
        if isinstance(event, h11.Response):
            return event


@pytest.mark.parametrize("line,kept,noted", [
    (b"X Bad Name: 1", None, "skipped"),
    (b"NoColon", None, "skipped"),
    (b": empty name", None, "skipped"),
    (b"Access-Control-Allow-Origin : https://a.example",
     (b"access-control-allow-origin", b"https://a.example"), "trimmed"),
    (b"X-A:\r\n  folded\r\n\tmore", (b"x-a", b"folded more"), "folded"),
    (b"X-B: caf\xe9", (b"x-b", b"caf\xe9"), None),
])
def test_head_lines_are_read_as_chromium_reads_them(line, kept, noted):
    out, w = _filtered(STATUS + line + b"\r\nX-Next: ok\r\n\r\n")
    headers = list(_parse(out).headers)
    assert (b"x-next", b"ok") in headers
    if kept:
        assert kept in headers
    else:
        assert len(headers) == 1
    if noted:
        assert getattr(w, noted)


def test_informational_heads_are_counted_and_the_body_passes_untouched():
    body = b"\r\n\r\nX Bad: not a header, a body\r\n\r\n"
    raw = b"HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" * 3 + STATUS + \
        b"Content-Length: %d\r\n\r\n" % len(body) + body
    out, w = _filtered(raw, [5, 40, 41, 120])
    assert w.informational == 3 and not w.skipped
    assert out.endswith(body)


def test_a_head_over_the_cap_is_refused_without_buffering_more():
    f, w = _HeadFilter(), _Watch(deadline=float("inf"), timeout=1)
    with pytest.raises(httpcore.RemoteProtocolError, match="ERR_RESPONSE_HEADERS_TOO_BIG"):
        for _ in range(MAX_HEAD // 1000 + 2):
            f.feed(b"X-Pad: " + b"p" * 993, w)
    assert len(f.pending) <= MAX_HEAD + 1000


LINE = st.lists(st.sampled_from([b"X-A", b"x b", b" ", b"\t", b":", b"v", b"\x01", b"\x00",
                                 b"\x7f", b"\xff", b"\x0b", b"Access-Control-Allow-Origin"]),
                max_size=8).map(b"".join)


@settings(max_examples=300)
@given(st.lists(LINE, max_size=8), st.lists(st.integers(0, 200), max_size=5))
def test_any_head_gives_a_response_or_a_protocol_error(lines, splits):
    raw = STATUS + b"".join(line + b"\r\n" for line in lines) + b"\r\n"
    out, _ = _filtered(raw, splits)
    assert out == _filtered(raw)[0]  # however the bytes arrive
    try:
        response = _parse(out)
    except h11.RemoteProtocolError:
        assert b"\x00" in raw or b"\x0b" in raw  # only what Chromium cannot carry either
        return
    for name, _ in response.headers:
        assert name and b" " not in name and b":" not in name


@given(st.text())
def test_visible_leaves_no_control_characters(text):
    shown = visible({"k": [text]})["k"][0]
    assert not any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in shown)
