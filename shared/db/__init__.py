"""Engines, sessions, the unit of work and migrations: built at start-up, never at import."""
