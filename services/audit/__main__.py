"""`python -m services.audit [migrate|api|consume|relay|all]` (default: all)."""

from services.audit.bootstrap import SERVICE
from shared.runner import main

if __name__ == "__main__":
    main(SERVICE)
