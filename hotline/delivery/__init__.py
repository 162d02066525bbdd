"""Delivering messages to platforms and officials through channels, via a durable outbox."""
