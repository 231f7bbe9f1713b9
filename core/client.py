"""Who is asking: the client's address, the same for sign-in lockouts, public-form limits, proofs and DRF."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The address the request comes from.

    With `TRUSTED_PROXIES` = N (the proxies in front of the app, each appending the address it saw to
    X-Forwarded-For), the N-th address from the right of that header: the one the outermost trusted proxy
    saw. With 0, the default, REMOTE_ADDR: an X-Forwarded-For the client wrote itself is never believed,
    so it cannot dodge a per-address limit. DRF's `NUM_PROXIES` is set from the same value (settings), so
    API throttles count the same address. A hop that is not an IP address falls back to REMOTE_ADDR.
    """
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not settings.TRUSTED_PROXIES or not forwarded:
        return remote
    hops = forwarded.split(",")
    hop = hops[-min(settings.TRUSTED_PROXIES, len(hops))].strip()
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return remote
