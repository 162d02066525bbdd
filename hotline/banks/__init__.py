"""Hash banks: hashes only, never bytes, with an in-memory exact index per bank."""
