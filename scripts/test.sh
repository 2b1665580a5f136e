#!/usr/bin/env bash
# Set up and run every check and test: lint, types, import contracts, unit, integration
# (real Kafka and PostgreSQL) and end-to-end. What CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh --postgres
export PATH="$PWD/.venv/bin:$PATH"
ruff check .
ruff format --check .
mypy
lint-imports
pytest "$@"
