"""The takedown workflow: requests, items, notices, messages and checks."""
