"""Real vulnerable and safe CORS policies on loopback, and a way to run `corsprobe scan`.

Raw hand-written policies come from :mod:`tests.scan.servers` on one ScenarioServer; the
framework policies are the real apps of tests/frameworks (flask-cors, Starlette,
django-cors-headers), started as subprocesses on ephemeral ports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.scenario_server import ScenarioServer
from tests.frameworks.servers import ServerPool, ServerStartError

from .servers import APP, HANDLERS

ROOT = Path(__file__).resolve().parents[2]
COOKIE = "session=sc4n-cookie-9f2e7d"
FRAMEWORKS = {
    "flask-regex-prefix": ("flask", "regex_prefix"),  # origins=[r"https://.*\.example\.com"]
    "starlette-regex": ("fastapi", "unanchored_regex"),  # allow_origin_regex="https://.*.example.com"
    "starlette-star-credentials": ("fastapi", "star_credentials"),  # ["*"] + credentials
    "django-regex-prefix": ("django", "regex_prefix"),  # CORS_ALLOWED_ORIGIN_REGEXES, no "$"
    "django-allow-all": ("django", "allow_all_credentials"),  # ALLOW_ALL + ALLOW_CREDENTIALS
    "flask-exact": ("flask", "correct"),
    "django-exact": ("django", "correct"),
    "starlette-exact": ("fastapi", "correct"),
    "flask-star": ("flask", "default_star"),  # CORS(app): *, no credentials
}
RAW = tuple(HANDLERS)


@dataclass
class Ran:
    code: int
    out: str
    err: str
    seconds: float

    def json(self) -> dict:
        return json.loads(self.out)


def run_scan(*args: str, cwd: Path | None = None, timeout: float = 120) -> Ran:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    started = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "corsprobe", "scan", *args], cwd=cwd or ROOT,
                       capture_output=True, text=True, timeout=timeout, env=env)
    return Ran(p.returncode, p.stdout, p.stderr, time.perf_counter() - started)


@pytest.fixture(scope="session")
def raw():
    with ScenarioServer(HANDLERS) as s:
        yield s


@pytest.fixture(scope="session")
def frameworks(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("scan-framework-servers"))
    pool.prestart(FRAMEWORKS.values())
    try:
        yield pool
    finally:
        pool.close()


@pytest.fixture(scope="session")
def urls(raw, frameworks) -> dict[str, str]:
    """Policy name -> URL to scan."""
    out = {name: f"http://127.0.0.1:{raw.port}/s/{name}/me" for name in RAW if name != "landing"}
    for name, key in FRAMEWORKS.items():
        try:
            out[name] = frameworks.url(*key) + "/api/users"
        except ServerStartError as exc:
            pytest.fail(str(exc), pytrace=False)
    return out


@pytest.fixture(scope="session")
def scanned(urls, tmp_path_factory) -> dict[str, dict]:
    """One concurrent scan of every policy (-i FILE, JSON): policy name -> its result."""
    listing = tmp_path_factory.mktemp("scan") / "urls.txt"
    listing.write_text("# every test policy\n" + "\n".join(urls.values()) + "\n")
    ran = run_scan("-i", str(listing), "--origin", APP, "--credentials", "-H", f"Cookie: {COOKIE}",
                   "--format", "json")
    assert ran.code == 1, ran.err
    doc = ran.json()
    assert doc["schema"] == "corsprobe/scan/v1"
    by_url = {r["url"]: r for r in doc["results"]}
    assert len(by_url) == len(urls)
    return {name: by_url[url] for name, url in urls.items()}
