"""`corsprobe check` against servers that misbehave: it ends within its timeout, says in one
line what the server did wrong (or gives the CORS verdict when a browser still gets a
response), exits with the documented code, never shows a traceback, and keeps memory bounded.

What Chromium does decides each expectation (reasoning beside each case):

- no usable HTTP response -> a network error: fetch() rejects, no CORS error -> exit 3;
- a response the browser still gets (it forgives the odd line) -> the CORS verdict: exit 0
  when allowed, 1 when blocked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from .harness import APP, corsprobe

TIMEOUT = 2.0
# a correctness bound, not a benchmark: start-up, a request, a retry, the body wait
BOUND = 3 * TIMEOUT + 8


@dataclass(frozen=True)
class Case:
    name: str
    code: int
    says: str  # in the one stderr line (exit 3) or in the report's notes/verdict
    kind: str | None = None  # the JSON error kind (exit 3)
    error: str | None = None  # the JSON browser_error (exit 1)
    args: tuple[str, ...] = ()


CASES = [
    # Chromium: net::ERR_EMPTY_RESPONSE.
    Case("close", 3, "closed the connection without sending a response", "protocol"),
    # Chromium: net::ERR_INVALID_HTTP_RESPONSE (no status line; HTTP/0.9 is refused on a
    # non-default port, and these tests run on ephemeral ports).
    Case("garbage", 3, "not HTTP/1.x: no status line", "protocol"),
    Case("http09", 3, "it began with '<html><body>hello", "protocol"),
    # Chromium waits for headers with no deadline of its own; corsprobe's --timeout bounds the
    # whole request, so a server dribbling header bytes cannot hold it.
    Case("slowloris", 3, "no complete response head within 2 s", "timeout"),
    # fetch() resolves when the headers arrive: the verdict is on the headers, the body is
    # abandoned. Without Access-Control-Allow-Origin: blocked; with it: allowed.
    Case("stalled_body", 1, "body did not finish in time", error="MissingAllowOriginHeader"),
    Case("stalled_body_cors", 0, "body did not finish in time"),
    # Chromium refuses a head over 256 KB: net::ERR_RESPONSE_HEADERS_TOO_BIG.
    Case("huge_headers", 3, "larger than 256 KB", "too_large"),
    # The headers allow it; only a capped excerpt of the 1 GB body is read.
    Case("huge_body", 0, "would ALLOW"),
    Case("huge_body_chunked", 0, "would ALLOW"),
    # obs-text (bytes >= 0x80) and control bytes other than NUL/CR/LF are kept in values.
    Case("non_utf8", 0, "would ALLOW"),
    # The value is compared byte for byte: the trailing \x01 makes it a mismatch.
    Case("control_in_acao", 1, "\\x01", error="AllowOriginMismatch"),
    # Chromium keeps header lines NUL-separated internally, so no value can carry a NUL;
    # corsprobe refuses the response rather than guess how the line would be split.
    Case("nul_in_header", 3, "not valid HTTP", "protocol"),
    # HttpUtil::HeadersIterator skips a line whose name is not a token and trims whitespace
    # around the name; AssembleRawHeaders joins folded lines: the response is judged.
    Case("space_in_name", 0, "malformed header line, which the browser skips: 'X Bad Name: 1'"),
    Case("space_before_colon", 0, "whitespace between the header name"),
    Case("obs_fold", 0, "folded the value of Access-Control-Allow-Origin"),
    # Identical Content-Length lines are accepted; differing ones are
    # net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH.
    Case("duplicate_length", 0, "would ALLOW"),
    Case("conflicting_length", 3, "conflicting Content-Length", "protocol"),
    # The 21st redirect is net::ERR_TOO_MANY_REDIRECTS (a network error, not a CORS one).
    Case("redirect_loop", 3, "a redirect loop", "too_many_redirects"),
    Case("redirect_chain", 3, "more than 20 redirects", "too_many_redirects"),
    # ftp: and javascript: are not CORS-enabled schemes: CorsDisabledScheme; data: is, but a
    # redirect to it is net::ERR_UNSAFE_REDIRECT.
    Case("redirect_ftp", 1, "would BLOCK", error="CorsDisabledScheme"),
    Case("redirect_javascript", 1, "would BLOCK", error="CorsDisabledScheme"),
    Case("redirect_data", 3, "ERR_UNSAFE_REDIRECT", "unsafe_redirect"),
    # 1xx responses are skipped; an endless stream of them never yields a response.
    Case("informational_storm", 3, "informational (1xx) responses and no final", "timeout"),
    Case("informational_then_ok", 0, "10000 informational (1xx) response(s)"),
]


def _check(url: str, *args: str):
    return corsprobe("check", url, "--origin", APP, "--timeout", str(TIMEOUT), "--no-probe",
                     "--no-color", *args)


def _assert_sane(ran) -> None:
    assert "Traceback" not in ran.err and "Traceback" not in ran.out
    assert ran.seconds < BOUND, f"took {ran.seconds:.1f} s"
    assert ran.peak_mb < 200, f"peak RSS {ran.peak_mb:.0f} MB"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_text(hostile, case):
    ran = _check(hostile.url(case.name), *case.args)
    _assert_sane(ran)
    assert ran.code == case.code, (ran.out, ran.err)
    if case.code == 3:
        lines = ran.error_lines()
        assert len(lines) == 1 and lines[0].startswith("corsprobe: "), lines
        assert case.says in lines[0]
        assert "FAILS before CORS" in ran.out
    else:
        assert ran.err == ""
        assert case.says in ran.out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_json(hostile, case):
    ran = _check(hostile.url(case.name), "--format", "json", *case.args)
    _assert_sane(ran)
    assert ran.code == case.code, (ran.out, ran.err)
    report = json.loads(ran.out)
    if case.code == 3:
        assert report["allowed"] is False and report["browser_error"] is None
        assert report["error"]["kind"] == case.kind
        assert case.says in report["error"]["message"]
    else:
        assert "error" not in report
        assert report["allowed"] is (case.code == 0)
        assert report["browser_error"] == case.error


def test_escape_sequences_from_the_server_never_reach_the_terminal(hostile):
    ran = _check(hostile.url("control_in_acao"))
    assert "\x01" not in ran.out and "\\x01" in ran.out


def test_huge_body_is_capped_in_the_report(hostile):
    ran = _check(hostile.url("huge_body"), "--format", "json")
    response = json.loads(ran.out)["actual"]["exchanges"][0]["response"]
    assert response["body_truncated"] is True and len(response["body_excerpt"]) <= 512
    assert ran.peak_mb < 200


def test_header_bytes_are_kept_as_sent(hostile):
    ran = _check(hostile.url("non_utf8"), "--format", "json")
    headers = dict(json.loads(ran.out)["actual"]["exchanges"][0]["response"]["headers"])
    assert headers["X-Latin1"] == "caf\u00e9 \u00ff\u00fe"  # latin-1, byte for byte
    assert headers["X-Control"] == "a\x01b\x7fc"


def test_a_50_hop_chain_is_followed_when_allowed(hostile):
    ran = _check(hostile.url("redirect_chain", "0"), "--max-redirects", "50", "--format", "json")
    report = json.loads(ran.out)
    assert ran.code == 0 and report["allowed"] is True
    assert len(report["actual"]["exchanges"]) == 51


def test_probes_against_a_stalled_body_stay_bounded(hostile):
    # the origin is refused, so up to a dozen probes follow, each meeting the stalled body
    ran = corsprobe("check", hostile.url("stalled_body"), "--origin", APP, "--timeout",
                    str(TIMEOUT), "--format", "json")
    assert ran.code == 1 and "Traceback" not in ran.err
    report = json.loads(ran.out)
    assert len(report["probes"]) >= 3
    assert ran.seconds < BOUND + 0.5 * len(report["probes"]) + 5


def test_tls_url_on_a_plain_port(plain_port):
    # Chromium: net::ERR_SSL_PROTOCOL_ERROR
    ran = _check(plain_port.url("x", scheme="https"), "--format", "json")
    _assert_sane(ran)
    assert ran.code == 3
    error = json.loads(ran.out)["error"]
    assert error["kind"] == "tls" and "does not speak TLS" in error["message"]
    assert len(ran.error_lines()) == 1


def test_plain_url_on_a_tls_port(tls_port):
    # OpenSSL drops a connection that opens with an HTTP request and sends nothing:
    # Chromium reports net::ERR_EMPTY_RESPONSE.
    ran = _check(tls_port.url("x"))
    _assert_sane(ran)
    assert ran.code == 3 and len(ran.error_lines()) == 1
    assert "without sending a response" in ran.err


def test_plain_url_on_a_port_answering_with_a_tls_alert():
    from .server import HostileServer

    with HostileServer(answer=b"\x15\x03\x03\x00\x02\x02\x46") as s:
        ran = _check(s.url("x"))
    _assert_sane(ran)
    assert ran.code == 3 and "answered with TLS, not HTTP" in ran.err


def test_a_port_that_never_reads_a_large_body(never_read, tmp_path):
    body = tmp_path / "body.txt"
    body.write_bytes(b"x" * 20_000_000)  # far more than the socket buffers hold
    ran = _check(never_read.url("x"), "-X", "POST", "--send-actual", "--data-file", str(body))
    _assert_sane(ran)
    assert ran.code == 3 and len(ran.error_lines()) == 1
    assert "stopped reading the request" in ran.err


def test_a_port_that_never_reads_a_small_request(never_read):
    ran = _check(never_read.url("x"), "--format", "json")
    _assert_sane(ran)
    assert ran.code == 3
    assert "sent nothing within 2 s" in json.loads(ran.out)["error"]["message"]
