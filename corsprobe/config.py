"""The ``corsprobe run`` config: ``corsprobe.toml`` or ``[tool.corsprobe]`` in pyproject.toml.

Loading validates everything before a single request is sent: an unknown key, a wrong type,
a bad URL or origin, an undefined ``${VAR}`` is a :class:`~corsprobe.errors.UsageError`
(exit 2) whose message names the file, the check and the key.

``${VAR}`` is replaced by the environment variable VAR in any string value (``$${`` is a
literal ``${``). Every value that came from the environment is a secret: it is collected in
:attr:`Config.secrets`, and the runner masks it in every output.

``secret_headers = ["X-Api-Key"]`` (top level, or in a check) names headers whose values are
redacted in every output, as Authorization, Cookie and Proxy-Authorization always are
(``corsprobe check --secret-header NAME`` does the same).

Checks are kept as written (:class:`CheckDef`); :meth:`Config.checks` expands the matrix
(every url x every origin) lazily, one :class:`Check` at a time.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import UsageError
from .fetch.kinds import CROSSORIGINS, KINDS, MODES
from .fetch.urls import InvalidInput, parse_origin, parse_url
from .model import RequestSpec
from .policy import MAX_SEVERITY, Expectation
from .redact import REDACTED
from .redact import pattern as secret_pattern

CONFIG_NAME = "corsprobe.toml"
PYPROJECT = "pyproject.toml"
BROWSERS = ("chrome", "firefox", "safari")
PROBE_MODES = ("failures", "all", "off")
EXPECTS = ("allowed", "blocked")
DEFAULT_CONCURRENCY = 20
DEFAULT_PER_HOST = 10

TOP_KEYS = {
    "base_url": "URL that relative check urls are joined to",
    "app": "module:attr of an ASGI/WSGI app to check in-process instead of a server",
    "browser": "chrome, firefox or safari",
    "timeout": "seconds per request",
    "headers": "headers every check sends",
    "origin": "default origin of every check",
    "origins": "default origins of every check",
    "credentials": "default credentials of every check",
    "max_severity": "default highest finding severity tolerated",
    "insecure": "skip TLS verification",
    "cacert": "CA bundle file",
    "resolve": "list of HOST:PORT:ADDRESS, like curl",
    "max_redirects": "redirects to follow",
    "probe": "failures, all or off",
    "concurrency": "checks in flight at once",
    "per_host": "requests in flight per host",
    "secret_headers": "header names whose values are redacted in every output",
    "page_space": "where the pages are served from: public, private or local (Local Network "
                  "Access)",
    "stack": "the layers in front of and behind the URLs, front first: \"nginx,django\" or a list",
    "third_party_cookies": "Chrome's third-party-cookie setting: allow (default) or block",
    "kind": "the kind of request: fetch, xhr, eventsource, img, font, script, module, "
            "stylesheet or beacon",
    "mode": "fetch()'s mode: cors, no-cors or same-origin",
    "crossorigin": "the element's crossorigin attribute: anonymous, use-credentials or none",
    "checks": "the checks",
    "flows": "checks that run in order and share one cookie jar",
}
CHECK_KEYS = {
    "name", "url", "urls", "origin", "origins", "method", "headers", "credentials", "body",
    "send_actual", "expect", "expect_error", "readable", "max_severity", "tags", "browser",
    "probe", "max_redirects", "secret_headers", "page_space", "target_space", "stack",
    "third_party_cookies", "expect_status",
    "kind", "mode", "crossorigin",
}
FLOW_KEYS = {
    "name", "steps", "origin", "credentials", "headers", "browser", "third_party_cookies",
    "tags", "max_severity", "probe", "secret_headers", "page_space", "stack",
}
# what a step takes from its flow, and may not set itself
FLOW_ONLY = ("urls", "origin", "origins", "browser", "third_party_cookies", "tags")
STEP_KEYS = CHECK_KEYS - set(FLOW_ONLY)
THIRD_PARTY = ("allow", "block")
FLOW_MARK = " › "  # between a flow's name and a step's: "login › me"
SPACES = ("public", "private", "local")
_KIND_CHOICES = {"kind": KINDS, "mode": MODES, "crossorigin": CROSSORIGINS}

_VAR = re.compile(r"\$(\$?)\{([^}]*)\}")
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# the line of each [[checks]], [[flows]] and [[flows.steps]] header (what a message names)
_ARRAY_HEADER = re.compile(
    r"[ \t]*\[\[\s*(?:tool\s*\.\s*corsprobe\s*\.\s*)?(checks|flows\s*\.\s*steps|flows)\s*\]\]")


def _toml() -> Any:
    """The TOML reader: tomli (TOML 1.1), compiled (mypyc) where the platform has a wheel for
    it, 2-3x faster than the standard library's pure-Python copy of it (``tomllib``, TOML 1.0):
    reading a big config is the part of ``corsprobe run`` no worker can share. One reader
    on every Python version, so a config means the same everywhere."""
    import tomli

    return tomli


@dataclass(frozen=True, slots=True)
class Check:
    """One check after matrix expansion: a request and what is expected of it."""

    index: int  # 0-based position among all expanded checks
    name: str  # unique: the configured name, plus the url/origin when the matrix varies
    group: str  # the configured name (what --only also matches)
    tags: tuple[str, ...]
    spec: RequestSpec
    expect: str  # "allowed" | "blocked"
    expect_error: str | None
    readable: tuple[str, ...]
    max_severity: str | None  # None: findings are not judged
    probe: str
    line: int | None  # line of the check's table in the config file
    expect_status: tuple[int, ...] = ()
    flow: str | None = None  # the flow this check is a step of (its jar is the flow's)

    @property
    def expectation(self) -> Expectation:
        verdict: Literal["allowed", "blocked"] = "blocked" if self.expect == "blocked" else "allowed"
        return Expectation(verdict, self.expect_error, self.readable, self.max_severity,
                           self.expect_status)


@dataclass(frozen=True, slots=True)
class CheckDef:
    """One ``[[checks]]`` table, validated, before matrix expansion."""

    position: int
    name: str
    named: bool
    urls: tuple[str, ...]
    origins: tuple[str, ...]
    method: str
    headers: tuple[tuple[str, str], ...]
    credentials: bool
    url_labels: tuple[str, ...]  # the urls as written (relative ones stay short in names)
    body: bytes | None
    send_actual: bool | None
    expect: str
    expect_error: str | None
    readable: tuple[str, ...]
    max_severity: str | None
    tags: tuple[str, ...]
    browser: str
    probe: str
    max_redirects: int
    line: int | None
    secret_headers: tuple[str, ...] = ()
    page_space: str | None = None
    target_space: str | None = None
    stack: tuple[str, ...] = ()
    third_party_cookies: str = "allow"
    expect_status: tuple[int, ...] = ()
    kind: str = "fetch"
    mode: str | None = None
    crossorigin: str | None = None

    @property
    def size(self) -> int:
        return len(self.urls) * len(self.origins)


@dataclass(frozen=True)
class FlowDef:
    """One ``[[flows]]`` table: steps (one request each) that run in order and share one
    cookie jar, as the pages of one browser session do."""

    position: int
    name: str
    tags: tuple[str, ...]
    steps: tuple[CheckDef, ...]
    line: int | None


@dataclass(frozen=True)
class Config:
    path: Path
    display: str  # the path as shown in messages and reports
    timeout: float = 10.0
    insecure: bool = False
    cacert: str | None = None
    resolve: tuple[tuple[str, int, str], ...] = ()
    concurrency: int | None = None
    per_host: int | None = None
    definitions: tuple[CheckDef, ...] = ()
    flows: tuple[FlowDef, ...] = ()
    secrets: tuple[str, ...] = field(default=(), repr=False)
    app: str | None = None  # module:attr answering in-process (corsprobe.apps)

    @property
    def count(self) -> int:
        return sum(d.size for d in self.definitions) + sum(len(f.steps) for f in self.flows)

    def checks(self) -> Iterator[Check]:
        """Every check, matrix expanded, in config order (lazily: nothing is held): the
        ``[[checks]]``, then each flow's steps in order (a step's ``flow`` names its flow)."""
        index = 0
        for d in self.definitions:
            many_urls, many_origins = len(d.urls) > 1, len(d.origins) > 1
            for url, label in zip(d.urls, d.url_labels, strict=True):
                for origin in d.origins:
                    if not d.named:
                        name = f"{d.method} {label} from {origin}"
                    elif many_urls and many_origins:
                        name = f"{d.name} [{label} from {origin}]"
                    elif many_urls:
                        name = f"{d.name} [{label}]"
                    elif many_origins:
                        name = f"{d.name} [from {origin}]"
                    else:
                        name = d.name
                    spec = _spec(d, url, origin)
                    yield Check(index, name, d.name, d.tags, spec, d.expect, d.expect_error,
                                d.readable, d.max_severity, d.probe, d.line, d.expect_status)
                    index += 1
        for f in self.flows:
            for d in f.steps:
                spec = _spec(d, d.urls[0], d.origins[0])
                yield Check(index, f"{f.name}{FLOW_MARK}{d.name}", f.name, f.tags, spec,
                            d.expect, d.expect_error, d.readable, d.max_severity, d.probe,
                            d.line, d.expect_status, flow=f.name)
                index += 1


def _spec(d: CheckDef, url: str, origin: str) -> RequestSpec:
    return RequestSpec(
        url=url, origin=origin, method=d.method, headers=d.headers, body=d.body,
        credentials=d.credentials, send_actual=d.send_actual, expect_headers=d.readable,
        browser=d.browser, max_redirects=d.max_redirects, secret_headers=d.secret_headers,
        page_space=d.page_space, target_space=d.target_space, stack=d.stack,
        third_party_cookies=d.third_party_cookies, kind=d.kind, mode=d.mode,
        crossorigin=d.crossorigin,
    )


# -- sharding ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shard:
    """``--shard I/N``: the I-th of N slices of a config's checks (1 <= I <= N)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, check: Check) -> bool:
        # a flow's steps share one jar, so they land in one shard: the flow's
        return shard_of(check.flow or check.name, self.count) == self.index


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) a check falls in: a stable hash of its unique name, so the same
    check is in the same shard on every machine and every run (``hash()`` is salted per
    process, SHA-256 is not), and adding a check moves no other check."""
    import hashlib

    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> Shard:
    """``"2/3"`` -> ``Shard(2, 3)``; anything else is a usage error."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
    if m is None or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise UsageError(f"--shard {text!r}: expected I/N with 1 <= I <= N, e.g. --shard 2/3")
    return Shard(int(m.group(1)), int(m.group(2)))


# -- finding the file --------------------------------------------------------------------------


def discover(start: Path) -> Path | None:
    """The nearest ``corsprobe.toml``, or pyproject.toml with ``[tool.corsprobe]``, walking
    up from ``start`` (in each directory corsprobe.toml wins)."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT
        if pyproject.is_file():
            try:
                data = _toml().loads(pyproject.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                continue
            if isinstance(data.get("tool"), dict) and "corsprobe" in data["tool"]:
                return pyproject
    return None


def _display(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path)


def load(
    path: Path | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    base_url: str | None = None,
) -> Config:
    """Find (unless ``path`` is given), read and validate the config.

    ``base_url`` (``--base-url``) replaces the file's base_url."""
    cwd = cwd or Path.cwd()
    env = os.environ if env is None else env
    if path is None:
        path = discover(cwd)
        if path is None:
            raise UsageError(
                f"no config found: no {CONFIG_NAME} (or pyproject.toml with [tool.corsprobe]) in "
                f"{cwd} or any parent directory; create one or pass --config FILE"
            )
    display = _display(path, cwd)
    if path.exists() and not path.is_file():  # a directory, or a FIFO that would block
        raise UsageError(f"{display}: cannot read the config: not a regular file")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{display}: no such config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{display}: cannot read the config: {exc}") from None
    try:
        data = _toml().loads(text)
    except ValueError as exc:
        raise UsageError(f"{display}: not valid TOML: {exc}") from None
    if path.name == PYPROJECT:
        tool = data.get("tool")
        if not isinstance(tool, dict) or "corsprobe" not in tool:
            raise UsageError(f"{display}: no [tool.corsprobe] table")
        data = tool["corsprobe"]
        if not isinstance(data, dict):
            raise UsageError(f"{display}: [tool.corsprobe] must be a table")
    lines, flow_lines = _header_lines(text)
    del text
    return _Loader(display, env).config(path, data, lines, base_url, flow_lines)


def _header_lines(text: str) -> tuple[list[int], tuple[list[int], list[int]]]:
    """The 1-based line of every ``[[checks]]`` header, and of every ``[[flows]]`` and
    ``[[flows.steps]]`` one: lines that start (after blanks) with one. One pass from one
    ``[[`` to the next (a scan for a line start at every character costs more), counting
    newlines once."""
    checks: list[int] = []
    flows: list[int] = []
    steps: list[int] = []
    line, counted, after = 1, 0, 0  # after: where the last header ended
    at = text.find("[[")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        found = _ARRAY_HEADER.match(text, start) if start >= after else None
        if found is not None:
            line += text.count("\n", counted, start)
            counted, after = start, found.end()
            name = found[1]
            (checks if name == "checks" else flows if name == "flows" else steps).append(line)
            at = after
        else:
            at += 2
        at = text.find("[[", at)
    return checks, (flows, steps)


# -- validation --------------------------------------------------------------------------------


_KIND_TESTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "list of strings": lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    "table of strings": lambda v: isinstance(v, dict)
    and all(isinstance(x, str) for x in v.values()),
}


class _Loader:
    def __init__(self, display: str, env: Mapping[str, str]) -> None:
        self.display = display
        self.env = env
        self.secrets: set[str] = set()
        self._shared: dict[Any, Any] = {}
        self._fetch_ok: set[Any] = set()  # fetch() inputs already validated
        # each shape of check table validated (see check()): its defaults, and its CheckDef
        self._checked: dict[Any, tuple[dict[str, Any], tuple[Any, ...]]] = {}

    def shared(self, value: Any) -> Any:
        """One object for equal values (a method, a header list, a body): the checks of a big
        config repeat them, and each would otherwise keep its own copy."""
        return self._shared.setdefault(value, value)

    # errors name the file, the check and the key; env-derived values never appear in them
    def error(self, where: str | None, key: str | None, message: str) -> UsageError:
        parts = [self.display]
        if where:
            parts.append(where)
        if key:
            parts.append(f"key '{key}'")
        text = ": ".join(parts) + ": " + message
        pattern = secret_pattern(self.secrets)
        return UsageError(pattern.sub(REDACTED, text) if pattern else text)

    def expand(self, value: str, where: str | None, key: str) -> str:
        if "$" not in value:
            return value

        def sub(m: re.Match[str]) -> str:
            if m.group(1):
                return "${" + m.group(2) + "}"
            name = m.group(2)
            if not _VAR_NAME.fullmatch(name):
                raise self.error(where, key, f"'${{{name}}}' is not a valid variable reference; "
                                             "write ${NAME} (letters, digits, _) or $${ for a literal")
            if name not in self.env:
                raise self.error(where, key, f"environment variable {name} is not set "
                                             f"(referenced as ${{{name}}})")
            found = self.env[name]
            if found:
                self.secrets.add(found)
            return found

        return _VAR.sub(sub, value)

    def typed(self, table: dict[str, Any], key: str, kind: str, where: str | None) -> Any:
        value = table[key]
        if not _KIND_TESTS[kind](value):
            raise self.error(where, key, f"expected a {kind}, got {_describe(value)}")
        if kind == "string":
            return self.expand(value, where, key)
        if kind == "list of strings":
            return [self.expand(v, where, key) for v in value]
        if kind == "table of strings":
            return {self.expand(k, where, key): self.expand(v, where, f"{key}.{k}")
                    for k, v in value.items()}
        return value

    def choice(self, table: dict[str, Any], key: str, choices: tuple[str, ...],
               where: str | None) -> str:
        value = self.typed(table, key, "string", where)
        if value not in choices:
            raise self.error(where, key, f"'{value}' is not one of: {', '.join(choices)}")
        return value

    def stack(self, table: dict[str, Any], where: str | None) -> tuple[str, ...]:
        from .stack import parse

        value = table["stack"]
        if not (isinstance(value, str) or isinstance(value, list) and all(
                isinstance(v, str) for v in value)):
            raise self.error(where, "stack", f"expected a string or a list of strings, got "
                                             f"{_describe(value)}")
        try:
            return parse(value)
        except UsageError as exc:
            raise self.error(where, "stack", str(exc)) from None

    def probe_mode(self, table: dict[str, Any], where: str | None) -> str:
        value = table["probe"]
        if isinstance(value, bool):
            return "all" if value else "off"
        if isinstance(value, str) and value in PROBE_MODES:
            return value
        raise self.error(where, "probe", f"expected true, false or one of {', '.join(PROBE_MODES)}, "
                                         f"got {_describe(value)}")

    def unknown(self, table: dict[str, Any], known: set[str] | dict[str, str],
                where: str | None) -> None:
        for key in table:
            if key not in known:
                import difflib

                close = difflib.get_close_matches(key, list(known), n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise self.error(where, key, f"unknown key{hint}; known keys: "
                                             f"{', '.join(sorted(known))}")

    def origin(self, value: str, where: str | None, key: str) -> str:
        try:
            parse_origin(value)
        except InvalidInput as exc:
            raise self.error(where, key, str(exc)) from None
        return value

    def url(self, value: str, base: str | None, where: str | None, key: str) -> str:
        if "://" not in value:
            if base is None:
                raise self.error(where, key, f"'{value}' is relative and there is no base_url; "
                                             "give an absolute URL (https://api.example.com/users) "
                                             "or set base_url")
            value = base.rstrip("/") + "/" + value.lstrip("/")
        try:
            parsed = parse_url(value)
        except InvalidInput as exc:
            raise self.error(where, key, str(exc)) from None
        if parsed.has_credentials:
            raise self.error(where, key, "the URL contains user:password; fetch() refuses such "
                                         "URLs (send an Authorization header instead)")
        return value

    def config(self, path: Path, data: dict[str, Any], lines: list[int],
               base_override: str | None,
               flow_lines: tuple[list[int], list[int]] = ([], [])) -> Config:
        self.unknown(data, TOP_KEYS, None)
        g: dict[str, Any] = {}

        def get(key: str, kind: str) -> Any:
            return self.typed(data, key, kind, None) if key in data else None

        base = get("base_url", "string")
        if base_override is not None:
            base = base_override
        app = get("app", "string")
        if app is not None:
            from .apps import APP_BASE_URL, check_target

            problem = check_target(app)
            if problem:
                raise self.error(None, "app", problem)
            if base is None:
                base = APP_BASE_URL  # relative urls go to the app
        if base is not None:
            self.url(base, None, None, "base_url" if base_override is None else "--base-url")
        g["base"] = base
        g["browser"] = self.choice(data, "browser", BROWSERS, None) if "browser" in data else "chrome"
        timeout = get("timeout", "number")
        if timeout is not None and timeout <= 0:
            raise self.error(None, "timeout", "must be a positive number of seconds")
        headers = get("headers", "table of strings") or {}
        g["headers"] = self.headers(headers, None)
        g["origins"] = self.origins(data, None, required=False)
        g["credentials"] = get("credentials", "boolean") or False
        g["max_severity"] = (self.choice(data, "max_severity", MAX_SEVERITY, None)
                             if "max_severity" in data else None)
        insecure = get("insecure", "boolean") or False
        cacert = get("cacert", "string")
        if cacert is not None:
            cacert_path = Path(cacert)
            if not cacert_path.is_absolute():
                cacert_path = path.parent / cacert_path
            if not cacert_path.is_file():
                raise self.error(None, "cacert", f"{cacert}: no such file")
            cacert = str(cacert_path)
        resolve = tuple(self.resolve(r) for r in get("resolve", "list of strings") or ())
        max_redirects = get("max_redirects", "integer")
        if max_redirects is not None and not 0 <= max_redirects <= 100:
            raise self.error(None, "max_redirects", "must be between 0 and 100")
        g["max_redirects"] = 20 if max_redirects is None else max_redirects
        g["probe"] = self.probe_mode(data, None) if "probe" in data else "failures"
        g["secret_headers"] = self.secret_names(data, None)
        g["page_space"] = (self.choice(data, "page_space", SPACES, None)
                           if "page_space" in data else None)
        g["stack"] = self.stack(data, None) if "stack" in data else ()
        g["third_party_cookies"] = (self.choice(data, "third_party_cookies", THIRD_PARTY, None)
                                    if "third_party_cookies" in data else "allow")
        for key, choices in _KIND_CHOICES.items():
            g[key] = self.choice(data, key, choices, None) if key in data else None
        limits = {}
        for key in ("concurrency", "per_host"):
            value = get(key, "integer")
            if value is not None and value < 1:
                raise self.error(None, key, "must be at least 1")
            limits[key] = value
        raw_checks = data.get("checks", [])
        if not isinstance(raw_checks, list) or not all(isinstance(c, dict) for c in raw_checks):
            raise self.error(None, "checks", "expected an array of tables ([[checks]]), got "
                                             f"{_describe(raw_checks)}")
        raw_flows = data.get("flows", [])
        if not isinstance(raw_flows, list) or not all(isinstance(f, dict) for f in raw_flows):
            raise self.error(None, "flows", "expected an array of tables ([[flows]]), got "
                                            f"{_describe(raw_flows)}")
        if not raw_checks and not raw_flows:
            raise self.error(None, "checks", "no checks: add at least one [[checks]] table "
                                             "(or a [[flows]] table)")
        defs = []
        names: dict[str, int] = {}
        for i, table in enumerate(raw_checks):
            line = lines[i] if len(lines) == len(raw_checks) else None
            d = self.check(i + 1, table, g, line)
            raw_checks[i] = {}  # its parsed table is done with: a big config's peak stays low
            if d.named:
                if d.name in names:
                    raise self.error(f"check '{d.name}'", "name",
                                     f"the name is already used by check #{names[d.name]}; "
                                     "names must be unique")
                names[d.name] = i + 1
            defs.append(d)
        flows: list[FlowDef] = []
        step_lines = iter(flow_lines[1] if len(flow_lines[1]) == sum(
            len(f["steps"]) for f in raw_flows if isinstance(f.get("steps"), list)) else [])
        for i, table in enumerate(raw_flows):
            line = flow_lines[0][i] if len(flow_lines[0]) == len(raw_flows) else None
            flow = self.flow(i + 1, table, g, line, step_lines)
            if flow.name in names:
                raise self.error(f"flow '{flow.name}'", "name",
                                 f"the name is already used by check #{names[flow.name]}; "
                                 "names must be unique")
            if any(f.name == flow.name for f in flows):
                raise self.error(f"flow '{flow.name}'", "name",
                                 "the name is already used by another flow; names must be unique")
            flows.append(flow)
        return Config(
            path=path, display=self.display, timeout=float(timeout or 10.0), insecure=insecure,
            cacert=cacert, resolve=resolve, concurrency=limits["concurrency"],
            per_host=limits["per_host"], definitions=tuple(defs), flows=tuple(flows),
            secrets=tuple(sorted(self.secrets, key=len, reverse=True)), app=app,
        )

    def statuses(self, table: dict[str, Any], where: str | None) -> tuple[int, ...]:
        """``expect_status = 200`` or ``[200, 204]``: the actual response's status."""
        if "expect_status" not in table:
            return ()
        value = table["expect_status"]
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, int) and not isinstance(v, bool)
                                 and 100 <= v <= 599 for v in values):
            raise self.error(where, "expect_status", "expected an HTTP status (100-599) or a "
                                                     f"list of them, got {_describe(value)}")
        return tuple(values)

    def resolve(self, text: str) -> tuple[str, int, str]:
        host, sep1, rest = text.partition(":")
        port, sep2, addr = rest.partition(":")
        if not (sep1 and sep2 and host and addr) or not port.isdigit() or not 0 < int(port) < 65536:
            raise self.error(None, "resolve", f"'{text}' is not HOST:PORT:ADDRESS; e.g. "
                                              "\"api.example.com:443:127.0.0.1\"")
        return host, int(port), addr.strip("[]")

    def secret_names(self, table: dict[str, Any], where: str | None) -> list[str]:
        from .fetch.safelist import is_token

        if "secret_headers" not in table:
            return []
        names = self.typed(table, "secret_headers", "list of strings", where)
        for name in names:
            if not is_token(name):
                raise self.error(where, "secret_headers", f"'{name}' is not a header name; e.g. "
                                                          'secret_headers = ["X-Api-Key"]')
        return names

    def headers(self, table: dict[str, str], where: str | None) -> list[tuple[str, str]]:
        from .fetch.safelist import is_token

        out = []
        for name, value in table.items():
            if not is_token(name):
                raise self.error(where, "headers", f"'{name}' is not a valid header name")
            if any(c in value for c in "\r\n\0"):
                raise self.error(where, f"headers.{name}", "the value contains a line break or NUL")
            out.append((name, value))
        return out

    def origins(self, table: dict[str, Any], where: str | None, required: bool) -> list[str] | None:
        if "origin" in table and "origins" in table:
            raise self.error(where, "origins", "give origin or origins, not both")
        if "origin" in table:
            return [self.origin(self.typed(table, "origin", "string", where), where, "origin")]
        if "origins" in table:
            values = self.typed(table, "origins", "list of strings", where)
            if not values:
                raise self.error(where, "origins", "the list is empty")
            return [self.origin(v, where, "origins") for v in values]
        if required:
            raise self.error(where, "origin", "missing: every check needs origin = \"https://...\" "
                                              "(or origins = [...], or a top-level origin)")
        return None

    def flow(self, position: int, table: dict[str, Any], g: dict[str, Any], line: int | None,
             step_lines: Iterator[int]) -> FlowDef:
        """One ``[[flows]]`` table: its own keys are the defaults of its steps."""
        raw_name = table.get("name")
        where = f"flow '{raw_name}'" if isinstance(raw_name, str) and raw_name else \
            f"flow #{position}"
        self.unknown(table, FLOW_KEYS, where)
        if "name" not in table:
            raise self.error(where, "name", "missing: every flow needs name = \"...\" (its "
                                            "steps are reported as \"name › step\")")
        name = self.typed(table, "name", "string", where)
        if not name.strip():
            raise self.error(where, "name", "must not be empty")
        steps = table.get("steps")
        if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps) or not steps:
            raise self.error(where, "steps", "expected at least one [[flows.steps]] table (one "
                                             "request each, run in order), got "
                                             f"{_describe(steps) if steps is not None else 'none'}")
        flow_g = dict(g)
        origins = self.origins(table, where, required=False)
        if origins is not None and len(origins) > 1:
            raise self.error(where, "origins", "a flow is one page: give one origin")
        if origins is not None:
            flow_g["origins"] = origins
        elif g["origins"] is None or len(g["origins"]) > 1:
            raise self.error(where, "origin", "missing: a flow is one page, so it needs "
                                              "origin = \"https://...\" (or one top-level origin)")
        if "credentials" in table:
            flow_g["credentials"] = self.typed(table, "credentials", "boolean", where)
        else:
            flow_g["credentials"] = True  # a flow is about the session: cookies travel
        if "headers" in table:
            own = self.headers(self.typed(table, "headers", "table of strings", where), where)
            own_names = {k.lower() for k, _ in own}
            flow_g["headers"] = [(k, v) for k, v in g["headers"] if k.lower() not in own_names] + own
        if "browser" in table:
            flow_g["browser"] = self.choice(table, "browser", BROWSERS, where)
        if "third_party_cookies" in table:
            flow_g["third_party_cookies"] = self.choice(table, "third_party_cookies",
                                                        THIRD_PARTY, where)
        if "max_severity" in table:
            flow_g["max_severity"] = self.choice(table, "max_severity", MAX_SEVERITY, where)
        if "probe" in table:
            flow_g["probe"] = self.probe_mode(table, where)
        if "secret_headers" in table:
            flow_g["secret_headers"] = [*g["secret_headers"], *self.secret_names(table, where)]
        if "page_space" in table:
            flow_g["page_space"] = self.choice(table, "page_space", SPACES, where)
        if "stack" in table:
            flow_g["stack"] = self.stack(table, where)
        tags = tuple(self.typed(table, "tags", "list of strings", where) if "tags" in table
                     else [])
        defs: list[CheckDef] = []
        for i, step in enumerate(steps):
            step_where = f"{where}: step " + (f"'{step['name']}'" if isinstance(
                step.get("name"), str) and step["name"] else f"#{i + 1}")
            for key in FLOW_ONLY:
                if key in step:
                    raise self.error(step_where, key, "a step is one request: give url"
                                     if key == "urls" else "the steps of a flow are one page "
                                     "in one browser: set it on the [[flows]] table")
            d = self.check(i + 1, step, flow_g, next(step_lines, None), step_where, STEP_KEYS)
            if not d.named:
                d = dataclasses.replace(d, name=f"{d.method} {d.url_labels[0]}")
            if any(o.name == d.name for o in defs):
                raise self.error(step_where, "name", f"the flow has two steps named '{d.name}'; "
                                                     "name them apart (name = \"...\")")
            defs.append(d)
        return FlowDef(position, name, tags, tuple(defs), line)

    def check(self, position: int, table: dict[str, Any], g: dict[str, Any],
              line: int | None, where: str | None = None,
              keys: set[str] = CHECK_KEYS) -> CheckDef:
        raw_name = table.get("name")
        if where is None:
            where = f"check '{raw_name}'" if isinstance(raw_name, str) and raw_name else \
                f"check #{position}"
        # A big config repeats one table but for its name and URL(s): the rest is checked
        # once per shape (same keys, same values, same defaults) and taken from the first.
        shape = (id(g), id(keys), tuple(
            (k, _frozen(v)) for k, v in table.items() if k not in _PER_CHECK))
        known = self._checked.get(shape)
        if known is not None and known[0] is g:
            values = list(known[1])
            name, urls, labels = self.name_and_urls(table, g, where)
            for index, value in zip(_VARYING, (position, name or "", name is not None,
                                               tuple(urls), labels, line), strict=True):
                values[index] = value
            return CheckDef(*values)
        d = self._check(position, table, g, line, where, keys)
        self._checked[shape] = (g, tuple(getattr(d, f) for f in _CHECKDEF_FIELDS))
        return d

    def name_and_urls(self, table: dict[str, Any], g: dict[str, Any], where: str
                      ) -> tuple[str | None, list[str], tuple[str, ...]]:
        """A check's own ``name`` and ``url``/``urls`` (absolute), and the URLs as written."""
        name = self.typed(table, "name", "string", where) if "name" in table else None
        if name is not None and not name.strip():
            raise self.error(where, "name", "must not be empty")
        if "url" in table and "urls" in table:
            raise self.error(where, "urls", "give url or urls, not both")
        if "url" in table:
            urls = [self.typed(table, "url", "string", where)]
            url_key = "url"
        elif "urls" in table:
            urls = self.typed(table, "urls", "list of strings", where)
            url_key = "urls"
            if not urls:
                raise self.error(where, "urls", "the list is empty")
        else:
            raise self.error(where, "url", "missing: every check needs url = \"...\" (or urls)")
        return name, [self.url(u, g["base"], where, url_key) for u in urls], tuple(urls)

    def _check(self, position: int, table: dict[str, Any], g: dict[str, Any],
               line: int | None, where: str, keys: set[str]) -> CheckDef:
        self.unknown(table, keys, where)

        def get(key: str, kind: str, default: Any = None) -> Any:
            return self.typed(table, key, kind, where) if key in table else default

        name, urls, labels = self.name_and_urls(table, g, where)
        origins = self.origins(table, where, required=g["origins"] is None) or g["origins"]
        method = get("method", "string", "GET")
        headers = list(g["headers"])
        own = self.headers(get("headers", "table of strings", {}), where)
        own_names = {k.lower() for k, _ in own}
        headers = [(k, v) for k, v in headers if k.lower() not in own_names] + own
        body_text = get("body", "string")
        body = body_text.encode("utf-8") if body_text is not None else None
        expect_error = get("expect_error", "string")
        if "expect" in table:
            expect = self.choice(table, "expect", EXPECTS, where)
        else:
            expect = "blocked" if expect_error else "allowed"
        if expect_error is not None:
            from .fetch.messages import REASONS

            if expect == "allowed":
                raise self.error(where, "expect_error",
                                 "only makes sense with expect = \"blocked\"")
            if expect_error not in REASONS:
                import difflib

                close = difflib.get_close_matches(expect_error, list(REASONS), n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                raise self.error(where, "expect_error",
                                 f"'{expect_error}' is not a Network.CorsError name; {hint}e.g. "
                                 "PreflightMissingAllowOriginHeader, AllowOriginMismatch")
        readable = tuple(get("readable", "list of strings", []))
        if readable and expect == "blocked":
            raise self.error(where, "readable", "only makes sense with expect = \"allowed\" "
                                                "(a blocked response is not readable at all)")
        max_severity = (self.choice(table, "max_severity", MAX_SEVERITY, where)
                        if "max_severity" in table else g["max_severity"])
        if max_severity is None and expect == "allowed":
            max_severity = "warning"  # as `check --fail-on error`: an error finding fails
        max_redirects = get("max_redirects", "integer", g["max_redirects"])
        if not 0 <= max_redirects <= 100:
            raise self.error(where, "max_redirects", "must be between 0 and 100")
        expect_status = self.statuses(table, where)
        d = CheckDef(
            position=position,
            name=name or "",
            named=name is not None,
            urls=tuple(urls),
            url_labels=labels,
            origins=self.shared(tuple(origins)),
            method=self.shared(method),
            headers=self.shared(tuple(headers)),
            credentials=get("credentials", "boolean", g["credentials"]),
            body=self.shared(body),
            send_actual=get("send_actual", "boolean"),
            expect=expect,
            expect_error=expect_error,
            readable=self.shared(readable),
            max_severity=max_severity,
            tags=self.shared(tuple(get("tags", "list of strings", []))),
            browser=self.choice(table, "browser", BROWSERS, where) if "browser" in table
            else g["browser"],
            probe=self.probe_mode(table, where) if "probe" in table else g["probe"],
            max_redirects=max_redirects,
            line=line,
            page_space=(self.choice(table, "page_space", SPACES, where) if "page_space" in table
                        else g["page_space"]),
            target_space=(self.choice(table, "target_space", SPACES, where)
                          if "target_space" in table else None),
            stack=self.stack(table, where) if "stack" in table else g["stack"],
            kind=(self.choice(table, "kind", KINDS, where) if "kind" in table
                  else g["kind"] or "fetch"),
            mode=self.choice(table, "mode", MODES, where) if "mode" in table else g["mode"],
            crossorigin=(self.choice(table, "crossorigin", CROSSORIGINS, where)
                         if "crossorigin" in table else g["crossorigin"]),
            secret_headers=tuple(dict.fromkeys([*g["secret_headers"],
                                                *self.secret_names(table, where)])),
            third_party_cookies=(self.choice(table, "third_party_cookies", THIRD_PARTY, where)
                                 if "third_party_cookies" in table
                                 else g["third_party_cookies"]),
            expect_status=expect_status,
        )
        # fetch()'s own input checks, written once in replay.prepare: the method, the body,
        # each header (a config says what a page's fetch() is given, so the same rules apply).
        # The URLs and origins are checked above; the rest once per combination a config
        # repeats.
        key = (d.method, d.headers, d.body, d.credentials, d.browser, d.kind, d.mode,
               d.crossorigin, d.origins[0])
        if key not in self._fetch_ok:
            from .replay import check_kind, prepare

            try:
                spec = _spec(d, d.urls[0], d.origins[0])
                check_kind(spec)
                prepare(spec)
            except UsageError as exc:
                raise self.error(where, exc.field, str(exc)) from None
            self._fetch_ok.add(key)
        return d


_PER_CHECK = frozenset(("name", "url", "urls"))  # what two checks of one shape differ in
_CHECKDEF_FIELDS = tuple(f.name for f in dataclasses.fields(CheckDef))
_VARYING = tuple(_CHECKDEF_FIELDS.index(f) for f in (
    "position", "name", "named", "urls", "url_labels", "line"))


def _frozen(value: object) -> object:
    """A TOML value as a key: tables and arrays as tuples (in order), every value with its
    type (``true`` is not ``1``, ``1`` is not ``1.0``)."""
    if isinstance(value, dict):
        return (dict, tuple((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list):
        return (list, tuple(_frozen(v) for v in value))
    return (type(value), value)


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__
