"""`python -m services.casework.signin`: the sign-in service on its own port (8010)."""

from __future__ import annotations

import uvicorn

from services.casework.signin.app import create_signin_app
from services.casework.signin.settings import SigninSettings


def main() -> None:
    """Serve sign-in until stopped."""
    settings = SigninSettings()
    uvicorn.run(create_signin_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
