"""Drive WebKitGTK (the engine under Safari) through WebKitWebDriver and MiniBrowser.

Debian's ``webkit2gtk-driver`` ships ``/usr/bin/WebKitWebDriver`` (W3C WebDriver over HTTP,
bound to loopback); ``libwebkit2gtk-4.1-0`` ships ``MiniBrowser``, which needs an X display,
so a private ``Xvfb`` runs for the session.  WebKit has no host-resolver switch: the
scenario names resolve through a marked block in ``/etc/hosts`` (:func:`ensure_hosts`),
all pointing at 127.0.0.1.

One WebDriver session for the test session; each scenario navigates to the scenario page
and runs the same ``fetch()`` as the other drivers (``execute/async``).

The console: a WebView created for automation does not honour MiniBrowser's
``--enable-write-console-messages-to-stdout`` and WebKitWebDriver offers no log endpoint,
so WebDriver cannot read WebKit's console.  :class:`WebKitConsole` gets it another way:
one ordinary (non-automation) MiniBrowser, which prints every console message on stderr
("CONSOLE SECURITY ERROR ...", "CONSOLE JS ERROR ..."), runs the scenarios from a runner
page served by the scenario server (``/s/__runner/...``): each page fetches its plan, runs
the fetch, logs the result as one ``console.log`` line and navigates to the next scenario's
page.  So WebKit's own console text is read, not a page-side imitation of it.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from .chromium import FETCH_JS, KIND_JS, BrowserResult, FetchSpec, page_script

WEBDRIVER = "/usr/bin/WebKitWebDriver"
# libwebkit2gtk-4.1-0 installs it under the machine's multiarch directory
MINIBROWSER = next(iter(sorted(glob.glob("/usr/lib/*/webkit2gtk-4.1/MiniBrowser"))),
                   "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")
XVFB = "/usr/bin/Xvfb"
HOSTS_FILE = "/etc/hosts"
HOST_NAMES = ("app.test", "api.test", "other.test", "evil.test", "www.app.test")
HOSTS_BEGIN = "# >>> corsprobe tests/browser (WebKit scenario hosts)"
HOSTS_END = "# <<< corsprobe tests/browser"


class WebKitUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_hosts(path: str = HOSTS_FILE) -> None:
    """Add (idempotently) the marked loopback block for the scenario host names."""
    try:
        with open(path) as fh:
            text = fh.read()
    except OSError as exc:
        raise WebKitUnavailable(f"cannot read {path}: {exc}") from exc
    block = f"{HOSTS_BEGIN}\n127.0.0.1 {' '.join(HOST_NAMES)}\n{HOSTS_END}\n"
    if block in text:
        return
    if HOSTS_BEGIN in text:  # an older block: replace it
        head, _, rest = text.partition(HOSTS_BEGIN)
        _, _, tail = rest.partition(HOSTS_END + "\n")
        text = head + tail
    if text and not text.endswith("\n"):
        text += "\n"
    try:
        with open(path, "w") as fh:
            fh.write(text + block)
    except OSError as exc:
        raise WebKitUnavailable(
            f"WebKit resolves the scenario hosts through {path}, which is not writable "
            f"({exc}); run as root or add: 127.0.0.1 {' '.join(HOST_NAMES)}"
        ) from exc


def hosts_resolve() -> str | None:
    """None when every scenario name resolves to 127.0.0.1; else what is wrong."""
    for name in HOST_NAMES:
        try:
            addr = socket.gethostbyname(name)
        except OSError as exc:
            return f"{name} does not resolve ({exc})"
        if addr != "127.0.0.1":
            return f"{name} resolves to {addr}, not 127.0.0.1"
    return None


class Xvfb:
    """A private X display for MiniBrowser."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.display = ""

    def start(self) -> Xvfb:
        if not os.path.exists(XVFB):
            raise WebKitUnavailable(f"{XVFB} not found (Debian package 'xvfb')")
        for num in range(90, 120):
            if os.path.exists(f"/tmp/.X{num}-lock"):
                continue
            proc = subprocess.Popen(
                [XVFB, f":{num}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and proc.poll() is None:
                if os.path.exists(f"/tmp/.X11-unix/X{num}"):
                    self.proc, self.display = proc, f":{num}"
                    return self
                time.sleep(0.05)
            proc.kill()
            proc.wait()
        raise WebKitUnavailable("Xvfb could not start on any display :90-:119")

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


def _fetch_init(spec: FetchSpec) -> dict[str, Any]:
    return page_script(spec)[1]


def _result(js: dict[str, Any], console: list[str]) -> BrowserResult:
    cors = [c for c in console if "access control" in c.lower() or "Access-Control" in c]
    # a beacon: the page is told only that it was queued; the verdict is the network's, which
    # only the console shows (the WebDriver run has none: the console pass decides)
    blocked_beacon = bool(js.get("beacon")) and bool(cors)
    return BrowserResult(
        allowed=bool(js["ok"]) and not blocked_beacon,
        cors_error=None,
        failed_parameter=None,
        net_error=None,
        status=js.get("status"),
        readable_headers=sorted(js.get("headers") or []) if js["ok"] else [],
        console=console,
        cors_console=cors[0] if cors else None,
        js_error=js.get("error"),
        response_url=js.get("url"),
        redirected=js.get("redirected"),
        opaque=js.get("opaque"),
    )


class WebKit:
    """MiniBrowser under WebKitWebDriver; ``run()`` performs one fetch in a fresh page load."""

    def __init__(self) -> None:
        self.xvfb = Xvfb()
        self.driver: subprocess.Popen | None = None
        self.base = ""
        self.session: str | None = None
        self.version: str | None = None
        self._tmp: str | None = None

    def start(self) -> WebKit:
        for path, pkg in ((WEBDRIVER, "webkit2gtk-driver"), (MINIBROWSER, "libwebkit2gtk-4.1-0")):
            if not os.path.exists(path):
                raise WebKitUnavailable(f"{path} not found (Debian package '{pkg}')")
        ensure_hosts()
        problem = hosts_resolve()
        if problem:
            raise WebKitUnavailable(f"the scenario hosts do not resolve for WebKit: {problem}")
        try:
            self.xvfb.start()
            self._tmp = tempfile.mkdtemp(prefix="corsprobe-webkit-")
            port = _free_port()
            self.base = f"http://127.0.0.1:{port}"
            env = {**os.environ, "DISPLAY": self.xvfb.display, "HOME": self._tmp,
                   "XDG_CACHE_HOME": self._tmp, "XDG_DATA_HOME": self._tmp}
            self._log = open(os.path.join(self._tmp, "webdriver.log"), "w")  # noqa: SIM115
            self.driver = subprocess.Popen(
                [WEBDRIVER, f"--port={port}", "--host=local"],
                stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            )
            deadline = time.monotonic() + 15
            while True:
                try:
                    self._http("GET", "/status", timeout=2)
                    break
                except (OSError, urllib.error.URLError):
                    if time.monotonic() > deadline or self.driver.poll() is not None:
                        raise WebKitUnavailable("WebKitWebDriver did not answer /status") from None
                    time.sleep(0.1)
            caps = {"capabilities": {"alwaysMatch": {
                "webkitgtk:browserOptions": {"binary": MINIBROWSER, "args": ["--automation"]},
                "acceptInsecureCerts": True,  # the https page's self-signed certificate
                "timeouts": {"script": 20000, "pageLoad": 20000},
            }}}
            value = self._http("POST", "/session", caps)
            self.session = value["sessionId"]
            c = value["capabilities"]
            self.version = f"{c['browserName']} (WebKitGTK {c['browserVersion']})"
        except Exception as exc:
            self.close()
            if isinstance(exc, WebKitUnavailable):
                raise
            raise WebKitUnavailable(f"could not start a WebKitWebDriver session: {exc}") from exc
        return self

    def close(self) -> None:
        if self.session is not None:
            try:
                self._http("DELETE", f"/session/{self.session}", timeout=10)
            except Exception:
                pass
            self.session = None
        if self.driver is not None:
            self.driver.terminate()
            try:
                self.driver.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.driver.kill()
                self.driver.wait()
            self.driver = None
            self._log.close()
        self.xvfb.close()
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> WebKit:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _http(self, method: str, path: str, body: Any = None, timeout: float = 30.0) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={"Content-Type": "application/json"},
        )
        # The driver is on loopback: never through a proxy from the environment.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=timeout) as fh:
                return json.loads(fh.read())["value"]
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")[:500]
            raise RuntimeError(f"WebDriver {method} {path}: {exc.code} {detail}") from None

    def run(self, spec: FetchSpec, timeout: float = 15.0) -> BrowserResult:
        t0 = time.monotonic()
        sid = self.session
        self._http("POST", f"/session/{sid}/url", {"url": spec.page_url}, timeout)
        source, init = page_script(spec)
        script = (
            "const done = arguments[arguments.length - 1];"
            f"({source})(arguments[0]).then(done, e => done({{ok: false, "
            "error: 'script: ' + e}));"
        )
        js = self._http(
            "POST", f"/session/{sid}/execute/async",
            {"script": script, "args": [[spec.url, init]]}, timeout,
        )
        if spec.kind == "beacon":
            time.sleep(0.3)  # sendBeacon() only queued it: let it reach the server
        res = _result(js, [])
        res.elapsed = round(time.monotonic() - t0, 3)
        return res


# ----------------------------------------------------------------------
# WebKit's console, from an ordinary MiniBrowser

RUNNER = "__runner"
RUNNER_JS = """
(async () => {
  const i = Number(new URLSearchParams(location.search).get('i'));
  const plan = await (await fetch('/s/__runner/plan?i=' + i)).json();
  if (plan.done) { console.log('CORSPROBE-DONE'); return; }
  const run = plan.init.kind ? KIND_JS : FETCH_JS;
  let js;
  try { js = await run([plan.url, plan.init]); } catch (e) { js = {ok: false, error: String(e)}; }
  // let the network process's console lines reach stderr first
  await new Promise(r => setTimeout(r, plan.init.kind === "beacon" ? 500 : 150));
  console.log('CORSPROBE-RESULT ' + i + ' ' + JSON.stringify(js));
  location.href = plan.next;
})();
""".replace("KIND_JS", KIND_JS.strip()).replace("FETCH_JS", FETCH_JS.strip())


class WebKitConsole:
    """Run a batch of fetches in a plain MiniBrowser and read its console from stderr.

    ``run_batch(server, specs)`` installs the ``__runner`` handler on the scenario server,
    starts MiniBrowser at the first spec's runner page and returns one BrowserResult per
    spec, each with the console lines printed while it ran.
    """

    def __init__(self, xvfb_display: str | None = None) -> None:
        self.display = xvfb_display

    def run_batch(self, server: Any, specs: list[FetchSpec], timeout: float = 300.0) -> list:
        from .scenario_server import Response

        def page_for(i: int) -> str:
            if i >= len(specs):
                return specs[-1].page_url.rsplit("/", 1)[0] + f"/s/{RUNNER}/page?i={i}"
            return specs[i].page_url.rsplit("/", 1)[0] + f"/s/{RUNNER}/page?i={i}"

        def handler(req: Any) -> Response:
            i = int((req.params.get("i") or ["0"])[0])
            if req.rest == "/page":
                html = f"<!doctype html><meta charset=utf-8><script>{RUNNER_JS}</script>"
                return Response(200, [("Content-Type", "text/html")], html.encode())
            if i >= len(specs):
                plan: dict[str, Any] = {"done": True}
            else:
                plan = {"url": specs[i].url, "init": _fetch_init(specs[i]),
                        "next": page_for(i + 1)}
            return Response(200, [("Content-Type", "application/json")], json.dumps(plan).encode())

        server.handlers[RUNNER] = handler
        xvfb = None
        display = self.display
        if display is None:
            xvfb = Xvfb().start()
            display = xvfb.display
        tmp = tempfile.mkdtemp(prefix="corsprobe-webkit-console-")
        env = {**os.environ, "DISPLAY": display, "HOME": tmp, "XDG_CACHE_HOME": tmp,
               "XDG_DATA_HOME": tmp}
        proc = subprocess.Popen(
            [MINIBROWSER, "--enable-write-console-messages-to-stdout=true", "--ignore-tls-errors",
             "--enable-developer-extras=false", page_for(0)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            env=env, text=True, errors="replace",
        )
        lines: list[str] = []
        done = threading.Event()

        def reader() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                lines.append(line.rstrip("\n"))
                if "CORSPROBE-DONE" in line:
                    done.set()
            done.set()

        threading.Thread(target=reader, daemon=True).start()
        try:
            done.wait(timeout)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if xvfb is not None:
                xvfb.close()
            shutil.rmtree(tmp, ignore_errors=True)
            server.handlers.pop(RUNNER, None)
        return _split_console(lines, len(specs))


def _split_console(lines: list[str], n: int) -> list[BrowserResult | None]:
    """Assign the console lines to the scenario that was running when they were printed."""
    out: list[BrowserResult | None] = [None] * n
    pending: list[str] = []
    for line in lines:
        marker = line.find("CORSPROBE-RESULT ")
        if marker >= 0:
            i_text, _, payload = line[marker + len("CORSPROBE-RESULT "):].partition(" ")
            i = int(i_text)
            out[i] = _result(json.loads(payload), pending)
            pending = []
        elif "CONSOLE " in line and "CORSPROBE-" not in line:
            pending.append(line.split("CONSOLE ", 1)[1])
    return out


def console_specs(scenarios: list, port: int) -> tuple[list[FetchSpec], list[str]]:
    """FetchSpecs (each with a new nonce) for a :class:`WebKitConsole` batch, and the nonces."""
    from .chromium import new_nonce, spec_for

    specs, nonces = [], []
    for sc in scenarios:
        nonce = new_nonce()
        nonces.append(nonce)
        specs.append(spec_for(sc, port, nonce))
    return specs, nonces
