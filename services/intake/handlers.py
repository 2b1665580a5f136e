"""Intake's handlers: commands from the child (web, phone, SMS) and events from casework;
one transaction each. Handlers never echo a child's words into a log line.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy.exc import IntegrityError

from services.intake import store
from services.intake.case_events import record_case_opened, record_message, record_step
from services.intake.db import IdempotencyKey, ReceiptCode
from services.intake.idempotency import IdempotencyKeys
from services.intake.model import SubmitComplaint
from services.intake.receipts import ReceiptHasher, new_receipt_code
from shared.bus.processing import Handler
from shared.clock import utcnow
from shared.crypto.at_rest import FieldCipher
from shared.db.uow import UnitOfWork
from shared.events.contracts import CaseOpened, ComplaintSubmitted, EventData
from shared.events.contracts.casework import CaseStepChanged, MessageToChild
from shared.ids import new_id
from shared.runtime import Runtime
from shared.tlog.commitment import SALT_BYTES, commitment
from shared.tlog.receipt import Opening, opening_of

log = logging.getLogger("heard.intake")


@dataclass(frozen=True)
class Acknowledgement:
    """What the submitter is told once their complaint is durably stored."""

    complaint_id: uuid.UUID
    receipt_code: str
    received_at: datetime


@dataclass(frozen=True)
class Keys:
    """What submitting needs besides the transaction: sealing, receipts, idempotency."""

    fields: FieldCipher
    receipts: ReceiptHasher
    idempotency: IdempotencyKeys


def _submitted_event(command: SubmitComplaint, operator_id: str | None) -> ComplaintSubmitted:
    fields = command.model_dump()
    fields["in_danger_now"] = fields.pop("in_danger", None)
    return ComplaintSubmitted(
        complaint_id=new_id(), submitted_at=utcnow(), operator_id=operator_id, **fields
    )


async def submit_complaint(
    command: SubmitComplaint,
    *,
    runtime: Runtime,
    keys: Keys,
    idempotency_key: str | None = None,
    operator_id: str | None = None,
) -> Acknowledgement:
    """Store the complaint, its receipt and its status and emit `ComplaintSubmitted`, at once.

    Returns only after the commit: an acknowledged complaint is never lost. The commit may
    be shared with other submissions arriving at the same time (`runtime.writes`). Under an
    `idempotency_key` already used, returns the first submission's acknowledgement instead.
    """
    if idempotency_key is not None:
        earlier = await _earlier(runtime.uow(), keys, idempotency_key)
        if earlier is not None:
            return earlier
    event = _submitted_event(command, operator_id)
    code = new_receipt_code()
    receipt = await asyncio.to_thread(issue_receipt, keys.receipts, event, code)
    try:
        await runtime.writes.run(
            partial(_store, keys=keys, event=event, code=code, receipt=receipt, key=idempotency_key)
        )
    except IntegrityError:
        # A concurrent twin (double click) committed first under the same key: answer as it.
        earlier = await _earlier(runtime.uow(), keys, idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return earlier
    log.info("complaint received", extra={"complaint_id": str(event.complaint_id)})
    return Acknowledgement(event.complaint_id, code, event.submitted_at)


def issue_receipt(
    receipts: ReceiptHasher, event: ComplaintSubmitted, code: str
) -> tuple[ReceiptCode, bytes]:
    """The stored form of `code` (Argon2id: run it off the event loop), with the opening of
    the complaint's commitment (a fresh salt, the id and time) sealed under the code; and
    the commitment itself."""
    issued = receipts.issue(code)
    opening = Opening(event.complaint_id, event.submitted_at, secrets.token_bytes(SALT_BYTES))
    sealed = receipts.seal(code, issued.key_id, opening.encode(), event.complaint_id.bytes)
    row = ReceiptCode(
        complaint_id=event.complaint_id,
        key_id=issued.key_id,
        tag=issued.tag,
        code_hash=issued.argon2_hash,
        issued_at=event.submitted_at,
        sealed_opening=sealed,
    )
    return row, commitment(opening.complaint_id, opening.submitted_at, opening.salt)


def opening_of_receipt(receipts: ReceiptHasher, row: ReceiptCode, code: str) -> Opening:
    """The commitment's opening kept for the holder of `code`."""
    sealed = receipts.open(code, row.key_id, row.sealed_opening, row.complaint_id.bytes)
    return opening_of(sealed)


async def _store(
    uow: UnitOfWork,
    *,
    keys: Keys,
    event: ComplaintSubmitted,
    code: str,
    receipt: tuple[ReceiptCode, bytes],
    key: str | None,
) -> None:
    """Add the submission's rows and event to `uow`; the group committer commits."""
    row, committed = receipt
    await store.add_submission(uow.session, keys.fields, event, row)
    if key is not None:
        uow.session.add(
            IdempotencyKey(
                key_hash=keys.idempotency.digest(key),
                complaint_id=event.complaint_id,
                sealed_code=keys.idempotency.seal_code(key, code),
                created_at=event.submitted_at,
            )
        )
    # The commitment travels signed and in the clear: audit logs it as a leaf of its own.
    uow.emit(event, subject=str(event.complaint_id), commitment=committed)


async def _earlier(uow: UnitOfWork, keys: Keys, idempotency_key: str) -> Acknowledgement | None:
    async with uow:
        row = await store.find_idempotent(uow.session, keys.idempotency.digest(idempotency_key))
        if row is None:
            return None
        code = keys.idempotency.open_code(idempotency_key, row.sealed_code)
        log.info("repeated submission answered", extra={"complaint_id": str(row.complaint_id)})
        return Acknowledgement(row.complaint_id, code, row.created_at)


HANDLERS: dict[type[EventData], Handler] = {
    CaseOpened: record_case_opened,
    CaseStepChanged: record_step,
    MessageToChild: record_message,
}
