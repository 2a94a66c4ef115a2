"""The client's address of a request: the one rule that the sign-in lockout (django-axes,
``AXES_CLIENT_IP_CALLABLE``) and every record that keeps an address read.

Without a reverse proxy the client is ``REMOTE_ADDR``. Behind one, ``REMOTE_ADDR`` is the
proxy, and the client is the address the proxy appended to ``X-Forwarded-For``. That
header is believed only from the proxies listed in ``TRUSTED_PROXIES`` (addresses or
networks), and then read from the right: each trusted proxy appends the address it was
reached from, so the first address from the right that is not a trusted proxy is the
client. Anything a client wrote into the header itself stands to the left of that and is
never used.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` as networks (a bare address is a network of one)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network."
            ) from error
    return tuple(networks)


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:443"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def client_address(
    remote_addr: str | None, forwarded_for: str | None, trusted: Sequence[str]
) -> str | None:
    """The client's address from the peer's address and the X-Forwarded-For header."""
    peer = _address(remote_addr or "")
    if peer is None:
        return remote_addr or None
    networks = trusted_networks(tuple(trusted))
    if not networks or not _trusted(peer, networks) or not forwarded_for:
        return str(peer)
    client = peer
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            # a value the trusted proxies did not write: what stands to its right is all
            # that can be believed
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request`` (see the module's docstring)."""
    return client_address(
        request.META.get("REMOTE_ADDR"),
        request.META.get("HTTP_X_FORWARDED_FOR"),
        settings.TRUSTED_PROXIES,
    )
