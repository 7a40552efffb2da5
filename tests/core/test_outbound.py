"""HTTP to an address a district typed in reaches the public internet only: never this server or a
private network (checked on the address connected to), never file:// and never a redirect elsewhere."""

from __future__ import annotations

import threading
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import outbound


class Loopback:
    """A web server on 127.0.0.1 that records each path asked for; /away redirects to `redirect_to`."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.redirect_to = ""
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                recorder.paths.append(self.path)
                if self.path == "/away":
                    self.send_response(302)
                    self.send_header("Location", recorder.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[Loopback]:
    running = Loopback()
    yield running
    running.httpd.shutdown()
    running.httpd.server_close()


def reason(error: urllib.error.URLError) -> str:
    return str(error.reason)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_it_refuses_this_server_by_address_or_by_name_before_connecting(server, host):
    with pytest.raises(urllib.error.URLError) as refused:
        outbound.opener(allow_private=False).open(server.url("/", host), timeout=5)

    assert isinstance(refused.value.reason, outbound.AddressRefused)
    assert "is a private or local address" in reason(refused.value)
    assert server.paths == []


def test_it_reaches_them_where_the_installation_allows_private_addresses(server):
    with outbound.opener(allow_private=True).open(server.url("/roster"), timeout=5) as answer:
        assert answer.read() == b"ok"

    assert server.paths == ["/roster"]


def test_it_follows_a_redirect_on_the_same_address(server):
    server.redirect_to = server.url("/moved")

    with outbound.opener(allow_private=True).open(server.url("/away"), timeout=5) as answer:
        assert answer.read() == b"ok"

    assert server.paths == ["/away", "/moved"]


def test_it_never_follows_a_redirect_to_another_address(server):
    server.redirect_to = server.url("/moved", host="localhost")  # another host name: another origin

    with pytest.raises(urllib.error.HTTPError) as refused:
        outbound.opener(allow_private=True).open(server.url("/away"), timeout=5)

    assert refused.value.code == 302
    assert "redirected to another address, localhost" in str(refused.value.reason)
    assert server.paths == ["/away"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/roster.zip", "data:,secret"])
def test_it_opens_nothing_but_http_and_https(url):
    with pytest.raises(urllib.error.URLError) as refused:
        outbound.opener(allow_private=True).open(url, timeout=5)

    assert "unknown url type" in reason(refused.value)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # a cloud's metadata address
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 - an address judged, not bound
        ("::1", False),
        ("fc00::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),  # IPv4 loopback written as IPv6
        ("::127.0.0.1", False),  # the same, in the old "compatible" form
        ("64:ff9b::a9fe:a9fe", False),  # the metadata address through NAT64
        ("2002:a00:1::1", False),  # 10.0.0.1 through 6to4
        ("64:ff9b::808:808", True),  # a public address through NAT64
        ("224.0.0.1", False),
    ],
)
def test_it_tells_public_addresses_from_the_rest(address, public):
    assert outbound.is_public(address) is public


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://sis.example.org/ims/oneroster/v1p1", None),
        ("https://8.8.8.8/", None),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("https://LOCALHOST./x", "localhost"),
        ("https://api.localhost/x", "api.localhost"),
        ("https://[::1]:8443/x", "::1"),
    ],
)
def test_a_typed_address_is_refused_at_once_when_it_is_plainly_private(url, refused):
    assert outbound.literal_refusal(url) == refused
