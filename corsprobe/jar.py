"""``check --cookie-jar FILE``: curl's Netscape cookie file, as ``curl -b FILE -c FILE`` uses it.

Before the check, the cookies of FILE that match the URL are what the browser's jar holds:
they go on the actual credentialed request (never on the preflight, which carries no
credentials), in one Cookie header, as the browser sends them. After the check, each
Set-Cookie the browser model says it stores (the report's ``cookies[*].stored``) is written
back to FILE, and one it refuses is not: so a login check followed by a ``/me`` check shows
whether the session travels. Reading and writing are the standard library's
:class:`http.cookiejar.MozillaCookieJar` (the format curl, wget and browsers' exporters share).

The Netscape format keeps no SameSite and no Partitioned: a cookie is in FILE only because the
browser stored it, and it is sent again when its domain, path, Secure flag and expiry match the
URL, as curl sends it. Cookie values are secrets: they reach the request through
``RequestSpec.cookies``, which every output redacts, and never a note or a message.

``corsprobe run`` gives each ``[[flows]]`` table a jar of its own in memory (``Jar()``, no
file), shared by its steps in order (:func:`corsprobe.runner.run_flow`).
"""

from __future__ import annotations

import email.message
import time
import urllib.request
from dataclasses import dataclass
from http.client import HTTPResponse
from http.cookiejar import Cookie, LoadError, MozillaCookieJar
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from .errors import UsageError
from .fetch.browsers import limits
from .fetch.cookies import judge
from .model import Trace, header_values

_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
# MozillaCookieJar writes a cookie with this nonstandard attribute as "#HttpOnly_domain" (and
# reads that prefix back into it), as curl does; the name is http.cookiejar.HTTPONLY_ATTR.
HTTPONLY_ATTR = "HTTPOnly"


class _Answer:
    """The response object MozillaCookieJar.make_cookies reads: one Set-Cookie line."""

    def __init__(self, line: str) -> None:
        self.headers = email.message.Message()
        self.headers["Set-Cookie"] = line

    def info(self) -> email.message.Message:
        return self.headers


@dataclass(frozen=True)
class Sent:
    """The Cookie header the jar adds to a request, and the names in it (never the values)."""

    header: str | None
    names: tuple[str, ...]


@dataclass(frozen=True)
class Written:
    stored: tuple[str, ...]  # names written to the file
    refused: tuple[str, ...]  # names the browser refused, so not written


class Jar:
    """One cookie file, loaded when it exists (a missing file is an empty jar, as with curl);
    without a path, a jar in memory only (a ``[[flows]]`` table's, in ``corsprobe run``)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.jar = MozillaCookieJar(None if path is None else str(path))
        if path is not None and path.exists():
            if not path.is_file():
                raise UsageError(f"--cookie-jar {path}: not a regular file", field="cookie_jar")
            try:
                # session cookies too, as curl -b reads them; curl writes their expiry as 0,
                # which MozillaCookieJar would drop as long expired
                self.jar.load(ignore_discard=True, ignore_expires=True)
            except (LoadError, OSError, UnicodeDecodeError) as exc:
                raise UsageError(f"--cookie-jar {path}: not a Netscape cookie file "
                                 f"(curl -c writes one): {exc}", field="cookie_jar") from None
            for cookie in self.jar:
                if cookie.expires == 0:
                    cookie.expires, cookie.discard = None, True

    def __len__(self) -> int:
        return len(self.jar)

    def for_url(self, url: str) -> Sent:
        """The cookies the browser's jar sends to ``url``: domain, path, Secure and expiry
        match; the longest path first, then the oldest (RFC 6265bis 5.8.3)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        path = parts.path or "/"
        secure = parts.scheme == "https" or host in _LOOPBACK
        now = int(time.time())
        found = [c for c in self.jar
                 if not c.is_expired(now) and _domain_ok(c, host) and _path_ok(path, c.path)
                 and (secure or not c.secure)]
        found.sort(key=lambda c: -len(c.path or "/"))
        if not found:
            return Sent(None, ())
        pairs = [c.name if c.value is None else f"{c.name}={c.value}" for c in found]
        return Sent("; ".join(pairs), tuple(c.name for c in found))

    def store(self, trace: Trace) -> Written:
        """Keep what the browser keeps from every hop of the actual request."""
        spec = trace.spec
        if not spec.credentials:
            return Written((), ())
        browser = limits(spec.browser)
        stored: list[str] = []
        refused: list[str] = []
        for ex in trace.actuals:
            if ex.response is None:
                continue
            for line in header_values(ex.response.headers, "set-cookie"):
                verdict = judge(line, ex.request.url, spec.origin, browser,
                                spec.third_party_cookies, next_url=spec.url)
                if verdict is None:
                    continue
                if not verdict.stored:
                    refused.append(verdict.name)
                    continue
                stored.append(verdict.name)
                self._set(line, ex.request.url)
        return Written(tuple(dict.fromkeys(stored)), tuple(dict.fromkeys(refused)))

    def _set(self, line: str, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        # make_cookies parses the line (and, for an expiry in the past, deletes the cookie)
        answer = cast("HTTPResponse", _Answer(line))  # make_cookies reads only .info()
        for cookie in self.jar.make_cookies(answer, urllib.request.Request(url)):
            if not cookie.domain_specified:
                cookie.domain = host  # host-only (cookielib says "host.local" for a dotless host)
            if any(cookie.has_nonstandard_attr(k) for k in ("HttpOnly", "httponly", "HTTPONLY")):
                cookie.set_nonstandard_attr(HTTPONLY_ATTR, "")  # written as #HttpOnly_, as curl
            self.jar.set_cookie(cookie)

    def values(self) -> tuple[str, ...]:
        """Every value the jar holds: secrets, to mask in every output."""
        return tuple(c.value for c in self.jar if c.value)

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.jar.save(ignore_discard=True)  # session cookies too, as curl -c does
        except OSError as exc:
            raise UsageError(f"cannot write --cookie-jar {self.path}: {exc.strerror}",
                             field="cookie_jar") from None


def _domain_ok(cookie: Cookie, host: str) -> bool:
    domain = cookie.domain.lower()
    if domain.startswith("#httponly_"):
        domain = domain[len("#httponly_"):]
    if domain.startswith("."):  # include subdomains (the file's TRUE)
        bare = domain[1:]
        return host == bare or host.endswith(domain)
    return host == domain


def _path_ok(request_path: str, cookie_path: str | None) -> bool:
    cookie_path = cookie_path or "/"
    if request_path == cookie_path:
        return True
    return request_path.startswith(cookie_path) and (
        cookie_path.endswith("/") or request_path[len(cookie_path)] == "/")
