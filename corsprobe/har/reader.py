"""Stream the entries of a HAR file without loading the file whole.

A HAR is one JSON object, ``{"log": {"version", "creator", "pages", "entries": [...]}}``,
and the entries array holds nearly all of its bytes (response bodies included). The
reader walks the outer objects key by key, decodes every small value whole, and decodes
``entries`` one element at a time with :meth:`json.JSONDecoder.raw_decode` over a buffer
refilled in chunks: memory stays at about one entry plus one chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

CHUNK = 256 * 1024
_WS = " \t\r\n"


class HarError(ValueError):
    """The file is not a readable HAR; the message says where and why."""


class _Stream:
    """A text buffer over a file, refilled on demand; ``pos`` indexes into ``buf``."""

    def __init__(self, handle: IO[str], chunk: int = CHUNK) -> None:
        self.handle = handle
        self.chunk = chunk
        self.buf = ""
        self.pos = 0
        self.consumed = 0  # characters dropped from the front of the buffer so far
        self.eof = False

    def _fill(self, at_least: int) -> bool:
        """Read more text; False at end of file."""
        if self.eof:
            return False
        if self.pos > self.chunk:  # drop what was already parsed
            self.consumed += self.pos
            self.buf = self.buf[self.pos:]
            self.pos = 0
        data = self.handle.read(max(self.chunk, at_least))
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def offset(self) -> int:
        return self.consumed + self.pos

    def peek(self) -> str:
        """The next non-blank character ('' at end of file), without consuming it."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill(0):
                return ""

    def expect(self, chars: str, what: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            found = "the end of the file" if not c else repr(c)
            raise HarError(f"expected {what} at character {self.offset()}, found {found}")
        self.pos += 1
        return c

    def value(self, decoder: json.JSONDecoder) -> Any:
        """Decode one JSON value, reading more text while it is incomplete."""
        self.peek()
        want = self.chunk
        while True:
            try:
                obj, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or not self._fill(want):
                    raise HarError(
                        f"invalid JSON at character {self.consumed + exc.pos}: {exc.msg}"
                    ) from None
                want *= 2  # a large entry: read in bigger steps to stay near-linear
                continue
            if end == len(self.buf) and not self.eof and not isinstance(obj, (dict, list, str)):
                self._fill(want)  # a number may continue in the next chunk
                continue
            self.pos = end
            return obj


def _object_keys(s: _Stream, decoder: json.JSONDecoder, what: str) -> Iterator[str]:
    """Yield each key of the object starting at the stream; the caller consumes its value."""
    s.expect("{", f"'{{' opening {what}")
    if s.peek() == "}":
        s.pos += 1
        return
    while True:
        if s.peek() != '"':
            s.expect('"', f"a key in {what}")
        key = s.value(decoder)
        s.expect(":", f"':' after the key {key!r} in {what}")
        yield key
        if s.expect(",}", f"',' or '}}' in {what}") == "}":
            return


def read(handle: IO[str], chunk: int = CHUNK) -> tuple[dict[str, Any], Iterator[dict[str, Any]]]:
    """``(log_info, entries)`` for an open HAR text file.

    ``log_info`` holds the small ``log`` members that come before ``entries`` (creator,
    browser, pages); members after it are not read. ``entries`` is a lazy iterator: a
    :class:`HarError` may surface while it is consumed, when the file is truncated.
    """
    s = _Stream(handle, chunk)
    decoder = json.JSONDecoder()
    info: dict[str, Any] = {}
    if s.peek() == "\ufeff":
        s.pos += 1
    for key in _object_keys(s, decoder, "the HAR file"):
        if key != "log":
            s.value(decoder)
            continue
        for lkey in _object_keys(s, decoder, "log"):
            if lkey == "entries":
                return info, _entries(s, decoder)
            info[lkey] = s.value(decoder)
        break
    raise HarError("no log.entries array: this is not a HAR file (export it from the "
                   "browser's Network panel with 'Save all as HAR')")


def _entries(s: _Stream, decoder: json.JSONDecoder) -> Iterator[dict[str, Any]]:
    s.expect("[", "'[' opening log.entries")
    if s.peek() == "]":
        s.pos += 1
        return
    index = 0
    while True:
        entry = s.value(decoder)
        if not isinstance(entry, dict):
            raise HarError(f"log.entries[{index}] is not an object")
        yield entry
        index += 1
        if s.expect(",]", "',' or ']' in log.entries") == "]":
            return
