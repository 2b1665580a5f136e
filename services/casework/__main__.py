"""`python -m services.casework migrate|api|consume|relay`."""

from services.casework.service import SPEC
from shared.runner import main

if __name__ == "__main__":
    main(SPEC)
