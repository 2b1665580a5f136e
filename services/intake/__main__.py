"""`python -m services.intake migrate|api|consume|relay`."""

from services.intake.service import SPEC
from shared.runner import main

if __name__ == "__main__":
    main(SPEC)
