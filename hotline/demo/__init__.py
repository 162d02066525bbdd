"""The September 2024 demo scenario, end to end on a local machine."""
