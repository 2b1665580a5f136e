"""Heard's four services; none imports another."""
