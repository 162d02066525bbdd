"""DKIM verification of the received bytes, and the SPF/DKIM/DMARC verdicts upstream recorded."""

import logging
import re
from collections.abc import Callable
from email.message import Message
from typing import Any

import dkim

from hotline.inbound.mime import header_all

# The DNS lookup dkimpy uses; tests swap in one that serves a generated test key.
DnsFunc = Callable[..., bytes | None]
_dns_override: DnsFunc | None = None
_RESULT = re.compile(r"(?i)\b(spf|dkim|dmarc|arc)\s*=\s*([a-z]+)")
_DKIM_DOMAIN = re.compile(r"(?i)\bd=([^;\s]+)")
_DKIM_SELECTOR = re.compile(r"(?i)\bs=([^;\s]+)")
logger = logging.getLogger(__name__)


def set_dns_function(dnsfunc: DnsFunc | None) -> None:
    """Serve DKIM keys from somewhere other than DNS (tests; an offline deployment)."""
    global _dns_override
    _dns_override = dnsfunc


def dkim_result(raw: bytes, message: Message, *, verify: bool) -> dict[str, Any]:
    """'none' without a signature; 'pass'/'fail' after verifying; 'unchecked' when switched off."""
    signatures = header_all(message, "DKIM-Signature")
    if not signatures:
        return {"result": "none"}
    signature = signatures[0]
    found = {
        "domain": _first(_DKIM_DOMAIN, signature).lower(),
        "selector": _first(_DKIM_SELECTOR, signature),
    }
    if not verify:
        return {"result": "unchecked", **found}
    kwargs: dict[str, Any] = {"dnsfunc": _dns_override} if _dns_override else {}
    try:
        ok = dkim.verify(raw, **kwargs)
    except Exception as error:  # dkimpy raises many kinds; any of them means "not verified"
        logger.info("DKIM verification error: %s", error)
        return {"result": "temperror", "error": str(error)[:200], **found}
    return {"result": "pass" if ok else "fail", **found}


def _first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(1).strip() if match else ""


def upstream_results(message: Message) -> dict[str, Any]:
    """Verdicts recorded by the servers the message passed through (not verified here)."""
    results: dict[str, str] = {}
    for header in header_all(message, "Authentication-Results"):
        for method, verdict in _RESULT.findall(header):
            results.setdefault(method.lower(), verdict.lower())
    received_spf = header_all(message, "Received-SPF")
    if received_spf:
        results.setdefault("spf", received_spf[0].split()[0].lower() if received_spf[0] else "")
    return {
        "results": results,
        "authentication_results": header_all(message, "Authentication-Results")[:5],
        "received_spf": received_spf[:2],
    }


def authentication(raw: bytes, message: Message, *, verify_dkim: bool) -> dict[str, Any]:
    return {"dkim": dkim_result(raw, message, verify=verify_dkim), **upstream_results(message)}


def failed_checks(auth: dict[str, Any]) -> list[str]:
    """Checks that say this mail is not from who it claims to be; any one quarantines it."""
    failures = []
    if auth.get("dkim", {}).get("result") == "fail":
        failures.append("DKIM signature does not verify")
    upstream = auth.get("results", {})
    for method in ("dmarc", "spf", "dkim"):
        if upstream.get(method) in ("fail", "hardfail"):
            failures.append(f"{method}={upstream[method]} recorded upstream")
    return failures
