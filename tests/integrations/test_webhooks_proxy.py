"""Webhook posts through HTTPS_PROXY: the proxy is told the address Shinrai checked (never the name), TLS is
still verified against the URL's name, NO_PROXY and plain http go direct.

A local proxy records the CONNECT line, then plays the receiver itself over TLS with a certificate for
``hooks.example.test`` that the test trusts (SSL_CERT_FILE); ``hooks.example.test`` resolves to a public
address through a patched resolver, so nothing leaves the machine.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import socket
import socketserver
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from shinrai.integrations import webhooks
from shinrai.integrations.models import Webhook, WebhookDelivery
from tests.clock import _english  # noqa: F401  (autouse: these tests read English messages)

from .test_webhooks_delivery import _in_site_language, _webhook

PUBLIC = "93.184.215.14"
NAME = "hooks.example.test"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def _certificate(tmp_path, name: str):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


def _read_head(stream) -> tuple[str, dict]:
    line = stream.readline().decode("latin-1").rstrip("\r\n")
    headers = {}
    while (header := stream.readline().decode("latin-1").rstrip("\r\n")) != "":
        name, _sep, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    return line, headers


class Proxy:
    """Answers CONNECT (200, or ``connect_status``), then serves TLS as the receiver and answers 204."""

    def __init__(self, cert_file, key_file):
        self.connects: list[tuple[str, dict]] = []
        self.requests: list[tuple[str, dict, bytes]] = []
        self.connect_status = 200
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert_file, key_file)
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                proxy.connects.append(_read_head(self.rfile))
                if proxy.connect_status != 200:
                    self.wfile.write(
                        f"HTTP/1.1 {proxy.connect_status} No\r\nContent-Length: 0\r\n\r\n".encode()
                    )
                    return
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self.wfile.flush()
                try:
                    conn = tls.wrap_socket(self.connection, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client refused our certificate
                stream = conn.makefile("rb")
                line, headers = _read_head(stream)
                proxy.requests.append((line, headers, stream.read(int(headers.get("content-length", 0)))))
                conn.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                conn.close()

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def environment(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.fixture
def resolver(monkeypatch):
    """``hooks.example.test`` resolves to ``answers`` (one list per lookup, the last one repeats)."""
    real = socket.getaddrinfo
    answers = [[PUBLIC]]

    def getaddrinfo(host, port, *args, **kwargs):
        if host != NAME:
            return real(host, port, *args, **kwargs)
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def proxy(tmp_path, environment, resolver, settings):
    settings.SHINRAI_WEBHOOK_ALLOW_PRIVATE = False  # the proxy is on 127.0.0.1: only the target is checked
    cert_file, key_file = _certificate(tmp_path, NAME)
    environment.setenv("SSL_CERT_FILE", str(cert_file))  # trust the test receiver's certificate
    server = Proxy(cert_file, key_file)
    environment.setenv("HTTPS_PROXY", f"http://shinrai:p%40ss@127.0.0.1:{server.port}")
    yield server
    server.close()


def _attempt(cast, url, kind=Webhook.Kind.JSON) -> WebhookDelivery:
    webhook = _webhook(cast, kind=kind, url=url)
    delivery = WebhookDelivery.objects.create(
        webhook=webhook, event="ping", payload={"event": "ping"}, next_attempt_at=None
    )
    return webhooks.delivery_attempt(delivery.pk)


def test_https_goes_through_the_proxy_to_the_checked_address(cast, proxy):
    delivery = _attempt(cast, f"https://{NAME}/services/x?a=1")

    assert (delivery.status, delivery.last_status_code, delivery.last_error) == ("delivered", 204, "")
    [(connect, connect_headers)] = proxy.connects
    assert connect == f"CONNECT {PUBLIC}:443 HTTP/1.0"  # the address, so the proxy cannot resolve elsewhere
    assert connect_headers["proxy-authorization"] == "Basic " + base64.b64encode(b"shinrai:p@ss").decode()
    [(line, headers, body)] = proxy.requests
    assert line == "POST /services/x?a=1 HTTP/1.1"
    assert headers["host"] == NAME  # and TLS was verified against the name: the certificate is for it only
    assert headers["x-shinrai-delivery"] == str(delivery.pk)
    assert body == b'{"event":"ping"}'


def test_a_name_that_turns_private_is_refused_before_the_proxy_is_asked(cast, proxy, resolver):
    # Public when the URL is checked, private a moment later when the address for the proxy is chosen.
    resolver[:] = [[PUBLIC], ["10.0.0.5"]]
    delivery = _attempt(cast, f"https://{NAME}/x")
    assert proxy.connects == []
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == _in_site_language(
        "This address is inside the server's own network; webhooks cannot be sent there."
    )


def test_a_private_literal_address_is_not_sent_to_the_proxy(cast, proxy):
    delivery = _attempt(cast, "https://10.0.0.5/x")
    assert proxy.connects == []
    assert delivery.last_error == _in_site_language(
        "This address is inside the server's own network; webhooks cannot be sent there."
    )


def test_the_certificate_must_match_the_url_name(cast, proxy, resolver):
    # Another name resolving to the same public address: the receiver's certificate is not for it.
    other = "other.example.test"
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        return real(NAME if host == other else host, port, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        delivery = _attempt(cast, f"https://{other}/x")
    assert [connect for connect, _headers in proxy.connects] == [f"CONNECT {PUBLIC}:443 HTTP/1.0"]
    assert proxy.requests == []
    assert (delivery.status, delivery.last_status_code) == ("pending", None)
    assert "certificate" in delivery.last_error.lower()


def test_an_ipv6_target_is_bracketed(cast, proxy):
    proxy.connect_status = 403
    address = "2606:2800:220:1:248:1893:25c8:1946"
    assert not webhooks.address_refused(address) and ipaddress.ip_address(address).version == 6
    delivery = _attempt(cast, f"https://[{address}]/x")
    assert [connect for connect, _headers in proxy.connects] == [f"CONNECT [{address}]:443 HTTP/1.0"]
    assert delivery.status == "pending"


def test_without_the_address_check_the_proxy_resolves_the_name(cast, proxy, settings):
    settings.SHINRAI_WEBHOOK_ALLOW_PRIVATE = True
    delivery = _attempt(cast, f"https://{NAME}/x")
    assert [connect for connect, _headers in proxy.connects] == [f"CONNECT {NAME}:443 HTTP/1.0"]
    assert delivery.status == "delivered"


def test_a_refused_connect_is_logged_as_a_failed_attempt(cast, proxy):
    proxy.connect_status = 403
    delivery = _attempt(cast, f"https://{NAME}/x")
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert delivery.last_error == "Tunnel connection failed: 403 No"


def test_only_http_proxies_are_used(cast, proxy, environment):
    environment.setenv("HTTPS_PROXY", f"https://127.0.0.1:{proxy.port}")
    delivery = _attempt(cast, f"https://{NAME}/x")
    assert proxy.connects == []
    assert delivery.last_error == _in_site_language(
        "Only http:// proxies are supported for webhooks (HTTPS_PROXY)."
    )


def test_which_urls_use_the_proxy(environment):
    assert webhooks.proxy_for(f"https://{NAME}/x") is None  # no proxy configured
    environment.setenv("HTTPS_PROXY", "proxy.internal:3128")
    environment.setenv("HTTP_PROXY", "http://proxy.internal:3128")
    environment.setenv("NO_PROXY", "chat.internal,.corp.example")
    assert webhooks.proxy_for(f"https://{NAME}/x") == "http://proxy.internal:3128"
    assert webhooks.proxy_for("https://chat.internal/x") is None
    assert webhooks.proxy_for("https://teams.corp.example/x") is None
    # Plain http is always posted directly (see proxy_for's docstring).
    assert webhooks.proxy_for(f"http://{NAME}/x") is None
