"""Start/stop real production layers (nginx, Apache httpd, Caddy, Varnish) in front of the
real framework apps of ``tests/frameworks``.

Usable without pytest::

    with ServerPool() as apps, StackPool(apps) as stacks:
        base = stacks.url("nginx_duplicate")   # "http://127.0.0.1:PORT"

One *case* = one layer process with one config (``configs/<case>.<ext>``) in front of one
(framework, variant) app.  The config is a template: ``@PORT@`` (and ``@PORT2@``) the layer's
listening ports, ``@UPSTREAM@`` the app's port, ``@CLOSED@`` a loopback port that refuses
connections (for the layer's own 502), ``@DIR@`` the case's own directory, which holds the
config, pid file, logs, temp and cache paths.  Each layer runs as a plain foreground child
process (never a system service) on 127.0.0.1, is started on first use, waited for until it
answers HTTP, cached by case name, and stopped at ``close`` (SIGTERM, then SIGKILL).  A
start failure raises StackStartError with the layer's own logs; it is cached so later
callers fail at once.  A missing binary fails the same way, naming the Debian package
(``scripts/test`` installs them).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.frameworks.servers import ServerPool, ServerStartError

CONFIGS = Path(__file__).resolve().parent / "configs"
STARTUP_TIMEOUT = 20.0
POLL = 0.05


@dataclass(frozen=True)
class Layer:
    name: str
    binary: str  # absolute path of the Debian binary
    package: str  # the Debian package that ships it
    config: str  # the config file name inside the case directory
    logs: tuple[str, ...]  # files inside the case directory worth showing on failure


LAYERS = {
    "nginx": Layer("nginx", "/usr/sbin/nginx", "nginx", "nginx.conf", ("error.log", "stdout.log")),
    "apache": Layer("apache", "/usr/sbin/apache2", "apache2", "httpd.conf",
                    ("error.log", "stdout.log")),
    "caddy": Layer("caddy", "/usr/bin/caddy", "caddy", "Caddyfile", ("stdout.log",)),
    "varnish": Layer("varnish", "/usr/sbin/varnishd", "varnish", "default.vcl", ("stdout.log",)),
}
EXT = {"nginx": "conf", "apache": "conf", "caddy": "Caddyfile", "varnish": "vcl"}


@dataclass(frozen=True)
class Case:
    layer: str
    upstream: tuple[str, str]  # (framework, variant) of tests/frameworks
    ports: int = 1  # listening ports of the layer: @PORT@ (and @PORT2@)

    @property
    def config_name(self) -> str:
        return EXT[self.layer]


CASES: dict[str, Case] = {
    # mistakes
    "nginx_duplicate": Case("nginx", ("flask", "correct")),
    "nginx_no_always": Case("nginx", ("flask", "no_cors")),
    "nginx_options": Case("nginx", ("fastapi", "correct")),
    "nginx_nested": Case("nginx", ("flask", "no_cors")),
    "nginx_slash": Case("nginx", ("fastapi", "correct"), ports=2),
    "nginx_cache_novary": Case("nginx", ("flask", "no_expose")),
    "nginx_cache_vary": Case("nginx", ("flask", "correct")),
    "varnish_novary": Case("varnish", ("flask", "no_expose")),
    "varnish_vary": Case("varnish", ("flask", "correct")),
    "apache_duplicate": Case("apache", ("flask", "correct")),
    "apache_no_always": Case("apache", ("flask", "no_cors")),
    "caddy_duplicate": Case("caddy", ("flask", "correct")),
    # correct stacks
    "nginx_correct": Case("nginx", ("fastapi", "correct")),
    "apache_correct": Case("apache", ("fastapi", "correct")),
    "caddy_correct": Case("caddy", ("fastapi", "correct")),
    "varnish_correct": Case("varnish", ("flask", "no_expose")),
}


def config_path(case: str) -> Path:
    return CONFIGS / f"{case}.{EXT[CASES[case].layer]}"


class StackStartError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(layer: Layer, d: Path, ports: list[int]) -> list[str]:
    conf = str(d / layer.config)
    if layer.name == "nginx":
        return [layer.binary, "-e", str(d / "error.log"), "-p", f"{d}/", "-c", conf,
                "-g", "daemon off;"]
    if layer.name == "apache":
        return [layer.binary, "-d", str(d), "-f", conf, "-DFOREGROUND"]
    if layer.name == "caddy":
        return [layer.binary, "run", "--config", conf, "--adapter", "caddyfile"]
    if layer.name == "varnish":
        return [layer.binary, "-F", "-a", f"127.0.0.1:{ports[0]}", "-f", conf,
                "-n", str(d / "varnish"), "-s", "malloc,32m", "-j", "none", "-T", "none"]
    raise AssertionError(layer.name)


class StackServer:
    def __init__(self, name: str, upstream_url: str, closed_port: int, root: Path):
        self.name = name
        self.case = CASES[name]
        self.layer = LAYERS[self.case.layer]
        self.upstream_url = upstream_url
        self.dir = root / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.ports = [free_port() for _ in range(self.case.ports)]
        self.closed_port = closed_port
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    @property
    def url2(self) -> str:
        return f"http://127.0.0.1:{self.ports[1]}"

    def render(self) -> str:
        text = config_path(self.name).read_text()
        subst = {
            "@PORT@": str(self.ports[0]),
            "@PORT2@": str(self.ports[-1]),
            "@UPSTREAM@": self.upstream_url.rsplit(":", 1)[1],
            "@CLOSED@": str(self.closed_port),
            "@DIR@": str(self.dir),
        }
        for k, v in subst.items():
            text = text.replace(k, v)
        return text

    def output(self) -> str:
        parts = []
        for name in self.layer.logs:
            try:
                text = (self.dir / name).read_text(errors="replace")
            except OSError:
                continue
            parts.append(f"--- {name}\n{text[-3000:]}")
        return "\n".join(parts)

    def launch(self) -> None:
        if not os.access(self.layer.binary, os.X_OK):
            raise StackStartError(
                f"{self.name}: {self.layer.binary} is missing: install the Debian package "
                f"{self.layer.package!r} (scripts/test does, with no system service started)"
            )
        (self.dir / self.layer.config).write_text(self.render())
        env = dict(os.environ, HOME=str(self.dir), XDG_DATA_HOME=str(self.dir / "data"),
                   XDG_CONFIG_HOME=str(self.dir / "config"))
        with open(self.dir / "stdout.log", "wb") as log:
            self.proc = subprocess.Popen(
                command(self.layer, self.dir, self.ports), cwd=self.dir, env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                self._fail(f"exited with code {self.proc.returncode} before answering")
            try:
                httpx.get(self.base_url + "/", timeout=2.0)  # any HTTP answer will do
                return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                self._fail(f"did not answer within {timeout:.0f}s")
            time.sleep(POLL)

    def _fail(self, why: str) -> None:
        raise StackStartError(
            f"{self.name} ({self.layer.name} in front of {self.upstream_url}) {why}; "
            f"command {' '.join(command(self.layer, self.dir, self.ports))}\n{self.output()}"
        )

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:  # the whole process group: nginx/apache/varnish fork workers
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        try:  # children left behind by a parent that exited first
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class StackPool:
    def __init__(self, apps: ServerPool, root: str | Path | None = None):
        self.apps = apps
        self.root = Path(root or tempfile.mkdtemp(prefix="corsprobe-stacks-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self._servers: dict[str, StackServer] = {}
        self._failed: dict[str, Exception] = {}
        # bound, never listening: connections to it are refused (the layers' own 502)
        self._closed = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._closed.bind(("127.0.0.1", 0))
        self.closed_port = self._closed.getsockname()[1]

    def server(self, name: str) -> StackServer:
        if name not in CASES:
            raise ValueError(f"unknown stack case {name!r}; known: {', '.join(CASES)}")
        if name in self._failed:
            raise self._failed[name]
        if name not in self._servers:
            try:
                self.start(name)
            except (StackStartError, ServerStartError) as exc:
                self._failed[name] = exc
                raise
        return self._servers[name]

    def url(self, name: str) -> str:
        return self.server(name).base_url

    def start(self, *names: str) -> None:
        """Start several cases at once (their apps first, in parallel), wait for all."""
        names = tuple(n for n in names if n not in self._servers and n not in self._failed)
        self.apps.prestart({CASES[n].upstream for n in names})
        new = []
        for n in names:
            try:
                srv = StackServer(n, self.apps.url(*CASES[n].upstream), self.closed_port,
                                  self.root)
                srv.launch()
            except (StackStartError, ServerStartError) as exc:
                self._failed[n] = exc
                continue
            new.append(srv)
        for srv in new:
            try:
                srv.wait_ready()
            except StackStartError as exc:
                srv.stop()
                self._failed[srv.name] = exc
            else:
                self._servers[srv.name] = srv

    def prestart(self, names) -> None:
        self.start(*names)

    def close(self) -> None:
        for srv in self._servers.values():
            srv.stop()
        self._servers.clear()
        self._closed.close()

    def __enter__(self) -> StackPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def versions() -> dict[str, str]:
    """The version line of each layer binary (as the README table records them)."""
    out = {}
    for cmd in (["/usr/sbin/nginx", "-v"], ["/usr/sbin/apache2", "-v"],
                ["/usr/bin/caddy", "version"], ["/usr/sbin/varnishd", "-V"]):
        if shutil.which(cmd[0]) is None:
            out[cmd[0]] = "missing"
            continue
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        out[cmd[0]] = (r.stdout + r.stderr).strip().splitlines()[0]
    return out
