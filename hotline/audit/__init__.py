"""The append-only, hash-chained event record that every state change writes to."""
