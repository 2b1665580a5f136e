"""`python -m services.intake [migrate|api|consume|relay|all]` (default: all)."""

from services.intake.bootstrap import SERVICE
from shared.runner import main

if __name__ == "__main__":
    main(SERVICE)
