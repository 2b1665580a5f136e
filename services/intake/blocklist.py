"""The blocklist: clients refused for clear abuse, managed by administrators.

Only the keyed hash of a client's address is stored (the same hash the rate limits count
under: an IPv6 address by its /64), with the reason recorded, who decided and until when.
Submissions from a listed client get a neutral refusal that points to the helpline and
SMS, which are never blocked. Each API process keeps the current hashes in memory,
re-read at most every few seconds, so a flood costs no query per request.

    POST   /api/v1/admin/blocklist           {"address", "reason", "days"}  (administrator)
    GET    /api/v1/admin/blocklist           the entries: hash, reason, who, when, until
    DELETE /api/v1/admin/blocklist/{hash}    lift a block
"""

from __future__ import annotations

import ipaddress
import time
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import col, select

from services.intake.db import BlockedClient
from services.intake.errors import ClientBlocked, NotBlocked
from services.intake.throttle import hashed_client
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.runtime import Runtime
from shared.web.staff import require_roles

router = APIRouter(prefix="/api/v1/admin/blocklist", tags=["blocklist"])
Administrator = Annotated[StaffPrincipal, Depends(require_roles("administrator"))]
REFRESH_SECONDS = 5.0


class BlockRequest(BaseModel):
    """An administrator's decision to block one client address."""

    model_config = ConfigDict(extra="forbid", strict=True)

    # Documented as what the validator below accepts, so the API keeps its contract.
    address: str = Field(
        max_length=64, json_schema_extra={"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
    )
    reason: str = Field(min_length=3, max_length=300)
    days: int = Field(30, ge=1, le=365)

    @field_validator("days", mode="before")
    @classmethod
    def _whole_number(cls, days: object) -> object:
        # JSON Schema's integer includes 30.0; strict mode would refuse it.
        return int(days) if isinstance(days, float) and days.is_integer() else days

    @field_validator("address")
    @classmethod
    def _an_address(cls, address: str) -> str:
        ipaddress.ip_address(address)  # ValueError: not an IP address
        return address


class BlockedPublic(BaseModel):
    """A blocklist entry as administrators see it (never the address)."""

    client_hash: str
    reason: str
    blocked_by: str
    blocked_at: datetime
    expires_at: datetime


class BlockedClients:
    """The hashes currently blocked, re-read from the database every few seconds."""

    def __init__(self) -> None:
        self._hashes: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    async def contains(self, runtime: Runtime, client: str) -> bool:
        """Whether `client` (a keyed hash) is blocked now."""
        if time.monotonic() - self._read_at > REFRESH_SECONDS:
            await self.refresh(runtime)
        return client in self._hashes

    async def refresh(self, runtime: Runtime) -> None:
        """Read the unexpired entries again."""
        query = select(BlockedClient.client_hash).where(col(BlockedClient.expires_at) > utcnow())
        async with runtime.sessions() as session:
            self._hashes = frozenset((await session.exec(query)).all())
        self._read_at = time.monotonic()


async def refuse_blocked(request: Request) -> None:
    """ClientBlocked if the caller's address is on the blocklist."""
    runtime: Runtime = request.app.state.runtime
    blocked: BlockedClients = request.app.state.blocked
    host = request.client.host if request.client else None
    if await blocked.contains(runtime, hashed_client(runtime.lookups, host)):
        raise ClientBlocked()


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


@router.post("", status_code=201)
async def block(body: BlockRequest, request: Request, staff: Administrator) -> BlockedPublic:
    """Block a client for `days`, recording why and who decided."""
    runtime, now = _runtime(request), utcnow()
    row = BlockedClient(
        client_hash=hashed_client(runtime.lookups, body.address),
        reason=body.reason,
        blocked_by=staff.subject,
        blocked_at=now,
        expires_at=now + timedelta(days=body.days),
    )
    async with runtime.sessions() as session:
        await session.merge(row)
        await session.commit()
    await request.app.state.blocked.refresh(runtime)
    return BlockedPublic.model_validate(row.model_dump())


@router.get("")
async def entries(request: Request, _staff: Administrator) -> list[BlockedPublic]:
    """Every entry, newest first."""
    query = select(BlockedClient).order_by(col(BlockedClient.blocked_at).desc())
    async with _runtime(request).sessions() as session:
        rows = (await session.exec(query)).all()
    return [BlockedPublic.model_validate(row.model_dump()) for row in rows]


@router.delete("/{client_hash}", status_code=204)
async def lift(
    client_hash: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    request: Request,
    _staff: Administrator,
) -> Response:
    """Lift a block."""
    runtime = _runtime(request)
    async with runtime.sessions() as session:
        row = await session.get(BlockedClient, client_hash)
        if row is None:
            raise NotBlocked()
        await session.delete(row)
        await session.commit()
    await request.app.state.blocked.refresh(runtime)
    return Response(status_code=204)
