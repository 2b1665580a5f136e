"""`python -m services.triage [migrate|api|consume|relay|all]` (default: all)."""

from services.triage.bootstrap import SERVICE
from shared.runner import main

if __name__ == "__main__":
    main(SERVICE)
