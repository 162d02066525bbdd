"""Whether a host name is loopback, for the few rules that allow plain connections there."""

import ipaddress


def is_loopback_host(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
