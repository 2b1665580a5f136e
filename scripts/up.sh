#!/usr/bin/env bash
# Set up and run the whole system on this machine: .venv, Apache Kafka (KRaft) from Maven
# Central, the keyring, and the four services (API, consumer and relay each), with SQLite
# databases under var/. Prints where each service listens; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
exec .venv/bin/heard up "$@"
