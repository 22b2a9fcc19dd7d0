"""Reading a response as Chromium reads it, and naming what a server did wrong.

:class:`Watch` follows one request on the wire (bytes, 1xx responses, the deadline); the
streams under both transports find it with :func:`current_watch` while :func:`watching` runs.
:class:`HeadFilter` passes the response head to h11 the way Chromium parses it, noting what it
forgave; :func:`classify` turns a transport failure into a :class:`NetError` that says what
the server did.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from ..model import NetError
from .options import MAX_HEAD


class _Watched(Protocol):
    """A stream that remembers the last request it carried (see :meth:`Watch.using`)."""

    last_watch: Watch | None


@dataclass
class Watch:
    """One request on the wire: its deadline (for the whole request, not per read) and what
    the server did, so that a failure can say *what* went wrong.

    The streams under both transports find the current request's watch with
    :func:`current_watch` (a context variable: per thread for ``check``, per task for
    ``run``)."""

    deadline: float
    timeout: float
    sent: int = 0
    received: int = 0
    first: bytes = b""  # the first bytes the server sent
    write_stalled: bool = False
    body_stalled: bool = False  # the body stopped coming before it ended
    reused: bool = False  # sent on a keep-alive connection that had served a request before
    informational: int = 0  # 1xx responses seen
    skipped: list[str] = field(default_factory=list)  # header lines dropped as a browser does
    folded: list[str] = field(default_factory=list)  # header names whose value was folded
    trimmed: list[str] = field(default_factory=list)  # names with whitespace before the colon

    def left(self, timeout: float | None) -> float:
        remaining = self.deadline - time.perf_counter()
        return remaining if timeout is None else min(timeout, remaining)

    def retry_on_new_connection(self, error: NetError | None) -> bool:
        """A browser resends a request once when a reused keep-alive connection turns out to
        be closed before any byte of the answer (the server closed it while it sat idle)."""
        return error is not None and self.reused and self.received == 0 and (
            error.kind != "timeout")

    def using(self, stream: _Watched) -> None:
        """``stream`` carries this request; note whether it carried another one before."""
        last = stream.last_watch
        if last is not self:
            self.reused = self.reused or last is not None
            stream.last_watch = self

    def got(self, data: bytes) -> None:
        self.received += len(data)
        if len(self.first) < 64:
            self.first += data[: 64 - len(self.first)]


_WATCH: contextvars.ContextVar[Watch | None] = contextvars.ContextVar("corsprobe_watch",
                                                                     default=None)


@contextlib.contextmanager
def watching(watch: Watch) -> Iterator[Watch]:
    """Make ``watch`` the current request's watch while the block runs."""
    token = _WATCH.set(watch)
    try:
        yield watch
    finally:
        _WATCH.reset(token)


def current_watch() -> Watch:
    """The watch of the request being sent, or an unbounded one outside any request."""
    return _WATCH.get() or Watch(deadline=float("inf"), timeout=float("inf"))


_LINE_END = re.compile(rb"\r?\n")
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_INFORMATIONAL = re.compile(rb"HTTP/1\.[01] 1(?!01)\d\d")
# a head the rewrite below would give back byte for byte: CRLF line ends, each header line
# "token: value" with one space and no white space around the value, no folding
_CLEAN_HEAD = re.compile(rb"HTTP/[^\r\n]*(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+: "
                         rb"(?:[^ \t\r\n](?:[^\r\n]*[^ \t\r\n])?)?)*")


class HeadFilter:
    """Reads each response head whole and hands it on as Chromium's parser reads it.

    h11 refuses a whole response for one odd header line; Chromium
    (``net::HttpUtil::HeadersIterator``) skips a line without a colon or whose name is not a
    token, trims whitespace around the name, and joins folded continuation lines
    (``AssembleRawHeaders``). So a browser still gets a response, and corsprobe must judge
    it: this filter rewrites the head the same way (noting every change in the watch) before
    h11 sees it. A head larger than :data:`MAX_HEAD` is refused, as Chromium refuses it.
    Informational (1xx) heads are passed on and the next head is read the same way; the body
    passes through untouched. A NUL byte is left for h11 to refuse: Chromium keeps header
    lines NUL-separated internally, so no header value can carry one.
    """

    def __init__(self) -> None:
        self.pending = bytearray()
        self.in_head = True

    def request_sent(self) -> None:
        self.in_head = True
        self.pending.clear()

    def feed(self, data: bytes, watch: Watch) -> bytes:
        if not self.in_head:
            return data
        # search from where the previous search stopped (a line end may straddle chunks)
        searched = max(len(self.pending) - 3, 0)
        self.pending += data
        out = bytearray()
        pos = 0  # start of the current head in pending (deleted once, at the end)
        while self.in_head:
            found = _HEAD_END.search(self.pending, max(pos, searched))
            if found is None:
                if len(self.pending) - pos > MAX_HEAD:
                    import httpcore

                    raise httpcore.RemoteProtocolError(
                        f"the response headers are larger than {MAX_HEAD // 1024} KB "
                        "(net::ERR_RESPONSE_HEADERS_TOO_BIG)")
                break
            head = bytes(self.pending[pos: found.start()])
            pos = found.end()
            out += self._rewrite(head, watch)
            if _INFORMATIONAL.match(head):
                watch.informational += 1
            else:
                self.in_head = False
                out += self.pending[pos:]
                pos = len(self.pending)
        del self.pending[:pos]
        return bytes(out)

    def eof(self) -> bytes:
        rest, self.in_head = bytes(self.pending), False
        self.pending.clear()
        return rest

    @staticmethod
    def _rewrite(head: bytes, watch: Watch) -> bytes:
        if _CLEAN_HEAD.fullmatch(head):  # nothing to rewrite, nothing to note: as it came
            return head + b"\r\n\r\n"
        return HeadFilter._rewritten(head, watch)

    @staticmethod
    def _rewritten(head: bytes, watch: Watch) -> bytes:
        lines = _LINE_END.split(head)
        if not lines[0].startswith(b"HTTP/"):
            return head + b"\r\n\r\n"  # not HTTP: h11 says so
        fields: list[list[bytes]] = []  # [name, value] pairs, continuation lines joined
        for line in lines[1:]:
            if line[:1] in (b" ", b"\t"):
                if fields:
                    fields[-1][1] = (fields[-1][1].rstrip(b" \t") + b" " + line.strip(b" \t"))
                    watch.folded.append(fields[-1][0].decode("latin-1"))
                continue
            name, colon, value = line.partition(b":")
            stripped = name.strip(b" \t")
            if not colon or not _TOKEN.fullmatch(stripped) or name[:1] in (b" ", b"\t"):
                watch.skipped.append(line[:200].decode("latin-1"))
                fields.append([b"", b""])  # continuation lines of a skipped line are skipped
                continue
            if stripped != name:
                watch.trimmed.append(stripped.decode("latin-1"))
            fields.append([stripped, value.strip(b" \t")])
        kept = [n + b": " + v for n, v in fields if n]
        return b"\r\n".join([lines[0], *kept]) + b"\r\n\r\n"


def printable(data: bytes) -> str:
    """``data`` as printable ASCII, every other character shown as a dot."""
    text = data.decode("latin-1")
    shown = "".join(c if c.isprintable() and ord(c) < 127 else "." for c in text)
    return shown.rstrip(".") or shown


def classify(exc: BaseException, watch: Watch | None = None) -> NetError:
    """The failure as one line saying what the server did wrong, and its kind."""
    import httpcore

    from .options import import_httpx

    httpx = import_httpx()  # on a failure only: a run of plain exchanges never imports it

    w = watch or current_watch()
    text = str(exc) or exc.__class__.__name__
    low = text.lower()
    first = w.first
    tls_bytes = len(first) >= 2 and first[0] in (0x15, 0x16) and first[1] == 0x03
    if isinstance(exc, (httpx.TimeoutException, httpcore.TimeoutException, TimeoutError)):
        t = f"{w.timeout:g} s"
        if isinstance(exc, (httpx.ConnectTimeout, httpcore.ConnectTimeout)):
            if "tls" in low:
                return NetError("timeout", f"timed out: the TLS handshake did not finish within "
                                           f"{t} (is this a plain http:// port?)")
            return NetError("timeout", f"timed out: could not connect within {t}")
        if w.write_stalled or isinstance(exc, (httpx.WriteTimeout, httpcore.WriteTimeout)):
            return NetError("timeout", f"timed out: the server accepted the connection but "
                                       f"stopped reading the request (it could not be sent "
                                       f"within {t})")
        if w.received == 0:
            return NetError("timeout", f"timed out: the server accepted the request but sent "
                                       f"nothing within {t}")
        if w.informational:
            return NetError("timeout", f"timed out: the server sent {w.informational} "
                                       f"informational (1xx) responses and no final response "
                                       f"within {t}")
        return NetError("timeout", f"timed out: the server sent {w.received} bytes but no "
                                   f"complete response head within {t} (headers arrive too "
                                   "slowly)")
    if "wrong_version_number" in low or "wrong version number" in low or (
        "record layer failure" in low or "http_request" in low or "packet length too long" in low
    ):
        return NetError("tls", f"TLS failure: the server does not speak TLS on this port (it "
                               f"answered in plain text; is this an http:// port?): {text}")
    if "ssl" in low or "certificate" in low or "tls" in low:
        return NetError("tls", f"TLS failure: {text}")
    if isinstance(exc, (httpx.ConnectError, httpcore.ConnectError)):
        if "name or service not known" in low or "nodename nor servname" in low or (
            "getaddrinfo" in low or "temporary failure in name resolution" in low
        ):
            return NetError("dns", f"cannot resolve host: {text}")
        return NetError("connect", f"cannot connect: {text}")
    if "err_response_headers_too_big" in low:
        return NetError("too_large", text)
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError,
                        httpcore.RemoteProtocolError, httpcore.LocalProtocolError,
                        httpx.ReadError, httpcore.ReadError)):
        return _protocol_error(text, w, tls_bytes)
    if isinstance(exc, OSError) or isinstance(exc, (httpx.WriteError, httpcore.WriteError)):
        return NetError("read", f"the connection failed: {text}")
    return NetError("transport", f"{exc.__class__.__name__}: {text}")


def _protocol_error(text: str, w: Watch, tls_bytes: bool) -> NetError:
    low = text.lower()
    if tls_bytes:
        return NetError("protocol", "the server answered with TLS, not HTTP: this looks like an "
                                    "https:// port (net::ERR_INVALID_HTTP_RESPONSE)")
    if w.received == 0:
        if w.write_stalled or "write" in low:
            return NetError("read", f"the server closed the connection while the request was "
                                    f"being sent: {text}")
        return NetError("protocol", "the server closed the connection without sending a "
                                    "response (net::ERR_EMPTY_RESPONSE)")
    if not w.first.startswith(b"HTTP/"):
        return NetError("protocol", f"the server's answer is not HTTP/1.x: no status line "
                                    f"(HTTP/0.9 or another protocol); it began with "
                                    f"'{printable(w.first[:40])}' (net::ERR_INVALID_HTTP_RESPONSE)")
    if "conflicting content-length" in low:
        return NetError("protocol", "the response has conflicting Content-Length headers "
                                    "(net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH)")
    if "illegal header line" in low or "illegal status line" in low:
        return NetError("protocol", f"the response head is not valid HTTP: {_printable_error(text)}"
                                    " (net::ERR_INVALID_HTTP_RESPONSE)")
    if "peer closed" in low or "incomplete" in low or "disconnected" in low:
        return NetError("protocol", f"the server closed the connection in the middle of the "
                                    f"response head after {w.received} bytes")
    return NetError("protocol", f"the server did not answer with valid HTTP: {text}")


def _printable_error(text: str) -> str:
    # h11 shows the offending line as a bytearray repr; keep it readable and short
    m = re.search(r"bytearray\((b(['\"]).*\2)\)", text)
    if m:
        import ast

        try:
            raw = ast.literal_eval(m.group(1))
            return text[: m.start()] + "'" + printable(raw[:120]) + "'"
        except (ValueError, SyntaxError):
            pass
    return text[:200]
