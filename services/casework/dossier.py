"""The dossier of an ended case (closed, inadmissible or withdrawn): a signed chronology
(steps, dates, reasons, decisions, the child's views and how they were weighed) as JSON and
PDF, which the child or a representative can take to the UN Committee on the Rights of the
Child once national remedies are exhausted.

The JSON is the record: its canonical form (sorted keys, no spaces, UTF-8) is signed with
casework's Ed25519 key. The PDF shows the same record and carries that signature; its own
bytes are signed too (returned beside it). Exporting is a read of the child's data, so it is
logged as `case accessed`.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlmodel import col, select

from services.casework.db import Decision, Recommendation, TimelineEntry
from services.casework.desk import facts_of, load
from services.casework.errors import StepNotAllowed
from services.casework.model import ENDED
from services.casework.permissions import check_read
from shared.auth import StaffPrincipal
from shared.clock import utcnow
from shared.events.contracts import CaseAccessed
from shared.runtime import Runtime

FORMAT = "heard-dossier/1"


def canonical(body: dict[str, Any]) -> bytes:
    """The bytes a dossier's signature covers."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(body: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """`body` with its Ed25519 signature."""
    signature = base64.b64encode(key.sign(canonical(body))).decode()
    return {**body, "signature": {"alg": "Ed25519", "signer": "casework", "value": signature}}


def verify(document: dict[str, Any], key: Ed25519PublicKey) -> bool:
    """Whether `document` is exactly what casework signed."""
    body = {k: v for k, v in document.items() if k != "signature"}
    try:
        key.verify(base64.b64decode(document["signature"]["value"]), canonical(body))
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return False
    return True


async def _opened(
    runtime: Runtime, session: Any, subject: uuid.UUID, field: str, sealed: bytes | None
) -> str | None:
    return await runtime.fields.open(session, subject, field, sealed)


async def _chronology(runtime: Runtime, session: Any, case: Any) -> list[dict[str, Any]]:
    query = select(TimelineEntry).where(col(TimelineEntry.case_id) == case.case_id)
    entries = (await session.exec(query.order_by(col(TimelineEntry.at)))).all()
    subject = case.complaint_id
    return [
        {
            "at": e.at.isoformat(),
            "by": e.actor,
            "action": e.action,
            "from": e.from_step,
            "to": e.to_step,
            "reason": await _opened(runtime, session, subject, "reason", e.reason),
        }
        for e in entries
    ]


async def _recommendations(
    runtime: Runtime, session: Any, subject: uuid.UUID, decision_id: uuid.UUID
) -> list[dict[str, Any]]:
    query = select(Recommendation).where(col(Recommendation.decision_id) == decision_id)
    return [
        {
            "to": r.duty_bearer,
            "due": r.due_at.isoformat(),
            "status": r.status,
            "text": await _opened(runtime, session, subject, "recommendation", r.text),
        }
        for r in (await session.exec(query)).all()
    ]


async def _decisions(runtime: Runtime, session: Any, case: Any) -> list[dict[str, Any]]:
    subject, found = case.complaint_id, []
    query = select(Decision).where(col(Decision.case_id) == case.case_id)
    for d in (await session.exec(query)).all():
        opened = {
            name: await _opened(runtime, session, subject, name, getattr(d, name))
            for name in ("findings", "child_views", "views_weighed")
        }
        found.append(
            {
                "decided_at": d.decided_at.isoformat(),
                "decided_by": d.decided_by,
                **opened,
                "recommendations": await _recommendations(runtime, session, subject, d.decision_id),
            }
        )
    return found


async def build(runtime: Runtime, who: StaffPrincipal, case_id: uuid.UUID) -> dict[str, Any]:
    """The signed dossier of an ended case (logged as an access to the child's data)."""
    async with runtime.uow() as uow:
        case, child = await load(uow.session, case_id)
        check_read(who, facts_of(case, child), "words", "dossier export")
        if case.status not in ENDED:
            raise StepNotAllowed("dossier")
        body = {
            "format": FORMAT,
            "case_id": str(case_id),
            "complaint_id": str(case.complaint_id),
            "opened_at": case.opened_at.isoformat(),
            "generated_at": utcnow().isoformat(),
            "chronology": await _chronology(runtime, uow.session, case),
            "decisions": await _decisions(runtime, uow.session, case),
        }
        uow.emit(_exported(case, who), subject=str(case.complaint_id))
        await uow.commit()
    return sign(body, runtime.keyring.signing_key("casework"))


def _exported(case: Any, who: StaffPrincipal) -> CaseAccessed:
    return CaseAccessed(
        case_id=case.case_id,
        complaint_id=case.complaint_id,
        accessed_by=who.subject,
        roles=sorted(who.roles),
        part="words",
        accessed_at=utcnow(),
        reason="dossier export",
    )


def sign_bytes(data: bytes, key: Ed25519PrivateKey) -> str:
    """A base64 Ed25519 signature of `data`."""
    return base64.b64encode(key.sign(data)).decode()
