"""Who is asking, and how often: the client's address and a per-address limit on comments."""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The client's IP address: REMOTE_ADDR, or, when that is a trusted proxy, the last
    address in X-Forwarded-For that is not a trusted proxy (the one the proxies saw)."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _trusted(address):
        return address
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([a for a in forwarded if a]):
        if not _trusted(hop):
            return hop if _valid(hop) else address
    return address


def seconds_to_wait(address):
    """0 while `address` is within COMMENTS_PER_MINUTE, else the seconds until it may post again.

    Counted in the shared cache, so the limit holds across every app server.
    """
    limit = settings.COMMENTS_PER_MINUTE
    if not limit:
        return 0
    window = int(time.time() // 60)
    key = f"throttle:comments:{sender(address)}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is the window's first
        cache.set(key, 1, timeout=120)
        count = 1
    if count <= limit:
        return 0
    return 60 - int(time.time()) % 60 or 1


def sender(address):
    """Who an address counts as for the limits, in one spelling: an IPv4 address as it is, an
    IPv6 one as the first address of its /64 ("" for none).

    An IPv6 subscriber is given a whole /64 and picks any address in it, so counting each one
    would let a single sender post (or guess passwords) as many times as it likes.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:  # ::ffff:192.0.2.1 is 192.0.2.1, however a proxy wrote it
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Address(int(ip) >> 64 << 64))


def client_sender(request):
    """sender() of the client's address: what django-axes locks out after failed logins."""
    return sender(client_address(request))


def _trusted(address):
    if not _valid(address):
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(net) for net in settings.TRUSTED_PROXIES)


def _valid(address):
    try:
        ipaddress.ip_address(address)
        return True
    except ValueError:
        return False
