"""Drive the system Chromium (Debian ``/usr/bin/chromium``) through Playwright + CDP.

One browser per test session; every scenario gets a fresh incognito context
(its own network context, hence its own preflight cache and HTTP cache) and a
fresh page at ``http://app.test:PORT/page``.  The page runs ``fetch()`` and we
collect:

* the JS outcome (resolved or rejected, status, ``[...response.headers.keys()]``);
* CDP ``Network.loadingFailed`` for the fetch (``corsErrorStatus`` and ``errorText``);
* the console: CDP ``Log.entryAdded`` (the CORS message arrives there with
  ``source=javascript, category=cors``; Playwright's ``page.on("console")``
  sees the same text because it is built from the same event) plus
  ``Runtime.consoleAPICalled``;
* CDP ``Audits.issueAdded`` CORS issues (warnings included).

Never call ``playwright install``: the browser is the Debian one.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    # Realistic origins on loopback; every other name fails to resolve, so the
    # browser can never reach outside 127.0.0.0/8 (the EXCLUDEs keep the loopback literals
    # and localhost, which MAP * would otherwise catch: the mixed-content exemptions).
    "--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, "
    "EXCLUDE localhost",
]

FETCH_JS = """
async ([url, init]) => {
  const opts = {method: init.method, headers: init.headers, credentials: init.credentials};
  if (init.body !== null) opts.body = init.body;
  let r;
  const times = init.repeat || 1;  // >1: the same fetch again (the preflight cache at work)
  for (let i = 0; i < times; i++) {
    try {
      r = await fetch(url, opts);
    } catch (e) {
      return {ok: false, error: String(e)};
    }
    if (i + 1 < times) await r.text();
  }
  let body = null, bodyError = null;
  try { body = (await r.text()).slice(0, 500); } catch (e) { bodyError = String(e); }
  return {ok: true, status: r.status, type: r.type, url: r.url, redirected: r.redirected,
          headers: [...r.headers.keys()], body, bodyError};
}
"""


# Every other kind of cross-origin request (``kind`` other than fetch, or a fetch with a
# ``mode``): the page loads ``url`` as that kind would and reports what it could observe.
# ``ok``: the load succeeded (img.onload, FontFace.load() resolved, script.onload,
# EventSource.onopen, xhr.onload, a fetch resolved); ``opaque``: it loaded, but the page cannot
# read it (a no-cors response: r.type "opaque", a canvas tainted by the image, cssRules refused);
# a beacon's outcome is not visible to the page (sendBeacon returns whether it was queued).
KIND_JS = """
async ([url, init]) => {
  const kind = init.kind, co = init.crossorigin;
  const attr = (el) => { if (co && co !== "none") el.crossOrigin = co; };
  const done = (el) => new Promise((res) => {
    el.onload = () => res(true); el.onerror = () => res(false); });
  if (kind === "fetch") {
    const opts = {method: init.method, headers: init.headers, mode: init.mode,
                  credentials: init.credentials};
    if (init.body !== null) opts.body = init.body;
    let r;
    try { r = await fetch(url, opts); } catch (e) { return {ok: false, error: String(e)}; }
    let body = null, bodyError = null;
    try { body = (await r.text()).slice(0, 500); } catch (e) { bodyError = String(e); }
    return {ok: true, status: r.status, type: r.type, opaque: r.type === "opaque",
            headers: [...r.headers.keys()], body, bodyError};
  }
  if (kind === "xhr") {
    return await new Promise((res) => {
      const x = new XMLHttpRequest();
      x.open(init.method, url);
      x.withCredentials = init.credentials === "include";
      for (const [k, v] of init.headers) x.setRequestHeader(k, v);
      x.onload = () => res({ok: true, status: x.status, opaque: false,
        headers: x.getAllResponseHeaders().trim().split(/\\r?\\n/).filter(Boolean)
                  .map((l) => l.split(":")[0].trim().toLowerCase())});
      x.onerror = () => res({ok: false, error: "xhr error, status " + x.status});
      x.send(init.body);
    });
  }
  if (kind === "eventsource") {
    return await new Promise((res) => {
      const es = new EventSource(url, {withCredentials: init.credentials === "include"});
      es.onopen = () => { es.close(); res({ok: true, opaque: false}); };
      es.onerror = () => { const st = es.readyState; es.close();
        res({ok: false, error: "EventSource error, readyState " + st}); };
    });
  }
  if (kind === "img") {
    const img = new Image(); attr(img); const p = done(img); img.src = url;
    if (!(await p)) return {ok: false, error: "img.onerror"};
    const c = document.createElement("canvas"); c.width = 1; c.height = 1;
    const g = c.getContext("2d"); g.drawImage(img, 0, 0);
    try { g.getImageData(0, 0, 1, 1); return {ok: true, opaque: false}; }
    catch (e) { return {ok: true, opaque: true, error: String(e)}; }
  }
  if (kind === "font") {
    try { await new FontFace("probe", "url(" + url + ")").load(); return {ok: true, opaque: false}; }
    catch (e) { return {ok: false, error: String(e)}; }
  }
  if (kind === "script" || kind === "module") {
    window.__ran = false;
    const s = document.createElement("script"); attr(s);
    if (kind === "module") s.type = "module";
    const p = done(s); s.src = url; document.head.appendChild(s);
    const ok = await p;
    return ok ? {ok: true, opaque: co === "none" && kind === "script", ran: window.__ran}
              : {ok: false, error: kind + " onerror", ran: window.__ran};
  }
  if (kind === "stylesheet") {
    const l = document.createElement("link"); l.rel = "stylesheet"; attr(l);
    const p = done(l); l.href = url; document.head.appendChild(l);
    if (!(await p)) return {ok: false, error: "link.onerror"};
    try { l.sheet.cssRules; return {ok: true, opaque: false}; }
    catch (e) { return {ok: true, opaque: true, error: String(e)}; }
  }
  if (kind === "beacon") {
    const data = init.body === null ? null :
      (init.beacon_type ? new Blob([init.body], {type: init.beacon_type}) : init.body);
    let queued;
    try { queued = navigator.sendBeacon(url, data); }
    catch (e) { return {ok: false, error: String(e), beacon: true}; }
    return {ok: queued, beacon: true, queued};
  }
  return {ok: false, error: "unknown kind " + kind};
}
"""

# CDP Network.requestWillBeSent type of each kind's request
CDP_TYPES = {
    "fetch": ("Fetch",), "xhr": ("XHR",), "eventsource": ("EventSource",), "img": ("Image",),
    "font": ("Font",), "script": ("Script",), "module": ("Script",),
    "stylesheet": ("Stylesheet",), "beacon": ("Ping",),
}


def page_script(spec: FetchSpec) -> tuple[str, dict[str, Any]]:
    """The page-side function and its ``init`` argument for ``spec``: FETCH_JS for a plain
    fetch(), KIND_JS for every other kind (or a fetch with a mode). Every driver runs these,
    so the three engines load each kind the same way."""
    init: dict[str, Any] = {
        "method": spec.method,
        "headers": [list(h) for h in spec.headers],
        "credentials": "include" if spec.credentials else "same-origin",
        "body": spec.body,
        "repeat": spec.repeat,
    }
    if spec.kind != "fetch" or spec.mode is not None:
        init.update(kind=spec.kind, mode=spec.mode or "cors",
                    crossorigin=spec.crossorigin, beacon_type=spec.beacon_type)
        return KIND_JS, init
    return FETCH_JS, init


def lna_args(overrides: dict[str, str]) -> tuple[str, ...]:
    """The switch that makes headless Chromium count the server's ports as public / private
    addresses (Local Network Access): IP:PORT=space, comma-separated."""
    pairs = [f"{ap}={space}" for space, aps in overrides.items() for ap in aps.split(",")]
    return (f"--ip-address-space-overrides={','.join(pairs)}",) if pairs else ()


class ChromiumUnavailable(RuntimeError):
    pass


# One Playwright driver per test process: a second sync_playwright() while the first runs
# fails ("using Playwright Sync API inside the asyncio loop"), and the browser suite and the
# stacks suite each keep a Chromium for the whole session.
_DRIVER: dict[str, Any] = {"playwright": None, "users": 0}


def _driver() -> Any:
    from playwright.sync_api import sync_playwright

    if _DRIVER["playwright"] is None:
        _DRIVER["playwright"] = sync_playwright().start()
    _DRIVER["users"] += 1
    return _DRIVER["playwright"]


def _release() -> None:
    _DRIVER["users"] -= 1
    if _DRIVER["users"] <= 0 and _DRIVER["playwright"] is not None:
        _DRIVER["playwright"].stop()
        _DRIVER["playwright"], _DRIVER["users"] = None, 0


@dataclass(frozen=True)
class FetchSpec:
    page_url: str  # the initiator page, e.g. http://app.test:PORT/page
    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False  # True -> credentials: 'include'
    body: str | None = None
    repeat: int = 1  # run the same fetch this many times in a row (preflight cache tests)
    kind: str = "fetch"  # fetch | xhr | eventsource | img | font | script | module | ...
    mode: str | None = None  # fetch's mode, when the scenario sets one
    crossorigin: str = "none"  # the element's crossorigin attribute (none: absent)
    beacon_type: str | None = None  # sendBeacon: the body is a Blob of this type


@dataclass
class BrowserResult:
    allowed: bool
    cors_error: str | None
    failed_parameter: str | None
    net_error: str | None
    status: int | None
    readable_headers: list[str]
    console: list[str]
    cors_console: str | None  # the "Access to fetch at ..." line, if any
    js_error: str | None = None
    response_url: str | None = None
    redirected: bool | None = None
    issues: list[dict[str, Any]] = field(default_factory=list)
    cdp_requests: list[dict[str, Any]] = field(default_factory=list)
    elapsed: float = 0.0
    # Set-Cookie lines the engine refused, per response (Chromium: CDP
    # Network.responseReceivedExtraInfo blockedCookies): [{"name", "reasons"}]
    blocked_cookies: list[dict[str, Any]] = field(default_factory=list)
    # the engine's cookie store after the fetch (Chromium: CDP Storage.getCookies):
    # [{"name", "domain", "path", "partitioned"}]; None where the driver cannot read it
    stored_cookies: list[dict[str, Any]] | None = None
    blocked_reason: str | None = None  # CDP loadingFailed.blockedReason (e.g. mixed-content)
    opaque: bool | None = None  # loaded, but unreadable by the page (no-cors)
    mode_console: str | None = None  # fetch's "Request mode is "same-origin" ..." line
    mixed_console: str | None = None  # the "Mixed Content: ..." line, if any

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Chromium:
    """One headless Chromium; ``run()`` performs one fetch in a fresh context."""

    def __init__(self, executable: str = CHROMIUM, headless: bool = True,
                 extra_args: tuple[str, ...] = (), third_party_cookies: str = "block") -> None:
        """``third_party_cookies="allow"``: a persistent (not off-the-record) profile whose
        Preferences set ``profile.cookie_controls_mode`` 0, shipping Chrome's "Allow
        third-party cookies"; a fresh profile of this build, like every Playwright
        ``new_context`` (off the record), blocks them (``UserPreferences``). That profile is
        one context for every run: its cookies are cleared before each."""
        self.executable = executable
        self.headless = headless
        self.extra_args = extra_args
        self.third_party_cookies = third_party_cookies
        self._pw = None
        self.browser = None
        self._persistent: Any = None
        self._profile: str | None = None
        self.version = None

    def start(self) -> Chromium:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError as exc:  # pragma: no cover - environment problem
            raise ChromiumUnavailable(f"the playwright package is not importable: {exc}") from exc
        try:
            self._pw = _driver()
            if self.third_party_cookies == "allow":
                self._persistent = self._launch_allowing_third_party_cookies()
                self.version = self._persistent.browser.version \
                    if self._persistent.browser is not None else "persistent profile"
                return self
            self.browser = self._pw.chromium.launch(
                executable_path=self.executable, headless=self.headless,
                args=[*CHROMIUM_ARGS, *self.extra_args]
            )
        except Exception as exc:
            self.close()
            raise ChromiumUnavailable(
                f"could not launch Chromium at {self.executable} (Debian package 'chromium'; "
                f"do not run 'playwright install'): {exc}"
            ) from exc
        self.version = self.browser.version
        return self

    def _launch_allowing_third_party_cookies(self) -> Any:
        import os
        import tempfile

        self._profile = tempfile.mkdtemp(prefix="corsprobe-chromium-3pc-")
        os.makedirs(f"{self._profile}/Default")
        with open(f"{self._profile}/Default/Preferences", "w") as fh:
            json.dump({"profile": {"cookie_controls_mode": 0,
                                   "block_third_party_cookies": False}}, fh)
        return self._pw.chromium.launch_persistent_context(
            self._profile, executable_path=self.executable, headless=self.headless,
            args=[*CHROMIUM_ARGS, *self.extra_args], ignore_https_errors=True)

    def close(self) -> None:
        try:
            if self.browser is not None:
                self.browser.close()
            if self._persistent is not None:
                self._persistent.close()
        finally:
            self.browser = None
            self._persistent = None
            if self._profile is not None:
                import shutil

                shutil.rmtree(self._profile, ignore_errors=True)
                self._profile = None
            if self._pw is not None:
                self._pw = None
                _release()

    def __enter__(self) -> Chromium:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------
    def run(self, spec: FetchSpec, timeout: float = 15.0) -> BrowserResult:
        assert self.browser is not None or self._persistent is not None, "Chromium.start() first"
        t0 = time.monotonic()
        if self._persistent is not None:
            ctx = self._persistent
            ctx.clear_cookies()
        else:  # the scenario server's https page has a self-signed certificate
            ctx = self.browser.new_context(ignore_https_errors=True)
        page = None
        try:
            page = ctx.new_page()
            events: list[tuple[str, dict]] = []
            cdp = ctx.new_cdp_session(page)
            for name in (
                "Network.requestWillBeSent",
                "Network.responseReceived",
                "Network.loadingFailed",
                "Network.loadingFinished",
                "Network.responseReceivedExtraInfo",
                "Log.entryAdded",
                "Runtime.consoleAPICalled",
                "Audits.issueAdded",
            ):
                cdp.on(name, (lambda n: lambda params: events.append((n, params)))(name))
            for domain in ("Network", "Log", "Runtime", "Audits"):
                cdp.send(f"{domain}.enable")
            page.goto(spec.page_url, timeout=timeout * 1000)
            source, init = page_script(spec)
            js = page.evaluate(source, [spec.url, init])
            self._types = CDP_TYPES.get(spec.kind, ("Fetch",))
            self._settle(page, events, spec.url, js["ok"], deadline=time.monotonic() + 3.0)
            result = self._summarise(spec, js, events)
            if spec.kind == "beacon":  # the page cannot tell: the network's verdict
                result.allowed = result.allowed and not result.cors_error and \
                    not result.cors_console and not result.net_error
            result.blocked_cookies = [
                {"name": b["cookieLine"].split("=", 1)[0].strip(),
                 "reasons": sorted(b.get("blockedReasons") or [])}
                for n, p in events if n == "Network.responseReceivedExtraInfo"
                for b in p.get("blockedCookies") or []
            ]
            result.stored_cookies = self._stored_cookies(ctx, page)
        finally:
            if ctx is not self._persistent:
                ctx.close()
            elif page is not None:
                page.close()
        result.elapsed = round(time.monotonic() - t0, 3)
        return result

    def _stored_cookies(self, ctx: Any, page: Any) -> list[dict[str, Any]] | None:
        """Every cookie in the context's jar, partitioned ones included (CDP)."""
        if self._persistent is not None:  # the default context: no browser session needed
            cookies = ctx.new_cdp_session(page).send("Storage.getCookies", {})["cookies"]
            return sorted(
                ({"name": c["name"], "domain": c["domain"], "path": c["path"],
                  "partitioned": bool(c.get("partitionKey"))} for c in cookies),
                key=lambda c: (c["name"], c["domain"], c["path"]))
        try:
            browser_cdp = self.browser.new_browser_cdp_session()
            try:
                cookies = browser_cdp.send("Storage.getCookies", {
                    "browserContextId": self._context_id(ctx, page)})["cookies"]
            finally:
                browser_cdp.detach()
        except Exception:  # noqa: BLE001 - older builds: the page's own view
            cdp = ctx.new_cdp_session(page)
            cookies = cdp.send("Network.getAllCookies")["cookies"]
        return sorted(
            ({"name": c["name"], "domain": c["domain"], "path": c["path"],
              "partitioned": bool(c.get("partitionKey"))} for c in cookies),
            key=lambda c: (c["name"], c["domain"], c["path"]))

    @staticmethod
    def _context_id(ctx: Any, page: Any) -> str:
        cdp = ctx.new_cdp_session(page)
        return cdp.send("Target.getTargetInfo")["targetInfo"]["browserContextId"]

    # ------------------------------------------------------------------
    _types: tuple[str, ...] = ("Fetch",)

    def _main_request_id(self, events: list[tuple[str, dict]], url: str) -> str | None:
        for name, p in events:
            if (
                name == "Network.requestWillBeSent"
                and p.get("type") in self._types
                and p["request"]["url"] == url
                and "redirectResponse" not in p
            ):
                return p["requestId"]
        return None

    def _settle(
        self, page: Any, events: list[tuple[str, dict]], url: str, ok: bool, deadline: float
    ) -> None:
        """Pump Playwright's event loop until the fetch's final CDP events are in."""
        grace_until = None
        while time.monotonic() < deadline:
            rid = self._main_request_id(events, url)
            finished = failed = None
            for name, p in events:
                if rid is not None and p.get("requestId") == rid:
                    if name == "Network.loadingFinished":
                        finished = p
                    elif name == "Network.loadingFailed":
                        failed = p
            done = finished is not None or failed is not None
            if done and failed is not None and failed.get("blockedReason") == "mixed-content":
                done = any(
                    n == "Log.entryAdded" and p["entry"]["text"].startswith("Mixed Content:")
                    for n, p in events
                )
            if done and failed is not None and failed.get("corsErrorStatus"):
                done = any(
                    n == "Log.entryAdded" and p["entry"]["text"].startswith("Access to ")
                    for n, p in events
                )
            if done:
                if grace_until is None:
                    grace_until = time.monotonic() + 0.15  # late warnings / issues
                elif time.monotonic() >= grace_until:
                    return
            page.wait_for_timeout(20)

    def _summarise(
        self, spec: FetchSpec, js: dict, events: list[tuple[str, dict]]
    ) -> BrowserResult:
        rid = self._main_request_id(events, spec.url)
        failed = next(
            (p for n, p in events if n == "Network.loadingFailed" and p.get("requestId") == rid),
            None,
        )
        cors = (failed or {}).get("corsErrorStatus") or {}
        console: list[str] = []
        for n, p in events:
            if n == "Log.entryAdded":
                console.append(p["entry"]["text"])
            elif n == "Runtime.consoleAPICalled":
                console.append(
                    " ".join(
                        str(a.get("value", a.get("description", ""))) for a in p.get("args", [])
                    )
                )
        cors_console = next(
            (c for c in console if c.startswith("Access to ") and " at '" in c), None)
        issues = []
        for n, p in events:
            if n == "Audits.issueAdded":
                issue = p["issue"]
                details = issue.get("details", {})
                cid = details.get("corsIssueDetails")
                if cid is not None:
                    issues.append(
                        {
                            "code": issue["code"],
                            "isWarning": cid.get("isWarning"),
                            "corsErrorStatus": cid.get("corsErrorStatus"),
                            "url": cid.get("request", {}).get("url"),
                        }
                    )
                else:
                    issues.append({"code": issue["code"], "details": details})
        cdp_requests = []
        for n, p in events:
            if (
                n == "Network.requestWillBeSent"
                and p["request"]["url"].startswith("http")
                and p["request"]["url"] != spec.page_url
            ):
                cdp_requests.append(
                    {
                        "type": p.get("type"),
                        "method": p["request"]["method"],
                        "url": p["request"]["url"],
                        "redirect_status": (p.get("redirectResponse") or {}).get("status"),
                        "main": p["requestId"] == rid,
                    }
                )
        return BrowserResult(
            allowed=bool(js["ok"]),
            cors_error=cors.get("corsError"),
            failed_parameter=cors.get("failedParameter") if cors else None,
            net_error=(failed or {}).get("errorText"),
            status=js.get("status"),
            readable_headers=sorted(js.get("headers") or []) if js["ok"] else [],
            console=console,
            cors_console=cors_console,
            js_error=js.get("error"),
            response_url=js.get("url"),
            redirected=js.get("redirected"),
            issues=issues,
            cdp_requests=cdp_requests,
            blocked_reason=(failed or {}).get("blockedReason"),
            mixed_console=next((c for c in console if c.startswith("Mixed Content:")), None),
            opaque=js.get("opaque"),
            mode_console=next((c for c in console if c.startswith("Fetch API cannot load")
                               and "Request mode is" in c), None),
        )


# ----------------------------------------------------------------------
# glue: one scenario, Chromium side, with the server's view of it


def new_nonce() -> str:
    import secrets

    return secrets.token_hex(6)


def trace_of(records: list, origin_placeholder: bool = False) -> list[dict[str, Any]]:
    """The server's view of one run: every request, in arrival order (compact)."""
    out = []
    for rec in records:
        parts = rec.path.split("/", 3)
        out.append(
            {
                "method": rec.method,
                "host": rec.host,
                "hop": "/" + parts[3] if len(parts) >= 4 else rec.path,
                "preflight": rec.is_preflight,
                "origin": rec.header("origin"),
                "acrm": rec.header("access-control-request-method"),
                "acrh": rec.header("access-control-request-headers"),
            }
        )
    return out


def spec_for(sc: Any, port: int, nonce: str, repeat: int = 1) -> FetchSpec:
    """The FetchSpec of scenario ``sc`` (its kind, mode and crossorigin included)."""
    from .scenarios import fetch_url_for, page_url_for

    return FetchSpec(
        page_url=page_url_for(sc, port),
        url=fetch_url_for(sc, port, nonce),
        method=sc.method,
        headers=tuple(sc.headers),
        credentials=sc.credentials,
        body=sc.body,
        repeat=repeat,
        kind=getattr(sc, "kind", "fetch"),
        mode=getattr(sc, "mode", None),
        crossorigin=getattr(sc, "crossorigin", "none"),
        beacon_type=getattr(sc, "beacon_type", None),
    )


def observe(
    chromium: Any, server: Any, sc: Any, nonce: str | None = None, repeat: int = 1
) -> dict[str, Any]:
    """Run scenario ``sc`` in Chromium; return Chromium's observations + the server log."""
    nonce = nonce or new_nonce()
    port = server.port
    if sc.page == "app80" and 80 in server.unavailable_ports:
        raise RuntimeError(
            f"scenario {sc.name} needs 127.0.0.1:80 for the page origin "
            f"http://app.test, which could not be bound: "
            f"{server.unavailable_ports[80]}"
        )
    spec = spec_for(sc, port, nonce, repeat)
    res = chromium.run(spec)
    time.sleep(0.05)  # let the server threads finish logging
    records = server.requests_for(nonce)
    trace = trace_of(records)
    preflights = [t for t in trace if t["preflight"]]
    return {
        "nonce": nonce,
        "url": spec.url,
        "origin": spec.page_url.rsplit("/", 1)[0],
        "allowed": res.allowed,
        "cors_error": res.cors_error,
        "failed_parameter": res.failed_parameter,
        "net_error": res.net_error,
        "status": res.status,
        "readable_headers": res.readable_headers,
        "cors_console": res.cors_console,
        "blocked_reason": res.blocked_reason,
        "opaque": res.opaque,
        "mode_console": res.mode_console,
        "mixed_console": res.mixed_console,
        "console": res.console,
        "js_error": res.js_error,
        "response_url": res.response_url,
        "preflight_sent": bool(preflights),
        "preflights": [
            {
                "host": p["host"],
                "hop": p["hop"],
                "origin": p["origin"],
                "acrm": p["acrm"],
                "acrh": p["acrh"],
            }
            for p in preflights
        ],
        "trace": trace,
        "requests": [rec.as_dict() for rec in records],
        "issues": res.issues,
        "cdp_requests": res.cdp_requests,
        "elapsed": res.elapsed,
        "blocked_cookies": res.blocked_cookies,
        "stored_cookies": res.stored_cookies,
    }
