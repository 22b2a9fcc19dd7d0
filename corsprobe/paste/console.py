"""The three engines' console texts, read back: the inverse of :mod:`corsprobe.fetch.messages`
(Chromium), :mod:`corsprobe.fetch.console_firefox` and :mod:`corsprobe.fetch.console_webkit`,
and of the mixed-content lines of :mod:`corsprobe.fetch.gates`.

A paste is split into records: a line that starts a known message begins a record, and any
other line continues the record before it (a message wrapped by an editor or a chat). What a
console copy puts around a message is ignored: Chromium's ``index.html:1`` source link,
Safari's ``[Error]`` tag and ``(file, line N)`` suffix, the ``SECURITY ERROR``/``JS ERROR``
prefixes of WebKitGTK's log, Chromium's "Failed to load resource" and ``GET URL net::ERR_...``
lines (they are noise, not requests).
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..fetch import console_firefox, gates, messages
from .kinds import from_chrome_word
from .model import Pasted
from .request import origin_of

# -- Chromium -------------------------------------------------------------------------------

CHROME = re.compile(
    r"Access to (?P<initiator>[A-Za-z][\w ]*?) at '(?P<url>[^']*)'"
    r"(?: \(redirected from '(?P<first>[^']*)'\))? from origin '(?P<origin>[^']*)' has been "
    r"blocked by CORS policy: (?P<reason>.*)", re.S)


def _template(text: str, slot: str, group: str) -> re.Pattern[str]:
    return re.compile(re.escape(text).replace(re.escape(slot), f"(?P<{group}>.*?)"), re.S)


_CHROME_REASONS = {name: _template(text, "{hint}", "hint")
                   for name, text in messages.REASONS.items() if name != "CorsDisabledScheme"}
_DISABLED_SCHEME = "Cross origin requests are only supported for protocol schemes:"
_XHR_CREDENTIALS = messages.XHR_CREDENTIALS.strip()


def chrome_reason(reason: str) -> tuple[str | None, str | None]:
    """(Network.CorsError name, hint) of Chromium's reason text; (None, None) if unknown."""
    if reason.endswith(_XHR_CREDENTIALS):  # XMLHttpRequest's credential errors add it
        reason = reason[:-len(_XHR_CREDENTIALS)].rstrip()
    preflight = reason.startswith(messages.PREFLIGHT_PREFIX)
    rest = reason[len(messages.PREFLIGHT_PREFIX):] if preflight else reason
    if rest.startswith(_DISABLED_SCHEME):
        return "CorsDisabledScheme", None
    for name, pattern in _CHROME_REASONS.items():
        if name.startswith("Preflight") != preflight:
            continue
        m = pattern.match(rest)
        if m:
            hint = m.groupdict().get("hint")
            return name, _decode_hint(hint) if hint is not None else None
    return None, None


def _decode_hint(hint: str) -> str:
    """Chromium shows non-ASCII in a hint as \\uXXXX: undo it."""
    return re.sub(r"\\u([0-9A-F]{4})", lambda m: chr(int(m.group(1), 16)), hint)


def chrome(record: str) -> Pasted | None:
    m = CHROME.search(record)
    if m is None:
        return None
    reason = m.group("reason").strip()
    error, hint = chrome_reason(reason)
    url, first = m.group("url"), m.group("first")
    kind, inferred = from_chrome_word(m.group("initiator"))
    if not error:
        inferred.append(f"the reason is not one corsprobe knows: {reason!r}")
    if first:
        inferred.append(f"redirected: the page asked for {first}; the browser failed at {url}")
    preflight = error is not None and (error.startswith("Preflight")
                                       or "PreflightResponse" in error)
    return Pasted(
        source="chrome-console", url=first or url, origin=m.group("origin"),
        kind=kind, browser="chrome",
        browser_error=error, hint=hint, message=reason, final_url=url if first else None,
        preflight=preflight or None, inferred=tuple(inferred))


# -- Firefox --------------------------------------------------------------------------------

FIREFOX = re.compile(
    r"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote "
    r"resource at (?P<url>‘[^’]*’|\S+?)\. \(Reason: (?P<reason>.*)", re.S)


def _firefox_pattern(text: str) -> re.Pattern[str]:
    pattern = re.escape(text).replace(re.escape("{}"), "(?P<arg>.*?)")
    # older Firefox printed no status code: make it optional
    for tail in (r"\. Status code: (?P<arg>.*?)\.", r"\. Status code: \(null\)\."):
        pattern = pattern.replace(tail, f"(?:{tail})?")
    return re.compile(pattern, re.S)


_FIREFOX_REASONS = {code: _firefox_pattern(text)
                    for code, text in console_firefox.REASONS.items()}
FIREFOX_PREFLIGHT = frozenset({"CORSPreflightDidNotSucceed", "CORSInvalidAllowMethod",
                               "CORSMethodNotFound", "CORSInvalidAllowHeader",
                               "CORSMissingAllowHeaderFromPreflight"})


def firefox_reason(reason: str) -> tuple[str | None, str | None]:
    """(reason code, its argument) of Firefox's "(Reason: ...)" text."""
    for code, pattern in _FIREFOX_REASONS.items():
        m = pattern.match(reason)
        if m:
            return code, m.groupdict().get("arg")
    return None, None


def firefox(record: str) -> Pasted | None:
    m = FIREFOX.search(record)
    if m is None:
        return None
    url = m.group("url").strip("‘’")
    reason = m.group("reason").strip()
    code, arg = firefox_reason(reason)
    inferred = [] if code else [f"the reason is not one corsprobe knows: {reason!r}"]
    return Pasted(source="firefox-console", url=url, origin=None, browser="firefox",
                  browser_reason=code, hint=arg, message=reason,
                  preflight=(code in FIREFOX_PREFLIGHT) or None, inferred=tuple(inferred))


# Firefox's own lines that name the kind of request (dom.properties' ModuleSourceLoadFailed
# and ScriptSourceLoadFailed; gfxUserFontSet's "downloadable font" log line, whose source URL
# older versions put on the next line)
FIREFOX_KINDS = (
    ("module", re.compile(r"Loading failed for the module with source “(?P<url>[^”]*)”")),
    ("script", re.compile(r"Loading failed for the <script> with source “(?P<url>[^”]*)”")),
    ("font", re.compile(r"downloadable font: (?:download failed|failed to start download) "
                        r"\(font-family: .*?\): bad URI or cross-site access not allowed\s+"
                        r"source: (?P<url>\S+)", re.S)),
)
_FIREFOX_KIND_START = re.compile(r"Loading failed for the (?:module|<script>) with source “|"
                                 r"downloadable font: .*bad URI or cross-site access not allowed")


def firefox_kind(record: str) -> Pasted | None:
    """One of Firefox's lines naming the kind of a request that failed: it names no reason
    (the "Cross-Origin Request Blocked" line before it does; the two are merged)."""
    for kind, pattern in FIREFOX_KINDS:
        m = pattern.search(record)
        if m:
            url = m.group("url").strip("‘’“”")
            return Pasted(source="firefox-console", url=url, origin=None, browser="firefox",
                          kind=kind, inferred=(f"kind {kind} (Firefox's line "
                                               f"{_short(m.group(0))!r})",))
    return None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


def is_firefox_kind_line(p: Pasted) -> bool:
    return (p.source == "firefox-console" and p.message is None and p.browser_reason is None
            and p.kind != "fetch")


# -- mixed content: blocked before any request leaves (corsprobe.fetch.gates) -----------------

def _gate_pattern(text: str, **groups: str) -> re.Pattern[str]:
    pattern = re.escape(text)
    for slot, group in groups.items():
        pattern = pattern.replace(re.escape(slot), group, 1)
    return re.compile(pattern, re.S)


# Chromium names the request's context: "resource" for fetch() (recorded); the other words
# are Blink's MixedContentChecker names for the kinds corsprobe models
MIXED_CHROME = _gate_pattern(gates.CHROMIUM_MIXED, **{
    "{page}": r"(?P<page>[^']*)", "{url}": r"(?P<url>[^']*)",
    "resource": r"(?P<what>[A-Za-z][\w ]*?)"})
MIXED_CHROME_WARNING = re.compile(r"Mixed Content: The page at '[^']*' was loaded over HTTPS, "
                                  r"but requested an insecure .*This content should also be "
                                  r"served over HTTPS\.")
MIXED_WORDS = {"resource": "fetch", "XMLHttpRequest endpoint": "xhr",
               "EventSource endpoint": "eventsource", "Beacon endpoint": "beacon",
               "font": "font", "image": "img", "script": "script", "stylesheet": "stylesheet"}
MIXED_FIREFOX = _gate_pattern(gates.FIREFOX_MIXED, **{
    "{url}": r"(?P<url>[^”]*)", "active": r"(?P<what>active|display)"})
# WebKit's first line (for a loopback host it stops after "must": WEBKIT_MIXED_LOOPBACK)
MIXED_WEBKIT = _gate_pattern(gates.WEBKIT_MIXED_LOOPBACK, **{
    "{page}": r"(?P<page>\S+)", "{url}": r"(?P<url>\S+?)"})


def mixed(record: str) -> Pasted | None:
    """One request from a mixed-content line: Chromium's "Mixed Content: The page at ...",
    Firefox's "Blocked loading mixed active content" (it names no page: give --origin) or
    WebKit's "[blocked] The page at ... requested insecure content from ..."."""
    notes: list[str] = []
    kind = "fetch"
    m = MIXED_CHROME.search(record)
    if m is not None:
        source, browser, page = "chrome-console", "chrome", m.group("page")
        what = m.group("what")
        kind = MIXED_WORDS.get(what, "fetch")
        if what not in MIXED_WORDS:
            notes.append(f"Chrome calls the request an insecure {what!r}, a kind corsprobe "
                         "does not model: fetch() assumed")
        elif kind != "fetch":
            notes.append(f"kind {kind} (Chrome's console says 'an insecure {what}')")
    elif (m := MIXED_FIREFOX.search(record)) is not None:
        source, browser, page = "firefox-console", "firefox", None
        if m.group("what") == "display":
            kind = "img"
            notes.append("kind img (Firefox's 'mixed display content': an image, audio or "
                         "video)")
    elif (m := MIXED_WEBKIT.search(record)) is not None:
        source, browser, page = "safari-console", "safari", m.group("page")
    else:
        return None
    origin = origin_of(page) if page else None
    if page and origin is None:
        notes.append(f"the page URL {page!r} is not an http(s) URL: give --origin")
    notes.append("mixed content: an https page asked for an http:// URL; the browser blocked "
                 "it before sending anything (the server was never asked)")
    message = " ".join(m.group(0).split())
    return Pasted(source=source, url=m.group("url"), origin=origin, kind=kind, browser=browser,
                  blocked_reason=gates.MIXED_CONTENT, message=message, inferred=tuple(notes))


# -- WebKit (Safari) ------------------------------------------------------------------------

SAFARI_REASONS: dict[str, re.Pattern[str]] = {
    "origin": re.compile(r"Origin (?P<origin>\S+) is not allowed by Access-Control-Allow-Origin\."
                         r"(?: Status code: (?P<status>\d+))?"),
    "wildcard": re.compile(r"Cannot use wildcard in Access-Control-Allow-Origin when credentials"
                           r" flag is true\."),
    "multiple": re.compile(r"Access-Control-Allow-Origin cannot contain more than one origin\."),
    "credentials": re.compile(r'Credentials flag is true, but Access-Control-Allow-Credentials'
                              r' is not "true"\.'),
    "preflight-status": re.compile(r"Preflight response is not successful\."
                                   r"(?: Status code: (?P<status>\d+))?"),
    "invalid-list": re.compile(r"Header Access-Control-Allow-(?P<list>Methods|Headers) has an "
                               r"invalid value: (?P<value>.*)"),
    "method": re.compile(r"Method (?P<method>\S+) is not allowed by "
                         r"Access-Control-Allow-Methods\."),
    "header": re.compile(r"Request header field (?P<header>\S+) is not allowed by "
                         r"Access-Control-Allow-Headers\."),
    "redirect": re.compile(r"Cross-origin redirection to (?P<target>\S+) denied by Cross-Origin "
                           r"Resource Sharing policy: (?P<inner>.*)"),
    "ftp": re.compile(r"FTP URLs are disabled"),
    "redirect-limit": re.compile(r"Load cannot follow more than \d+ redirections"),
}
SAFARI_WRAPPER = re.compile(
    r"(?:(?P<api>Fetch API|XMLHttpRequest|EventSource) )?[Cc]annot load (?:(?P<image>image) )?"
    r"(?P<url>\S+) due to access control checks\.")
SAFARI_ERRORS = {"method": "MethodDisallowedByPreflightResponse",
                 "header": "HeaderDisallowedByPreflightResponse",
                 "multiple": None}  # the rest are ambiguous about the stage in Chromium's terms
SAFARI_PREFLIGHT = frozenset({"preflight-status", "invalid-list", "method", "header"})
SAFARI_API = {"Fetch API": "fetch", "XMLHttpRequest": "xhr", "EventSource": "eventsource"}
_SAFARI_PREFIX = re.compile(r"^\s*(?:\[Error\]\s*|(?:SECURITY|JS|CONSOLE \w+) ERROR\s*)?")
_SAFARI_SUFFIX = re.compile(r"\s*\([^()]*, line \d+\)\s*$")


def safari_class(line: str) -> tuple[str, re.Match[str]] | None:
    """(class, match) of one WebKit reason line: the class names the problem without its
    variable parts (status codes, values), so two lines about the same problem compare
    equal."""
    text = _SAFARI_SUFFIX.sub("", _SAFARI_PREFIX.sub("", line)).strip()
    for name, pattern in SAFARI_REASONS.items():
        m = pattern.fullmatch(text)
        if m:
            if name == "redirect":
                inner = safari_class(m.group("inner"))
                return (f"redirect/{inner[0]}" if inner else name), m
            return name, m
    return None


def _safari_wrapper(line: str) -> re.Match[str] | None:
    text = _SAFARI_SUFFIX.sub("", _SAFARI_PREFIX.sub("", line)).strip()
    return SAFARI_WRAPPER.fullmatch(text)


def safari(reason_line: str | None, wrapper_line: str | None) -> Pasted:
    """One request from WebKit's pair of lines (either may be missing)."""
    url = kind = origin = hint = error = None
    cls: str | None = None
    message = None
    if wrapper_line is not None:
        w = _safari_wrapper(wrapper_line)
        assert w is not None
        url, kind = w.group("url"), SAFARI_API.get(w.group("api") or "", "fetch")
        if w.group("image"):  # WebKit's <img>: "Cannot load image URL due to ..."
            kind = "img"
    if reason_line is not None:
        found = safari_class(reason_line)
        assert found is not None
        cls, m = found
        message = _SAFARI_SUFFIX.sub("", _SAFARI_PREFIX.sub("", reason_line)).strip()
        inner = m
        if cls.startswith("redirect/"):
            inner = SAFARI_REASONS[cls.split("/", 1)[1]].fullmatch(m.group("inner")) or m
        groups = inner.groupdict()
        origin = groups.get("origin")
        hint = groups.get("method") or groups.get("header") or groups.get("value")
        error = SAFARI_ERRORS.get(cls)
    inferred = []
    if url is None:
        inferred.append("Safari's reason line came without its 'Fetch API cannot load URL' "
                        "line: the URL is not known")
    return Pasted(source="safari-console", url=url, origin=origin, kind=kind or "fetch",
                  browser="safari", browser_error=error, hint=hint, message=message,
                  preflight=(cls in SAFARI_PREFLIGHT) or None, inferred=tuple(inferred))


# -- splitting a paste ----------------------------------------------------------------------

_NOISE = re.compile(r"Failed to load resource|Not allowed to request resource|\b(?:GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) "
                    r"\S+ net::ERR_|^\s*$")


def _starts(line: str) -> str | None:
    if MIXED_CHROME.search(line) or MIXED_FIREFOX.search(line) or MIXED_WEBKIT.search(line):
        return "mixed"
    if MIXED_CHROME_WARNING.search(line):  # allowed (auto-upgraded or passive): not a block
        return "noise"
    if CHROME.search(line) or re.search(r"Access to [A-Za-z][\w ]*? at '", line):
        return "chrome"
    if "Cross-Origin Request Blocked:" in line:
        return "firefox"
    if _FIREFOX_KIND_START.search(line):
        return "firefox-kind"
    if safari_class(line):
        return "safari"
    if _safari_wrapper(line):
        return "safari-wrapper"
    if _NOISE.search(line):
        return "noise"
    return None


def records(text: str) -> list[tuple[str, str]]:
    """(kind, text) per message; a line that starts none continues the one before it."""
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        kind = _starts(line)
        if kind is None:
            if out and out[-1][0] in ("chrome", "firefox", "firefox-kind"):
                out[-1] = (out[-1][0], out[-1][1].rstrip() + " " + line.strip())
            continue
        out.append((kind, line.strip()))
    return [r for r in out if r[0] != "noise"]


def parse(text: str) -> list[Pasted]:
    """Every console message in ``text``, one request each, in order (not de-duplicated)."""
    found: list[Pasted] = []
    pending: str | None = None  # a Safari reason line waiting for its wrapper
    webkit_mixed: int | None = None  # WebKit's mixed-content line, waiting for its wrapper
    for kind, record in records(text):
        if kind == "safari-wrapper" and pending is None and webkit_mixed is not None:
            # "Fetch API cannot load URL": the request the mixed-content line was about (after
            # an https -> http redirect, URL is the one the page asked for)
            w = _safari_wrapper(record)
            assert w is not None
            blocked = found[webkit_mixed]
            url = w.group("url")
            found[webkit_mixed] = replace(
                blocked, url=url, kind=SAFARI_API.get(w.group("api") or "", "fetch"),
                final_url=blocked.url if url != blocked.url else None)
            webkit_mixed = None
            continue
        webkit_mixed = None
        if kind != "safari-wrapper" and pending is not None:
            found.append(safari(pending, None))
            pending = None
        if kind == "chrome":
            got = chrome(record)
            if got is not None:
                found.append(got)
        elif kind == "firefox":
            got = firefox(record)
            if got is not None:
                found.append(got)
        elif kind == "mixed":
            got = mixed(record)
            if got is not None:
                found.append(got)
                if got.source == "safari-console":
                    webkit_mixed = len(found) - 1
        elif kind == "firefox-kind":
            got = firefox_kind(record)
            if got is not None:
                found.append(got)
        elif kind == "safari":
            pending = record
        elif kind == "safari-wrapper":
            found.append(safari(pending, record))
            pending = None
    if pending is not None:
        found.append(safari(pending, None))
    return [replace(p) for p in found]
