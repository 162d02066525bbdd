"""Organisations, people, their roles, and the API tokens they act with."""
