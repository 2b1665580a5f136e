"""Heard's local identity provider for a single machine: staff accounts, sign-in with a
password and a TOTP code, sessions, and the staff-token issuer key.

It runs as its own process (`python -m services.casework.signin`), apart from casework's
API: it alone reads the issuer's private key; every service verifies with the public JWKS.
"""
