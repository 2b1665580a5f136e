"""The transparency-log formats Heard speaks (RFC 9162 Merkle trees, C2SP signed notes,
checkpoints, cosignatures and tlog-proofs): pure code that audit serves the log with, and
that intake and the `heard` command verify receipts with."""
