"""Confidentiality (AES-256-GCM), authenticity (Ed25519) and the keys behind them."""
