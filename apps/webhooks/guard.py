"""Where a webhook may be sent: http(s) URLs whose host resolves to public addresses only (SSRF guard).

Checked when an endpoint is registered and again at every delivery, on the addresses the delivery then
connects to (so a name that later resolves somewhere private is caught, and there is no second lookup
between the check and the connection). `WEBHOOK_ALLOW_PRIVATE_URLS` turns the address check off for an
on-premises portal whose receivers live on the private network, and for the tests' local receiver;
it is off by default.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

Address = tuple[int, tuple]  # (socket family, sockaddr) as getaddrinfo gives them


class UnsafeDestination(Exception):
    """The URL may not be called; the message says why, in words for the integration's developer."""


def address_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local, multicast,
    reserved, unspecified or shared (CGNAT), and an IPv4 address inside IPv6 is judged as IPv4."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return address_is_public(embedded)
        if address.teredo is not None:
            return all(address_is_public(inner) for inner in address.teredo)
    return address.is_global and not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def url_split(url: str) -> SplitResult:
    """The URL's parts, or UnsafeDestination for anything but a plain http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeDestination("Not a valid URL.") from None
    if parts.scheme not in ALLOWED_SCHEMES:
        raise UnsafeDestination("Only http and https URLs are allowed.")
    if not parts.hostname:
        raise UnsafeDestination("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("The URL must not carry a user name or password.")
    if port == 0:
        raise UnsafeDestination("Not a valid port.")
    return parts


def destination_resolve(url: str) -> list[Address]:
    """The addresses to connect to for this URL, every one of them public (unless private URLs are
    allowed); UnsafeDestination when the host does not resolve or any of its addresses is not public."""
    parts = url_split(url)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise UnsafeDestination(f"The host {parts.hostname} does not resolve.") from None
    addresses = [(family, sockaddr) for family, _type, _proto, _name, sockaddr in found]
    if not addresses:
        raise UnsafeDestination(f"The host {parts.hostname} does not resolve.")
    if not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        for _family, sockaddr in addresses:
            # An IPv6 sockaddr may carry a scope ("fe80::1%eth0"); the address is before the %.
            ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
            if not address_is_public(ip):
                raise UnsafeDestination(
                    f"The host {parts.hostname} resolves to {ip}, which is not a public address."
                )
    return addresses
