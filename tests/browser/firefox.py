"""Drive Debian's Firefox ESR over WebDriver BiDi (no geckodriver).

``firefox-esr --headless --remote-debugging-port=PORT --profile DIR`` serves BiDi on
``ws://127.0.0.1:PORT/session``; the ``websockets`` package's synchronous client speaks the
WebSocket, over a TCP socket this module opens to 127.0.0.1 itself (so no proxy settings
from the environment apply and nothing but loopback is ever dialled).  The profile's
``user.js`` points every host name at 127.0.0.1 (``network.dns.forceResolve``), so the
scenario names ``app.test`` / ``api.test`` reach the scenario server and nothing can
leave loopback; DNS-over-HTTPS, captive-portal checks, updates, telemetry and remote
settings are switched off.

One Firefox and one tab per test session.  Each scenario navigates the tab to the
scenario page (a new document), runs the same ``fetch()`` as the Chromium driver
(``script.callFunction``) and collects the console through BiDi ``log.entryAdded``:
Firefox reports its CORS refusal there as a ``javascript`` error entry whose text is
"Cross-Origin Request Blocked: ...".  Preflights and requests are read from the
scenario server's log, as for Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import ExitStack
from typing import Any

from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

from .chromium import BrowserResult, FetchSpec, page_script

FIREFOX = "/usr/bin/firefox-esr"
CORS_PREFIX = "Cross-Origin Request Blocked:"

PREFS = {
    # every name resolves to loopback: the scenario hosts work, nothing else is reachable
    "network.dns.forceResolve": "127.0.0.1",
    "network.trr.mode": 5,
    "network.proxy.type": 0,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0,
    "dom.security.https_first": False,
    "dom.security.https_only_mode": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "startup.homepage_welcome_url": "about:blank",
    "browser.newtabpage.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "services.settings.server": "http://127.0.0.1:9/none",
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "messaging-system.rsexperimentloader.enabled": False,
}


def lna_prefs(overrides: dict[str, str]) -> dict[str, Any]:
    """Prefs that make Firefox count the server's ports as public / private addresses (Local
    Network Access), and fail an unanswered permission prompt after 1 s instead of 5 minutes."""
    if not overrides:
        return {}
    return {
        "network.lna.address_space.public.override": overrides["public"],
        "network.lna.address_space.private.override": overrides["private"],
        "network.lna.prompt.timeout": 1000,
    }


class FirefoxUnavailable(RuntimeError):
    pass


class BiDiClosed(RuntimeError):
    """Firefox closed the BiDi WebSocket (it exited or crashed) while a command waited."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _open_bidi(port: int, timeout: float) -> ClientConnection:
    """The BiDi WebSocket on 127.0.0.1:port (OSError or WebSocketException if it is not up)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.settimeout(None)  # websockets' reader thread blocks on it; timeouts are per recv()
    try:
        return connect(
            f"ws://127.0.0.1:{port}/session",
            sock=sock,
            open_timeout=timeout,
            close_timeout=5,
            compression=None,
            max_size=2**26,  # BiDi answers carry console text and fetch results; 64 MiB is ample
        )
    except BaseException:
        sock.close()
        raise


class Firefox:
    """One headless Firefox ESR; ``run()`` performs one fetch in a freshly loaded page."""

    def __init__(self, executable: str = FIREFOX, prefs: dict[str, Any] | None = None) -> None:
        self.executable = executable
        self.prefs = {**PREFS, **(prefs or {})}
        self.proc: subprocess.Popen | None = None
        self.ws: ClientConnection | None = None
        self._ws_stack = ExitStack()
        self.profile: str | None = None
        self.version: str | None = None
        self.context: str | None = None
        self._id = 0
        self._events: list[dict[str, Any]] = []

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> Firefox:
        if not os.path.exists(self.executable):
            raise FirefoxUnavailable(
                f"{self.executable} not found (Debian package 'firefox-esr'; scripts/test "
                "installs it)"
            )
        self.profile = tempfile.mkdtemp(prefix="corsprobe-firefox-")
        with open(os.path.join(self.profile, "user.js"), "w") as fh:
            for k, v in self.prefs.items():
                fh.write(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n")
        port = _free_port()
        self._log = open(os.path.join(self.profile, "firefox.log"), "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [self.executable, "--headless", f"--remote-debugging-port={port}",
             "--profile", self.profile, "--no-remote", "about:blank"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, "MOZ_CRASHREPORTER_DISABLE": "1"},
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                if self.proc.poll() is not None:
                    raise FirefoxUnavailable(f"Firefox exited with {self.proc.returncode}")
                try:
                    # Entered as a context manager, closed by close() through the ExitStack.
                    self.ws = self._ws_stack.enter_context(_open_bidi(port, timeout=30))
                    break
                except (OSError, WebSocketException):
                    if time.monotonic() > deadline:
                        raise FirefoxUnavailable("Firefox's BiDi port did not open in 30 s") from None
                    time.sleep(0.1)
            # acceptInsecureCerts: the https page's self-signed certificate
            caps = self.cmd("session.new", {"capabilities": {"alwaysMatch": {
                "acceptInsecureCerts": True}}})["capabilities"]
            self.version = f"{caps['browserName']} {caps['browserVersion']}"
            self.cmd("session.subscribe", {"events": ["log.entryAdded"]})
            tree = self.cmd("browsingContext.getTree", {"maxDepth": 0})
            self.context = tree["contexts"][0]["context"]
        except Exception as exc:
            self.close()
            if isinstance(exc, FirefoxUnavailable):
                raise
            raise FirefoxUnavailable(f"could not drive Firefox over BiDi: {exc}") from exc
        return self

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.cmd("browser.close", {}, timeout=5)
            except Exception:
                pass
            self.ws = None
            try:
                self._ws_stack.close()  # sends the close frame, waits <= close_timeout
            except Exception:
                pass
        if self.proc is not None:
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self._log.close()
        if self.profile:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None

    def __enter__(self) -> Firefox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- BiDi ----------------------------------------------------------------
    def cmd(self, method: str, params: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
        assert self.ws is not None
        self._id += 1
        mid = self._id
        deadline = time.monotonic() + timeout
        try:
            self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"BiDi {method} got no answer in {timeout}s")
                try:
                    raw = self.ws.recv(left)
                except TimeoutError:
                    raise TimeoutError(f"BiDi {method} got no answer in {timeout}s") from None
                msg = json.loads(raw)
                if msg.get("type") == "event":
                    self._events.append(msg)
                elif msg.get("id") == mid:
                    if msg.get("type") == "error":
                        raise RuntimeError(
                            f"BiDi {method}: {msg.get('error')}: {msg.get('message')}"
                        )
                    return msg["result"]
        except ConnectionClosed as exc:
            raise BiDiClosed(f"BiDi {method}: Firefox closed the WebSocket ({exc})") from None

    def _pump(self, seconds: float) -> None:
        assert self.ws is not None
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = json.loads(self.ws.recv(left))
            except TimeoutError:
                return
            except ConnectionClosed as exc:
                raise BiDiClosed(f"Firefox closed the BiDi WebSocket ({exc})") from None
            if msg.get("type") == "event":
                self._events.append(msg)

    # -- one fetch -----------------------------------------------------------
    def run(self, spec: FetchSpec, timeout: float = 15.0) -> BrowserResult:
        t0 = time.monotonic()
        self.cmd(
            "browsingContext.navigate",
            {"context": self.context, "url": spec.page_url, "wait": "complete"},
            timeout,
        )
        self._events = []
        source, init = page_script(spec)
        answer = self.cmd(
            "script.callFunction",
            {
                "functionDeclaration": source,
                "arguments": [{"type": "array", "value": [
                    {"type": "string", "value": spec.url}, _to_remote(init)]}],
                "target": {"context": self.context},
                "awaitPromise": True,
            },
            timeout,
        )
        if answer.get("type") == "exception":
            raise RuntimeError(f"fetch script failed: {answer['exceptionDetails']['text']}")
        js = _from_remote(answer["result"])
        # The CORS console line may arrive a moment after fetch() settles. A beacon settles
        # before it is even sent (sendBeacon() only queues it): its verdict is the network's,
        # which the page is never told, so wait for the CORS line a while either way.
        beacon = spec.kind == "beacon"
        wait = 1.0 if beacon else (1.5 if not js["ok"] else 0.15)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and not (
            (beacon or not js["ok"]) and any(_cors_line(e) for e in self._events)
        ):
            self._pump(0.05)
        if not js["ok"] or beacon:
            self._pump(0.1 if spec.kind in ("font", "module") else 0.05)
        console = [e["params"].get("text", "") for e in self._events
                   if e.get("method") == "log.entryAdded"]
        cors_console = next((c for c in console if c.startswith(CORS_PREFIX)), None)
        res = BrowserResult(
            allowed=bool(js["ok"]),
            cors_error=None,
            failed_parameter=None,
            net_error=None,
            status=js.get("status"),
            readable_headers=sorted(js.get("headers") or []) if js["ok"] else [],
            console=console,
            cors_console=cors_console,
            js_error=js.get("error"),
            response_url=js.get("url"),
            redirected=js.get("redirected"),
            opaque=js.get("opaque"),
        )
        if beacon:  # the page cannot tell: the network's verdict, from the console
            res.allowed = res.allowed and cors_console is None
        res.elapsed = round(time.monotonic() - t0, 3)
        return res


def _cors_line(event: dict[str, Any]) -> bool:
    return event.get("method") == "log.entryAdded" and str(
        event["params"].get("text", "")
    ).startswith(CORS_PREFIX)


def _to_remote(value: Any) -> dict[str, Any]:
    """A Python value as a BiDi LocalValue."""
    if value is None:
        return {"type": "null"}
    if isinstance(value, bool):
        return {"type": "boolean", "value": value}
    if isinstance(value, (int, float)):
        return {"type": "number", "value": value}
    if isinstance(value, str):
        return {"type": "string", "value": value}
    if isinstance(value, (list, tuple)):
        return {"type": "array", "value": [_to_remote(v) for v in value]}
    if isinstance(value, dict):
        return {"type": "object", "value": [[k, _to_remote(v)] for k, v in value.items()]}
    raise TypeError(type(value))


def _from_remote(value: dict[str, Any]) -> Any:
    """A BiDi RemoteValue (serialized) as a Python value."""
    kind = value["type"]
    if kind in ("undefined", "null"):
        return None
    if kind in ("string", "boolean", "number"):
        return value["value"]
    if kind == "array":
        return [_from_remote(v) for v in value.get("value", [])]
    if kind == "object":
        return {k if isinstance(k, str) else _from_remote(k): _from_remote(v)
                for k, v in value.get("value", [])}
    return f"<{kind}>"
