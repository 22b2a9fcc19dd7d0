"""Origins and URLs as a browser sees them.

An origin is a scheme, a host and a port. Its serialization (what the browser sends in
``Origin`` and what ``Access-Control-Allow-Origin`` must equal byte for byte) is
``scheme://host`` plus ``:port`` only when the port is not the scheme's default, with the
scheme and host lower-cased and no trailing slash.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
ORIGIN_EXAMPLE = "https://app.example.com"


class InvalidInput(ValueError):
    """A URL or origin a browser would not accept; the message names the bad part."""


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str  # lower-case, IDNA-encoded; IPv6 without brackets
    port: int

    @property
    def opaque(self) -> bool:
        return self.scheme == ""

    def serialize(self) -> str:
        if self.opaque:
            return "null"
        host = f"[{self.host}]" if ":" in self.host else self.host
        if DEFAULT_PORTS.get(self.scheme) == self.port:
            return f"{self.scheme}://{host}"
        return f"{self.scheme}://{host}:{self.port}"


NULL_ORIGIN = Origin("", "", 0)


@lru_cache(maxsize=1024)  # pure; `run` and `scan` parse the same few hosts many times
def _host(raw: str, what: str, example: str) -> str:
    if raw.startswith("[") and raw.endswith("]"):
        inner = raw[1:-1]
        try:
            return str(ipaddress.IPv6Address(inner))
        except ValueError:
            raise InvalidInput(f"{what}: '{raw}' is not a valid IPv6 address; e.g. {example}") from None
    if not raw:
        raise InvalidInput(f"{what} has no host; e.g. {example}")
    if any(c in raw for c in " \t<>\"{}|\\^`%[]"):
        raise InvalidInput(f"{what}: the host '{raw}' contains a character a browser refuses; "
                           f"e.g. {example}")
    return _domain_to_ascii(raw, what, example)


def _domain_to_ascii(raw: str, what: str, example: str) -> str:
    """The host as the browser serializes it: an internationalized name in punycode (UTS #46,
    non-transitional, as Chromium: ``faß.de`` is ``xn--fa-hia.de``), lower case."""
    bad = InvalidInput(f"{what}: the host '{raw}' is not a valid domain name; e.g. {example}")
    if raw.isascii():
        host = raw.lower()
        for label in host.split("."):
            if label.startswith("xn--"):  # punycode must decode to a valid label
                import idna  # only for the names that need it (2 ms to import)

                try:
                    idna.decode(label)
                except (idna.IDNAError, UnicodeError, ValueError):
                    raise bad from None
        return host
    import idna

    try:
        return idna.encode(raw, uts46=True, transitional=False).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError, ValueError):
        raise bad from None


def _shown(text: str) -> str:
    """``text`` for a message: any user:password before the host replaced."""
    return re.sub(r"(//)[^/?#@]*@", r"\1REDACTED@", text)


def _split(text: str, what: str, example: str) -> tuple[SplitResult, int]:
    shown = _shown(text)
    if (" " in text or not text.isprintable()) and any(c.isspace() for c in text):
        raise InvalidInput(f"{what} '{shown}' contains whitespace; e.g. {example}")
    if "://" not in text:
        raise InvalidInput(f"{what} '{shown}' has no scheme; e.g. {example}")
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed '[', or no IPv6 address between the brackets
        problem = ("is not a valid IPv6 address" if "]" in text
                   else "has an IPv6 address not closed with ']'")
        raise InvalidInput(f"{what} '{shown}' {problem}; e.g. http://[::1]:8080") from None
    scheme = parts.scheme.lower()
    authority = parts.netloc.rpartition("@")[2]
    if not authority.startswith("[") and authority.count(":") > 1:
        raise InvalidInput(
            f"{what} '{shown}': an IPv6 address needs brackets, e.g. {scheme or 'http'}://[::1]:8080"
        )
    if scheme not in DEFAULT_PORTS:
        raise InvalidInput(f"{what} '{shown}': only http and https are supported; e.g. {example}")
    netloc = parts.netloc
    if not netloc:
        raise InvalidInput(f"{what} '{shown}' has no host; e.g. {example}")
    try:
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{what} '{shown}': the port is not a number from 0 to 65535; e.g. "
                           f"{scheme}://{_hostname(parts) or 'localhost'}:8080") from None
    if port is None:
        port = DEFAULT_PORTS[scheme]
    return parts, port


def _hostname(parts: SplitResult) -> str:
    netloc = parts.netloc.rpartition("@")[2]
    if netloc.startswith("["):
        return netloc[: netloc.index("]") + 1] if "]" in netloc else netloc
    return netloc.rsplit(":", 1)[0] if ":" in netloc else netloc


@lru_cache(maxsize=1024)  # a config's checks name a few origins, each parsed once
def parse_origin(text: str) -> Origin:
    """Parse ``--origin``: ``scheme://host[:port]`` and nothing more, or ``null``."""
    if text == "null":
        return NULL_ORIGIN
    if text.lower() == "null":
        raise InvalidInput(f"origin '{_shown(text)}': the opaque origin is spelled 'null' (lower case)")
    what = "origin"
    parts, port = _split(text, what, ORIGIN_EXAMPLE)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(f"origin '{_shown(text)}' contains user:password; an origin is scheme://host[:port]")
    if parts.path == "/":
        raise InvalidInput(
            f"origin '{_shown(text)}' ends with a slash; browsers send origins without one: "
            f"'{text.rstrip('/')}'"
        )
    if parts.path or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise InvalidInput(
            f"origin '{_shown(text)}' has a path, query or fragment; an origin is scheme://host[:port], "
            f"e.g. {ORIGIN_EXAMPLE}"
        )
    host = _host(_hostname(parts), what, ORIGIN_EXAMPLE)
    return Origin(parts.scheme.lower(), host, port)


@dataclass(frozen=True)
class Url:
    """A parsed http(s) URL; ``text`` is the URL as the browser would request it."""

    text: str
    scheme: str
    host: str
    port: int
    has_credentials: bool

    @property
    def origin(self) -> Origin:
        return Origin(self.scheme, self.host, self.port)


_AFTER_AUTHORITY = re.compile(r"[/?#]")


@lru_cache(maxsize=1024)  # parsed at load, then again by the replay: once is enough
def parse_url(text: str, what: str = "URL") -> Url:
    # The URLs of a config share a few scheme://authority parts and differ in the rest, which
    # takes no checking once the text has no blank or unprintable character: the authority
    # is parsed once (its own cache) and the path and query are appended as the full parse
    # would. Any problem with the authority: the full parse, whose message names the URL.
    if text.isprintable() and " " not in text:
        at = text.find("://")
        end = _AFTER_AUTHORITY.search(text, at + 3) if at > 0 else None
        if end is not None:
            try:
                base = _parse_url(text[:end.start()], what)
            except InvalidInput:
                pass
            else:
                path, mark, query = text[end.start():].split("#", 1)[0].partition("?")
                canonical = base.text[:-1] + (path or "/") + (mark + query)
                return Url(canonical, base.scheme, base.host, base.port, base.has_credentials)
    return _parse_url(text, what)


@lru_cache(maxsize=256)
def _parse_url(text: str, what: str = "URL") -> Url:
    example = "https://api.example.com/users"
    parts, port = _split(text, what, example)
    host = _host(_hostname(parts), what, example)
    has_creds = parts.username is not None or parts.password is not None
    path = parts.path or "/"
    scheme = parts.scheme.lower()
    netloc = host if ":" not in host else f"[{host}]"
    if DEFAULT_PORTS[scheme] != port:
        netloc = f"{netloc}:{port}"
    if has_creds:
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@{netloc}"
    canonical = f"{scheme}://{netloc}{path}"
    if parts.query or text.split("#", 1)[0].endswith("?"):
        canonical += "?" + parts.query
    return Url(canonical, scheme, host, port, has_creds)


def same_origin(a: Origin, b: Origin) -> bool:
    return not a.opaque and a == b


def strip_credentials(url: str) -> str:
    """The URL with any user:password replaced, for reports."""
    if "@" not in url:  # no user info without an "@"
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=f"REDACTED@{host}").geturl()
