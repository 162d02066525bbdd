"""Shared kernel: domain errors, the acting party, API-token authentication."""
