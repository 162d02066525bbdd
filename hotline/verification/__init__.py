"""Checking that reported content is really gone: SSRF-safe fetching and the gone rule."""
