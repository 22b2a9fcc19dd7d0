"""TLS: verification on by default, --insecure, --cacert, and a TLS failure is exit 3."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading

import pytest

from tests.clihelp import cli

CERT_CONF = """[req]
distinguished_name = dn
x509_extensions = v3
prompt = no
[dn]
CN = api.test
[v3]
subjectAltName = DNS:api.test
basicConstraints = critical,CA:TRUE
"""


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    (d / "cert.conf").write_text(CERT_CONF)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-config", str(d / "cert.conf")],
        check=True, capture_output=True,
    )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    stop = threading.Event()

    def serve():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            try:
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.settimeout(5)
                    data = b""
                    while b"\r\n\r\n" not in data:
                        chunk = tls.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    origin = b""
                    for line in data.split(b"\r\n"):
                        if line.lower().startswith(b"origin:"):
                            origin = line.split(b":", 1)[1].strip()
                    tls.sendall(b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: " + origin +
                                b"\r\nVary: Origin\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            except (OSError, ssl.SSLError):
                pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield sock.getsockname()[1], d / "cert.pem"
    stop.set()
    t.join(2)
    sock.close()


def run(port, *args, code=0):
    """The JSON report of `corsprobe check` of the TLS server, which must exit ``code``."""
    return cli("check", f"https://api.test:{port}/users", "--origin", "https://app.example.com",
               "--resolve", f"api.test:{port}:127.0.0.1", "--no-probe", "--format", "json", *args,
               code=code, timeout=60).json()


def test_untrusted_certificate_is_a_tls_failure_exit_3(tls_server):
    port, _ = tls_server
    report = run(port, code=3)
    assert report["error"]["kind"] == "tls" and report["allowed"] is False


def test_insecure_skips_verification_and_says_so(tls_server):
    port, _ = tls_server
    report = run(port, "--insecure")
    assert report["allowed"] is True
    assert any("--insecure" in n for n in report["notes"])


def test_cacert_verifies_against_the_given_ca_and_sni_follows_resolve(tls_server):
    port, cert = tls_server
    report = run(port, "--cacert", str(cert))
    assert report["allowed"] is True
