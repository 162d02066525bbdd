"""Inbound email services: store first, then process (file a request, apply a reply, quarantine)."""
