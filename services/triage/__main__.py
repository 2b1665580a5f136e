"""`python -m services.triage migrate|api|consume|relay`."""

from services.triage.service import SPEC
from shared.runner import main

if __name__ == "__main__":
    main(SPEC)
