"""Fixtures: the hostile servers (one misbehaving HTTP port, a port that never reads, a real
TLS port, a plain port that answers a TLS hello with text)."""

from __future__ import annotations

import ssl
import subprocess

import pytest

from .server import HostileServer

CERT_CONF = """[req]
distinguished_name = dn
x509_extensions = v3
prompt = no
[dn]
CN = api.test
[v3]
subjectAltName = DNS:api.test
"""


@pytest.fixture(scope="session")
def hostile():
    with HostileServer() as s:
        yield s


@pytest.fixture(scope="session")
def never_read():
    with HostileServer(never_read=True) as s:
        yield s


@pytest.fixture(scope="session")
def plain_port():
    """What a TLS client meets on a plain HTTP port: its ClientHello answered in text."""
    answer = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with HostileServer(answer=answer) as s:
        yield s


@pytest.fixture(scope="session")
def tls_port(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile-tls")
    (d / "cert.conf").write_text(CERT_CONF)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout",
         str(d / "key.pem"), "-out", str(d / "cert.pem"), "-config", str(d / "cert.conf")],
        check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d / "cert.pem", d / "key.pem")
    with HostileServer(tls=ctx) as s:
        yield s
