"""'Copy as cURL', as Chromium, Firefox and Safari write it, read back into a request.

Chromium (``front_end/panels/network/NetworkLogView.ts``, ``generateCurlCommand``): the URL
first, ``-X`` only when the method is not the one curl infers (GET, or POST with data),
``-H 'name: value'`` per header (``-H 'name;'`` for an empty value; newer builds put the
cookies in ``-b``), ``--data-raw`` for the body, then ``--compressed`` (and ``--insecure``).
Bash quoting is single quotes, or ``$'...'`` with ``\\uXXXX`` escapes; the cmd form wraps
values in ``^"...^"`` with ``^`` before every character cmd.exe could read.
Firefox (``devtools/client/shared/curl.js``, ``Curl.generateCommand``): the URL, then
``--globoff``/``--compressed``, ``-X METHOD`` (or ``-I`` for HEAD), ``-H``, ``--data-raw`` or
``--data-binary``; quoting as Chromium's but with ``\\xHH`` escapes. Safari: ``-X 'METHOD'``
always, ``-H``, ``--data-binary``.
"""

from __future__ import annotations

import re

from .kinds import from_headers
from .model import Pasted
from .request import browser_of, from_preflight, page_origin, split_headers
from .shell import bash_words, cmd_words, looks_like_cmd

DATA = ("-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode")
WITH_VALUE = frozenset({
    "-o", "--output", "-A", "--user-agent", "-e", "--referer", "-u", "--user", "-m",
    "--max-time", "--connect-timeout", "-x", "--proxy", "-w", "--write-out", "--resolve",
    "--connect-to", "--cacert", "--cert", "--key", "-c", "--cookie-jar", "-r", "--range",
    "-T", "--upload-file", "-F", "--form", "--url", "-K", "--config", "--retry",
    "--max-redirs", "--limit-rate", "-z", "--time-cond",
})


def is_curl(text: str) -> bool:
    return text.lstrip().startswith("curl ")


def commands(text: str) -> list[list[str]]:
    """The words of every curl command in ``text`` (ValueError: unbalanced quotes)."""
    words = cmd_words(text) if looks_like_cmd(text) else bash_words(text)
    return [w for w in words if w and w[0] in ("curl", "curl.exe")]


def parse(text: str) -> list[Pasted]:
    return [read(words) for words in commands(text)]


def read(words: list[str]) -> Pasted:
    """One curl command's words (``words[0]`` is curl) as a request."""
    url: str | None = None
    method: str | None = None
    head = False
    raw: list[tuple[str, str]] = []
    data: list[str] = []
    cookies_arg: list[str] = []
    notes: list[str] = []
    ignored: list[str] = []
    i = 1
    while i < len(words):
        word = words[i]
        value = words[i + 1] if i + 1 < len(words) else ""
        attached = word[2:] if len(word) > 2 and word[:2] in ("-X", "-H", "-d", "-b") else None
        flag = word[:2] if attached is not None else word
        step = 1 if attached is not None else 2
        arg = attached if attached is not None else value
        if flag in ("-X", "--request"):
            method = arg
        elif flag in ("-H", "--header"):
            name, colon, rest = arg.partition(":")
            if colon:
                raw.append((name.strip(), rest.strip()))
            elif arg.endswith(";"):
                raw.append((arg[:-1].strip(), ""))
        elif flag in DATA or flag == "-d":
            if arg.startswith("@") and flag != "--data-raw":
                notes.append(f"the body is read from a file ({arg}), which the paste does "
                             "not hold: sent without a body")
            else:
                data.append(arg)
        elif flag in ("-b", "--cookie"):
            if "=" in arg:
                cookies_arg.append(arg)
            else:
                notes.append(f"-b {arg} names a cookie file, which the paste does not hold")
        elif flag in ("-e", "--referer"):
            raw.append(("Referer", arg))
        elif flag in ("-A", "--user-agent"):
            raw.append(("User-Agent", arg))
        elif flag in ("-I", "--head"):
            head, step = True, 1
        elif flag == "--url":
            url = arg
        elif flag in WITH_VALUE:
            ignored.append(word)
        elif word.startswith("-"):
            step = 1
            if word not in ("--compressed", "--insecure", "-k", "--globoff", "-g", "-s",
                            "--silent", "-v", "--verbose", "-i", "--include", "-L",
                            "--location", "-S", "--show-error", "--http1.1", "--http2", "-f",
                            "--fail"):
                ignored.append(word)
        elif url is None:
            url, step = word, 1
        else:
            step = 1
        i += step
    if url is None:
        raise ValueError("the cURL command names no URL")
    if "--globoff" not in words and "-g" not in words:  # curl's URL globbing: \[ is [
        url = re.sub(r"\\([\[\]{}])", r"\1", url)
    for value in cookies_arg:
        raw.append(("Cookie", value))
    body = "&".join(data) if data else None
    if method is None:
        method = "HEAD" if head else ("POST" if body is not None else "GET")
    headers = tuple(raw)
    page, cookies, browser = split_headers(headers)
    told, stand_in, preflight_notes = from_preflight(method, headers)
    if preflight_notes:
        method, page, body = told, stand_in, None
    origin, how = page_origin(headers)
    inferred = [*preflight_notes, *([how] if how else []), *notes]
    if ignored:
        inferred.append(f"curl options with no meaning for a browser ignored: {' '.join(ignored)}")
    if cookies:
        inferred.append("a Cookie was sent: the page used credentials: 'include'")
    kind, mode, crossorigin, kind_notes = from_headers(headers, bool(cookies))
    inferred.extend(kind_notes)
    return Pasted(
        source="curl", url=url, origin=origin, method=method, headers=page,
        body=body.encode("utf-8") if body is not None else None, credentials=bool(cookies),
        kind=kind, mode=mode, crossorigin=crossorigin, browser=browser_of(headers),
        cookies=cookies, browser_headers=browser, inferred=tuple(inferred), told_request=True)
