"""`corsprobe scan` over TLS (the self-signed loopback server of tests/cli/test_tls.py, which
echoes any Origin without credentials): verification, --resolve, and the http-origin class on
an https endpoint."""

from __future__ import annotations

from tests.cli.test_tls import tls_server  # noqa: F401 - the fixture

from .conftest import run_scan


def _scan(port, *args):
    return run_scan(f"https://api.test:{port}/users", "--origin", "https://app.test",
                    "--resolve", f"api.test:{port}:127.0.0.1", "--format", "json", *args)


def test_an_untrusted_certificate_is_unreachable(tls_server):  # noqa: F811
    port, _ = tls_server
    ran = _scan(port)
    assert ran.code == 3
    assert ran.json()["results"][0]["report"]["error"]["kind"] == "tls"


def test_https_endpoint_echoing_origins_without_credentials(tls_server):  # noqa: F811
    port, cert = tls_server
    ran = _scan(port, "--cacert", str(cert), "--all")
    assert ran.code == 0, ran.err  # no credentials: nothing reaches error
    found = {f["rule"]: f for f in ran.json()["results"][0]["report"]["findings"]}
    assert found["CORS810"]["risk"] == "low"
    http = found["CORS816"]
    assert http["evidence"]["proving_origin"] == "http://app.test"
    assert (http["risk"], http["severity"]) == ("low", "info")
    assert http["evidence"]["readable_with_credentials"] is False
