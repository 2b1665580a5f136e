"""Plumbing and contracts that all four Heard services share; no domain rules live here."""
