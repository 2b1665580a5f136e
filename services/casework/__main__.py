"""`python -m services.casework [migrate|api|consume|relay|all]` (default: all)."""

from services.casework.bootstrap import SERVICE
from shared.runner import main

if __name__ == "__main__":
    main(SERVICE)
