"""`python -m services.audit migrate|api|consume|relay`."""

from services.audit.service import SPEC
from shared.runner import main

if __name__ == "__main__":
    main(SPEC)
