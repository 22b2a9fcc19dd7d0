"""A raw-socket server on 127.0.0.1 that misbehaves on purpose.

Each misbehaviour is a *case*: a function that gets the connected socket and the request head
it read (or ``b""`` for cases that never read), and writes whatever bytes it likes. A request
for ``/h/<case>/...`` is answered by that case. The cases that must act before reading the
request (a port that never reads) are separate servers: ``HostileServer(never_read=True)``.

Large answers are generated lazily in fixed-size chunks and never held in memory: the 1 GB body
and the 10 MB header block are written chunk by chunk until the client hangs up.

Every request head the server read is recorded (``records``), so tests can assert what
corsprobe did and did not send.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

APP = "https://app.example.com"
ACAO = f"Access-Control-Allow-Origin: {APP}\r\n".encode()
CHUNK = 64 * 1024
GIB = 1024 * 1024 * 1024


@dataclass(frozen=True)
class Record:
    method: str
    target: str
    head: bytes  # the request head as received
    body_len: int  # request body bytes the server read

    def header(self, name: str) -> str | None:
        low = name.lower().encode()
        for line in self.head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == low:
                return value.strip().decode("latin-1")
        return None


Case = Callable[["socket.socket", "HostileServer", bytes], None]


def _send_all(sock: socket.socket, parts: Iterator[bytes]) -> None:
    """Write each chunk until the client goes away (the usual ending of these cases)."""
    try:
        for part in parts:
            sock.sendall(part)
    except OSError:
        pass


def _dribble(sock: socket.socket, data: bytes, every: float, stop: threading.Event) -> None:
    for i in range(len(data)):
        if stop.is_set():
            return
        try:
            sock.sendall(data[i:i + 1])
        except OSError:
            return
        time.sleep(every)


def _hold(sock: socket.socket, stop: threading.Event, seconds: float = 60.0) -> None:
    """Keep the connection open, reading (and discarding) until the client closes it."""
    sock.settimeout(0.2)
    end = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < end:
        try:
            if not sock.recv(65536):
                return
        except TimeoutError:
            continue
        except OSError:
            return


# -- the cases -----------------------------------------------------------------------------------


def close(sock, server, head):
    """Closes without answering."""


def garbage(sock, server, head):
    sock.sendall(b"\x16\x00\xffGARBAGE that is not HTTP at all\r\n\r\n")


def http09(sock, server, head):
    """An HTTP/0.9 answer: the body alone, no status line, no headers."""
    sock.sendall(b"<html><body>hello from 1991</body></html>\n")


def slowloris(sock, server, head):
    """A valid status line, then header bytes one every 0.1 s, never finishing."""
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + ACAO)
    _dribble(sock, b"X-Slow: " + b"a" * 10_000, 0.1, server.stop)


def stalled_body(sock, server, head):
    """Headers promise 1 MB; 10 bytes come, then nothing (the connection stays open)."""
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nContent-Type: text/plain\r\n"
                 b"\r\n0123456789")
    _hold(sock, server.stop)


def stalled_body_cors(sock, server, head):
    """As stalled_body, with a valid Access-Control-Allow-Origin."""
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + ACAO + b"Content-Length: 1048576\r\n\r\n0123456789")
    _hold(sock, server.stop)


def huge_headers(sock, server, head):
    """A 10 MB header block: 10,240 lines of 1 KB each."""
    def parts():
        yield b"HTTP/1.1 200 OK\r\n" + ACAO
        line = b"X-Pad-%05d: " + b"p" * 1000 + b"\r\n"
        batch = []
        for i in range(10 * 1024):
            batch.append(line.replace(b"%05d", b"%05d" % i))
            if len(batch) == 64:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch) + b"\r\n"
    _send_all(sock, parts())


def huge_body(sock, server, head):
    """A 1 GB body with a valid CORS header: written 64 KB at a time until the client hangs up."""
    def parts():
        yield (b"HTTP/1.1 200 OK\r\n" + ACAO + b"Content-Type: application/octet-stream\r\n"
               b"Content-Length: %d\r\n\r\n" % GIB)
        block = b"x" * CHUNK
        for _ in range(GIB // CHUNK):
            yield block
    _send_all(sock, parts())
    server.note("huge_body done")


def huge_body_chunked(sock, server, head):
    """An endless chunked body (no length at all)."""
    def parts():
        yield b"HTTP/1.1 200 OK\r\n" + ACAO + b"Transfer-Encoding: chunked\r\n\r\n"
        block = b"%x\r\n" % CHUNK + b"y" * CHUNK + b"\r\n"
        for _ in range(GIB // CHUNK):
            yield block
    _send_all(sock, parts())


def non_utf8(sock, server, head):
    """Header values with bytes that are not UTF-8 (obs-text) and control bytes; the CORS
    header itself is valid."""
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + ACAO + b"X-Latin1: caf\xe9 \xff\xfe\r\n"
                 b"X-Control: a\x01b\x7fc\r\nContent-Length: 0\r\n\r\n")


def control_in_acao(sock, server, head):
    """A control byte inside Access-Control-Allow-Origin."""
    sock.sendall(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: " + APP.encode() +
                 b"\x01\r\nContent-Length: 0\r\n\r\n")


def nul_in_header(sock, server, head):
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + ACAO + b"X-Nul: a\x00b\r\nContent-Length: 0\r\n\r\n")


def space_in_name(sock, server, head):
    """A header name with a space inside, next to a valid CORS header."""
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + ACAO + b"X Bad Name: 1\r\nContent-Length: 0\r\n\r\n")


def space_before_colon(sock, server, head):
    """'Access-Control-Allow-Origin : ...': whitespace between the name and the colon."""
    sock.sendall(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin : " + APP.encode() +
                 b"\r\nContent-Length: 0\r\n\r\n")


def obs_fold(sock, server, head):
    """The CORS header's value on a folded continuation line (obs-fold)."""
    sock.sendall(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin:\r\n " + APP.encode() +
                 b"\r\nX-Folded: one\r\n\ttwo\r\nContent-Length: 0\r\n\r\n")


def duplicate_length(sock, server, head):
    """Two identical Content-Length lines (allowed: they agree)."""
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + ACAO + b"Content-Length: 2\r\nContent-Length: 2\r\n"
                 b"\r\n{}")


def conflicting_length(sock, server, head):
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + ACAO + b"Content-Length: 2\r\nContent-Length: 7\r\n"
                 b"\r\n{}")


def _redirect(location: bytes) -> bytes:
    return (b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\n" + ACAO +
            b"Content-Length: 0\r\n\r\n")


def redirect_loop(sock, server, head):
    sock.sendall(_redirect(b"/h/redirect_loop/again"))


def redirect_chain(sock, server, head):
    """/h/redirect_chain/N redirects to N+1 up to 50, then answers 200."""
    target = head.split(b" ", 2)[1].decode("latin-1")
    n = int(target.rsplit("/", 1)[1] or 0) if target.rsplit("/", 1)[1].isdigit() else 0
    if n >= 50:
        sock.sendall(b"HTTP/1.1 200 OK\r\n" + ACAO + b"Content-Length: 0\r\n\r\n")
    else:
        sock.sendall(_redirect(b"/h/redirect_chain/%d" % (n + 1)))


def redirect_ftp(sock, server, head):
    sock.sendall(_redirect(b"ftp://files.example.com/data.csv"))


def redirect_data(sock, server, head):
    sock.sendall(_redirect(b"data:text/plain,hello"))


def redirect_javascript(sock, server, head):
    sock.sendall(_redirect(b"javascript:alert(1)"))


def informational_storm(sock, server, head):
    """'103 Early Hints' after '103 Early Hints', never a final response."""
    def parts():
        block = b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" * 100
        end = time.monotonic() + 60
        while time.monotonic() < end and not server.stop.is_set():
            yield block
            time.sleep(0.01)
    _send_all(sock, parts())


def informational_then_ok(sock, server, head):
    """10,000 informational responses, then a valid final one: the browser ignores the 1xx."""
    def parts():
        block = b"HTTP/1.1 100 Continue\r\n\r\n" * 1000
        for _ in range(10):
            yield block
        yield b"HTTP/1.1 200 OK\r\n" + ACAO + b"Content-Length: 0\r\n\r\n"
    _send_all(sock, parts())


def cors_ok(sock, server, head):
    """A well-behaved CORS answer (the recorder case)."""
    sock.sendall(b"HTTP/1.1 200 OK\r\n" + ACAO + b"Access-Control-Allow-Methods: PUT, DELETE, PATCH\r\n"
                 b"Access-Control-Allow-Headers: authorization, x-api-key, content-type\r\n"
                 b"Access-Control-Allow-Credentials: true\r\nVary: Origin\r\n"
                 b"Content-Length: 2\r\n\r\n{}")


CASES: dict[str, Case] = {
    f.__name__: f for f in (
        close, garbage, http09, slowloris, stalled_body, stalled_body_cors, huge_headers,
        huge_body, huge_body_chunked, non_utf8, control_in_acao, nul_in_header, space_in_name,
        space_before_colon, obs_fold, duplicate_length, conflicting_length, redirect_loop,
        redirect_chain, redirect_ftp, redirect_data, redirect_javascript, informational_storm,
        informational_then_ok, cors_ok,
    )
}


class HostileServer:
    """Threaded; one request per connection (the server closes after each case).

    ``never_read``: accept connections and hold them without ever reading a byte (with a
    small receive buffer, so that a client writing a large body blocks soon).
    ``tls``: an ``ssl.SSLContext`` to wrap every accepted connection in (a real TLS port).
    ``answer``: read whatever the client sends first (one recv), answer these bytes, close:
    a plain HTTP port that a TLS client reaches sees its ClientHello answered with text.
    """

    def __init__(self, *, never_read: bool = False, tls: ssl.SSLContext | None = None,
                 answer: bytes | None = None) -> None:
        self.never_read = never_read
        self.tls = tls
        self.answer = answer
        self.records: list[Record] = []
        self.notes: list[str] = []
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._held: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if never_read:
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]

    def note(self, text: str) -> None:
        with self._lock:
            self.notes.append(text)

    def url(self, case: str, rest: str = "x", scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/h/{case}/{rest}"

    def __enter__(self) -> HostileServer:
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(5)
        for s in self._held:
            s.close()
        self._sock.close()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            if self.never_read:
                self._held.append(conn)  # accepted, never read, closed at shutdown
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self.answer is not None:
                conn.settimeout(5)
                first = conn.recv(65536)
                with self._lock:
                    self.records.append(Record("", "", first, 0))
                conn.sendall(self.answer)
                return
            if self.tls is not None:
                conn.settimeout(5)
                try:
                    conn = self.tls.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError) as exc:
                    self.note(f"TLS handshake failed: {exc}")
                    return
            conn.settimeout(30)
            head, body_len = self._read(conn)
            if head is None:
                return
            method, target = (head.split(b" ", 2) + [b"", b""])[:2]
            record = Record(method.decode("latin-1"), target.decode("latin-1"), head, body_len)
            with self._lock:
                self.records.append(record)
            parts = record.target.split("/")
            case = CASES.get(parts[2]) if len(parts) > 2 and parts[1] == "h" else None
            if case is None:
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            else:
                case(conn, self, head)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    @staticmethod
    def _read(conn: socket.socket) -> tuple[bytes | None, int]:
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = conn.recv(65536)
            if not chunk:
                return None, 0
            buf += chunk
            if len(buf) > 1024 * 1024:
                return None, 0
        head, _, rest = buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == b"content-length" and value.strip().isdigit():
                length = int(value.strip())
        got = len(rest)
        while got < length:
            chunk = conn.recv(min(65536, length - got))
            if not chunk:
                break
            got += len(chunk)
        return head, got
