"""A minimal synchronous WebSocket client (RFC 6455), loopback only.

Just enough for WebDriver BiDi: text frames out (masked), text/binary frames in
(fragmented messages reassembled), ping answered, close handled.  No TLS, no
extensions, no third-party package.  Refuses any host that is not loopback.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import struct
from urllib.parse import urlsplit

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
LOOPBACK = ("127.", "localhost", "::1", "[::1]")


class WebSocketError(RuntimeError):
    pass


class WebSocket:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        u = urlsplit(url)
        if u.scheme != "ws":
            raise WebSocketError(f"only ws:// URLs are supported: {url}")
        host = u.hostname or ""
        if not host.startswith(LOOPBACK):
            raise WebSocketError(f"refusing a non-loopback WebSocket host: {host}")
        port = u.port or 80
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self._buf = b""
        self._parts: list[bytes] = []
        key = base64.b64encode(os.urandom(16)).decode()
        path = (u.path or "/") + (f"?{u.query}" if u.query else "")
        hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        req = (
            f"GET {path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(req.encode())
        head = self._read_until(b"\r\n\r\n").decode("latin-1")
        status = head.split("\r\n", 1)[0]
        if " 101 " not in status + " ":
            raise WebSocketError(f"WebSocket handshake refused: {head.strip()!r}")
        accept = base64.b64encode(hashlib.sha1(key.encode() + _GUID).digest()).decode()
        if accept not in head:
            raise WebSocketError("bad Sec-WebSocket-Accept in the handshake answer")
        self.closed = False

    # -- low level ---------------------------------------------------------
    def _read_until(self, marker: bytes) -> bytes:
        while marker not in self._buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise WebSocketError("connection closed during the handshake")
            self._buf += chunk
        head, _, self._buf = self._buf.partition(marker)
        return head + marker

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        head = bytearray([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head.append(0x80 | n)
        elif n < 65536:
            head.append(0x80 | 126)
            head += struct.pack("!H", n)
        else:
            head.append(0x80 | 127)
            head += struct.pack("!Q", n)
        mask = os.urandom(4)
        head += mask
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(head) + masked)

    def _frame_in_buffer(self) -> tuple[bool, int, bytes] | None:
        """Parse one whole frame from the buffer (consuming it), or None if incomplete."""
        buf = self._buf
        if len(buf) < 2:
            return None
        b0, b1 = buf[0], buf[1]
        n, pos = b1 & 0x7F, 2
        if n == 126:
            if len(buf) < 4:
                return None
            n, pos = struct.unpack("!H", buf[2:4])[0], 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n, pos = struct.unpack("!Q", buf[2:10])[0], 10
        mask = None
        if b1 & 0x80:
            if len(buf) < pos + 4:
                return None
            mask, pos = buf[pos : pos + 4], pos + 4
        if len(buf) < pos + n:
            return None
        payload, self._buf = buf[pos : pos + n], buf[pos + n :]
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return bool(b0 & 0x80), b0 & 0x0F, payload

    def _recv_frame(self) -> tuple[bool, int, bytes]:
        # A timeout leaves a partial frame in the buffer for the next call.
        while True:
            frame = self._frame_in_buffer()
            if frame is not None:
                return frame
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                self.closed = True
                raise WebSocketError("connection closed by the peer")
            self._buf += chunk

    # -- API ---------------------------------------------------------------
    def send(self, text: str) -> None:
        self._send_frame(0x1, text.encode("utf-8"))

    def recv(self, timeout: float | None = None) -> str:
        """Next complete text message; ``TimeoutError`` when none arrives in time."""
        self.sock.settimeout(timeout)
        while True:
            fin, opcode, payload = self._recv_frame()
            if opcode == 0x9:  # ping
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                self.closed = True
                raise WebSocketError("the peer closed the WebSocket")
            self._parts.append(payload)  # kept across a timeout between fragments
            if fin:
                msg, self._parts = b"".join(self._parts), []
                return msg.decode("utf-8")

    def close(self) -> None:
        if not self.closed:
            try:
                self._send_frame(0x8, struct.pack("!H", 1000))
            except OSError:
                pass
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass
