"""The client's address, for throttles and login lockouts.

Behind a reverse proxy every request comes from the proxy's address. When
DUALSOURCE_CLIENT_IP_HEADER names the header the proxy sets (`X-Real-IP`, or
`X-Forwarded-For` appended by the proxy), the address is read from it; it is trusted only
when that setting is made, because a client can send any header it likes when no proxy
overwrites it. With X-Forwarded-For the last entry is the one the proxy added.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    header = getattr(settings, "DUALSOURCE_CLIENT_IP_HEADER", "")
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        entries = [e.strip() for e in value.split(",") if e.strip()]
        if entries:
            try:
                return str(ipaddress.ip_address(entries[-1]))
            except ValueError:
                pass  # not an address: fall back to the connection's peer
    return request.META.get("REMOTE_ADDR", "") or "unknown"
