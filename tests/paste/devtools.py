"""Snippets built the way the browsers' DevTools build them, for the tests to paste.

Written from the generators' source (looked up, not copied):
- Chromium ``front_end/panels/network/NetworkLogView.ts``: ``generateCurlCommand`` (bash:
  ``'...'`` or ``$'...'`` with ``\\uXXXX``; cmd: ``^"...^"`` with ``^`` before every character
  outside ``[a-zA-Z0-9\\s_\\-:=+~'/.',?;()*`]``, ``\\"`` for a quote, ``%^`` before a name
  character, ``^`` + two line breaks for a newline), lines joined by `` \\`` / `` ^`` + newline
  + two spaces, ``--data-raw``, ``--compressed``; ``generateFetchCall`` (JSON, 2 spaces).
- Firefox ``devtools/client/shared/curl.js`` ``Curl.generateCommand`` (``-X`` before the
  headers, ``$'...'`` with ``\\xHH``, ``--data-raw`` after the headers) and
  ``RequestListContextMenu.js`` ``generateFetchString`` (``await fetch``, JSON, 4 spaces).
- Safari: ``curl 'URL' \\`` then ``-X 'METHOD'``, ``-H '...'``, ``--data-binary``.
"""

from __future__ import annotations

import json
import re

Headers = list[tuple[str, str]]


def _posix_chrome(s: str) -> str:
    if re.search(r"[\x00-\x1f\x7f-\x9f!']", s):
        body = (s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
                .replace("\r", "\\r"))
        body = re.sub(r"[\x00-\x1f\x7f-\x9f!]", lambda m: f"\\u{ord(m.group()):04x}", body)
        return f"$'{body}'"
    return f"'{s}'"


def _win_chrome(s: str) -> str:
    body = s.replace("\\", "\\\\").replace('"', '\\"')
    body = re.sub(r"[^a-zA-Z0-9\s_\-:=+~'/.',?;()*`]", lambda m: "^" + m.group(), body)
    body = re.sub(r"%(?=[a-zA-Z0-9_])", "%^", body)
    body = re.sub(r"\r?\n", "^\n\n", body)
    return f'^"{body}^"'


def _posix_firefox(s: str) -> str:
    if re.search(r"[^\x20-\x7e]|'", s):
        body = (s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")
                .replace("\r", "\\r").replace("!", "\\041"))
        body = re.sub(r"[^\x20-\x7e]", lambda m: (f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                                                  else f"\\u{ord(m.group()):04x}"), body)
        return f"$'{body}'"
    return f"'{s}'"


def chrome_curl(url: str, method: str, headers: Headers, body: str | None = None,
                platform: str = "unix") -> str:
    esc = _win_chrome if platform == "win" else _posix_chrome
    parts = [re.sub(r"[\[{}\]]", lambda m: "\\" + m.group(), esc(url))]
    inferred = "POST" if body is not None else "GET"
    if method != inferred:
        parts.append("-X " + esc(method))
    for name, value in headers:
        if name.lower() in ("accept-encoding", "host", "content-length"):
            continue
        if name.lower() == "cookie":
            parts.append("-b " + esc(value))
        elif value.strip():
            parts.append("-H " + esc(f"{name}: {value}"))
        else:
            parts.append("-H " + esc(f"{name};"))
    if body is not None:
        parts.append("--data-raw " + esc(body))
    parts.append("--compressed")
    joiner = " ^\n  " if platform == "win" else " \\\n  "
    return "curl " + joiner.join(parts)


def firefox_curl(url: str, method: str, headers: Headers, body: str | None = None) -> str:
    def esc(value: str) -> str:
        return value if re.fullmatch(r"[a-zA-Z-]+", value) else _posix_firefox(value)

    parts = [_posix_firefox(url)]
    if method == "HEAD":
        parts.append("-I")
    elif method != "GET":
        parts.append("-X " + esc(method))
    for name, value in headers:
        if name.lower() in ("host", "content-length"):
            continue
        parts.append("-H " + esc(f"{name}: {value}"))
    if body is not None:
        parts.append("--data-raw " + esc(body))
    return "curl " + (" \\\n  " if len(parts) >= 3 else " ").join(parts)


def safari_curl(url: str, method: str, headers: Headers, body: str | None = None) -> str:
    lines = [f"curl '{url}'", f"-X '{method}'"]
    lines += [f"-H '{name}: {value}'" for name, value in headers]
    if body is not None:
        lines.append(f"--data-binary '{body}'")
    return " \\\n".join(lines)


FETCH_IGNORED = {"accept-charset", "accept-encoding", "access-control-request-headers",
                 "access-control-request-method", "connection", "content-length", "cookie",
                 "cookie2", "date", "dnt", "expect", "host", "keep-alive", "origin", "referer",
                 "te", "trailer", "transfer-encoding", "upgrade", "via", "user-agent"}


def chrome_fetch(url: str, method: str, headers: Headers, body: str | None = None,
                 node: bool = False) -> str:
    kept = {n: v for n, v in headers if n.lower() not in FETCH_IGNORED}
    referrer = next((v for n, v in headers if n.lower() == "referer"), None)
    cookie = next((v for n, v in headers if n.lower() == "cookie"), None)
    creds = "include" if any(n.lower() in ("cookie", "authorization") for n, _ in headers) else "omit"
    options: dict[str, object] = {}
    if kept:
        options["headers"] = kept
    if not node and referrer:
        options["referrer"] = referrer
    options["body"] = body
    options["method"] = method
    if not node:
        options["mode"] = "cors"
        options["credentials"] = creds
    else:
        extra = {}
        if cookie:
            extra["cookie"] = cookie
        if referrer:
            extra["Referer"] = referrer
        if extra:
            options["headers"] = {**kept, **extra}
    if body is None:
        options["body"] = None
    return f"fetch({json.dumps(url)}, {json.dumps(options, indent=2)});"


def firefox_fetch(url: str, method: str, headers: Headers, body: str | None = None) -> str:
    kept = {n: v for n, v in headers if n.lower() not in FETCH_IGNORED}
    referrer = next((v for n, v in headers if n.lower() == "referer"), None)
    creds = "include" if any(n.lower() in ("cookie", "authorization") for n, _ in headers) else "omit"
    options: dict[str, object] = {"credentials": creds, "headers": kept}
    if referrer:
        options["referrer"] = referrer
    if body is not None:
        options["body"] = body
    options["method"] = method
    options["mode"] = "cors"
    return f'await fetch("{url}", {json.dumps(options, indent=4)});'
