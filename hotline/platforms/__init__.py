"""The platform directory: hosts, channels, designated officials and deadline policies."""
