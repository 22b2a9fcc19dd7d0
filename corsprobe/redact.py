"""Redaction, written once: what counts as a secret and how it is masked in every output.

Two kinds of secret reach a report:
- **secret headers** the user sends: Authorization, Cookie and Proxy-Authorization always,
  plus any header named with ``--secret-header`` / ``secret_headers = [...]``. Their values
  are replaced on the wire dump (``Bearer REDACTED`` keeps the scheme's name), and the values
  themselves are masked wherever else they appear (a server may echo them).
- **values from the environment** (``${VAR}`` in a config): masked wherever they appear,
  in keys and values alike.

A ``user:password`` in a URL is masked too (:func:`strip_userinfo`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .model import HeaderList

REDACTED = "REDACTED"
SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
MIN_SECRET = 6  # shorter values are masked only as whole words (a port must not mangle text)

_USERINFO = re.compile(r"(https?://)[^/@\s]+@")


def header_value(name: str, value: str, secret_names: frozenset[str]) -> str:
    """The value as shown: REDACTED for a secret header (``Scheme REDACTED`` for auth); a
    Set-Cookie keeps its cookie's name and attributes, never its value."""
    if name.lower() == "set-cookie":
        pair, sep, attrs = value.partition(";")
        if "=" in pair:
            pair = f"{pair.split('=', 1)[0]}={REDACTED}"
        return pair + sep + attrs
    if name.lower() not in secret_names:
        return value
    scheme, sep, _ = value.partition(" ")
    if sep and scheme.isalpha() and name.lower() != "cookie":
        return f"{scheme} {REDACTED}"
    return REDACTED


def shown_headers(headers: HeaderList, secret_names: frozenset[str]) -> list[list[str]]:
    """``headers`` as reports list them, ``[name, value]`` each, every value as
    :func:`header_value` shows it (most lines are neither secret nor a Set-Cookie: kept)."""
    out = []
    for name, value in headers:
        low = name.lower()
        out.append([name, header_value(name, value, secret_names)
                    if low in secret_names or low == "set-cookie" else value])
    return out


def header_secrets(headers: HeaderList, secret_names: frozenset[str]) -> list[str]:
    """The secret parts of ``headers`` worth masking elsewhere: whole values, the credential
    after an auth scheme, each word, and each cookie's value alone; longest first."""
    values: list[str] = []
    for name, value in headers:
        lname = name.lower()
        if lname not in secret_names:
            continue
        values.append(value)
        scheme, sep, rest = value.partition(" ")
        if sep and scheme.isalpha() and lname != "cookie":
            value = rest  # "Bearer xyz": the credential, not the scheme's name
        values.extend(part for part in value.split(" ") if part)
        if lname == "cookie":  # each cookie's value alone, as a server may echo it
            values.extend(pair.partition("=")[2].strip() for pair in value.split(";"))
    return sorted({v for v in values if len(v) >= MIN_SECRET}, key=len, reverse=True)


def pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for every secret, longest first. A value of :data:`MIN_SECRET` characters
    or more is masked wherever it occurs; a shorter one only as a whole word."""
    parts = []
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        escaped = re.escape(value)
        parts.append(escaped if len(value) >= MIN_SECRET else rf"(?<!\w){escaped}(?!\w)")
    return re.compile("|".join(parts)) if parts else None


class Scrubber:
    """Masks every secret in a JSON-like value (strings, lists, dict keys and values)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self.pattern = pattern(secrets)

    def text(self, text: str) -> str:
        return self.pattern.sub(REDACTED, text) if self.pattern is not None else text

    def __call__(self, obj: Any) -> Any:
        if self.pattern is None:
            return obj
        return self._scrub(obj)

    def _scrub(self, obj: Any) -> Any:
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, list):
            return [self._scrub(o) for o in obj]
        if isinstance(obj, dict):
            return {self._scrub(k): self._scrub(v) for k, v in obj.items()}
        return obj


def strip_userinfo(text: str) -> str:
    """Any http(s) URL in ``text`` with its user:password replaced by REDACTED."""
    return _USERINFO.sub(rf"\1{REDACTED}@", text)
