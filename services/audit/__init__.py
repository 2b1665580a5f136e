"""Audit: an append-only log of the hashes of every record the bus carries."""
