"""Start/stop the real framework test servers (see apps/serve.py).

Usable without pytest::

    with ServerPool() as pool:
        base = pool.url("flask", "correct")   # "http://127.0.0.1:PORT"

Each server is a subprocess that binds an ephemeral port itself and prints it,
so there is no pick-a-free-port race.  ``url`` starts the server on first use,
waits until it answers HTTP and caches it by (framework, variant); ``close``
stops every server (SIGTERM, then SIGKILL).  Startup failures raise
ServerStartError with the server's output, and are cached so later callers
fail at once.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

APPS_DIR = Path(__file__).resolve().parent / "apps"
SERVE = APPS_DIR / "serve.py"
STARTUP_TIMEOUT = 30.0
POLL = 0.05
_ADDR = re.compile(
    rb"(?:corsprobe test server listening on|Starting development server at) "
    rb"http://127\.0\.0\.1:(\d+)/"
)

sys.path.insert(0, str(APPS_DIR))
try:
    from variants import VARIANTS, check  # noqa: E402
finally:
    sys.path.remove(str(APPS_DIR))


class ServerStartError(RuntimeError):
    pass


class Server:
    def __init__(self, framework: str, variant: str, log_dir: Path):
        self.framework, self.variant = framework, variant
        self.log_path = log_dir / f"{framework}-{variant}.log"
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def launch(self) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
        env.pop("DJANGO_SETTINGS_MODULE", None)
        with open(self.log_path, "wb") as log:  # a file, never a pipe: no blocking on full buffers
            self.proc = subprocess.Popen(
                [sys.executable, str(SERVE), self.framework, self.variant, "0"],
                cwd=APPS_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                self._fail(f"exited with code {self.proc.returncode} before answering")
            if self.port is None:
                m = _ADDR.search(self.log_path.read_bytes())
                if m:
                    self.port = int(m.group(1))
            if self.port is not None:
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
        raise ServerStartError(
            f"{self.framework}/{self.variant} test server {why} "
            f"(port={self.port}, log {self.log_path}). Output:\n{self.output()[-4000:]}"
        )

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


class ServerPool:
    def __init__(self, log_dir: str | Path | None = None):
        self._own_dir = log_dir is None
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="corsprobe-frameworks-"))
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._servers: dict[tuple[str, str], Server] = {}
        self._failed: dict[tuple[str, str], ServerStartError] = {}

    def server(self, framework: str, variant: str) -> Server:
        key = (framework, variant)
        if key in self._failed:
            raise self._failed[key]
        if key not in self._servers:
            self.start(key)
        return self._servers[key]

    def url(self, framework: str, variant: str) -> str:
        return self.server(framework, variant).base_url

    def prestart(self, keys) -> None:
        """Start many servers in parallel; failures are kept for ``url`` to raise."""
        try:
            self.start(*keys)
        except ServerStartError:
            pass

    def start(self, *keys: tuple[str, str]) -> None:
        """Start several servers at once (they import in parallel), wait for all."""
        new = []
        for framework, variant in keys:
            check(framework, variant)
            if (framework, variant) not in self._servers and (
                framework,
                variant,
            ) not in self._failed:
                srv = Server(framework, variant, self.log_dir)
                srv.launch()
                new.append(srv)
        for srv in new:
            key = (srv.framework, srv.variant)
            try:
                srv.wait_ready()
            except ServerStartError as exc:
                srv.stop()
                self._failed[key] = exc
            else:
                self._servers[key] = srv
        for framework, variant in keys:
            if (framework, variant) in self._failed:
                raise self._failed[(framework, variant)]

    def close(self) -> None:
        for srv in self._servers.values():
            srv.stop()
        self._servers.clear()

    def __enter__(self) -> ServerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


ALL_KEYS = tuple((fw, v) for fw, vs in VARIANTS.items() for v in vs)
