"""HTTP to an address a district typed in (its roster API): the public internet only, never this
server, its network or a cloud's metadata address, and no redirect to another address.

A director's settings must not turn the server into a way into the network it runs in (server-side
request forgery): http://169.254.169.254/ holds cloud credentials, 127.0.0.1 the database and Redis.
The check is made on the address actually connected to, when the connection is made, so a name that
resolves to a public address when typed and to a private one later (DNS rebinding) is refused too.
Only http and https are opened (no file:// or ftp://), and no proxy from the environment is used.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.client import HTTPMessage
from typing import IO, Any


class AddressRefused(OSError):
    """The address is not on the public internet (urllib reports it as the reason it could not connect)."""


NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def is_public(address: str) -> bool:
    """A globally routable unicast address. An IPv6 address that carries an IPv4 one (mapped,
    compatible, NAT64, 6to4) is judged by the IPv4 address it leads to."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip in NAT64 or (ip in IPV4_COMPATIBLE and int(ip) > 1):
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.is_global and not ip.is_multicast


def literal_refusal(url: str) -> str | None:
    """Why a typed address is refused without looking its name up (None: it may be tried). The
    connection is checked again, on the address the name resolves to."""
    host = (urllib.parse.urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return host
    try:
        return None if is_public(host) else host
    except ValueError:
        return None  # a name, not an address


def _connect_checked(
    address: tuple[str, int], timeout: Any = None, source_address: Any = None, *, allow_private: bool
) -> socket.socket:
    """socket.create_connection, refusing every resolved address that is not public before trying any."""
    host, port = address
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not allow_private:
        for *_, sockaddr in found:
            if not is_public(str(sockaddr[0])):
                raise AddressRefused(
                    f"{host} is a private or local address ({sockaddr[0]}); only public ones are reached"
                )
    error: OSError | None = None
    for family, kind, protocol, _name, sockaddr in found:
        sock = socket.socket(family, kind, protocol)
        try:
            if isinstance(timeout, int | float):
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)
            return sock
        except OSError as failed:
            sock.close()
            error = failed
    raise error or OSError(f"{host} has no address")


def _guarded(connection: type[http.client.HTTPConnection], allow_private: bool) -> Callable[..., Any]:
    def build(*args: Any, **kwargs: Any) -> http.client.HTTPConnection:
        made = connection(*args, **kwargs)
        made._create_connection = lambda address, timeout=None, source=None: _connect_checked(  # type: ignore[attr-defined]
            address, timeout, source, allow_private=allow_private
        )
        return made

    return build


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_guarded(http.client.HTTPConnection, self.allow_private), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow_private: bool) -> None:
        super().__init__()
        self.allow_private = allow_private

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_guarded(http.client.HTTPSConnection, self.allow_private), req)


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the same scheme, host and port: the bearer token goes with it."""

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage, newurl: str
    ) -> urllib.request.Request | None:
        if origin(newurl) != origin(req.full_url):
            raise urllib.error.HTTPError(
                req.full_url,
                code,
                f"redirected to another address, {origin(newurl)[1]}, which is not followed",
                headers,
                fp,
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def opener(*, allow_private: bool) -> urllib.request.OpenerDirector:
    """An opener for http and https only, with the address check, same-origin redirects, no proxy."""
    director = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.UnknownHandler(),  # file://, ftp://, data: … are "unknown url type"
        _HTTPHandler(allow_private),
        _HTTPSHandler(allow_private),
        _SameOriginRedirects(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        director.add_handler(handler)
    return director
