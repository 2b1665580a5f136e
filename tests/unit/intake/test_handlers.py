"""The submission handler keeps the complaint, its receipt, its status and its event
together: a transaction that fails leaves none of them."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from services.intake import handlers
from services.intake.db import Complaint, ComplaintStatus, ReceiptCode
from services.intake.handlers import submit_complaint
from services.intake.model import SubmitComplaint
from shared.bus.outbox import OutboxMessage
from shared.ids import new_id
from shared.runtime import Runtime
from tests.unit.intake.support import MINIMAL, intake_keys, rows

SAME_ID = new_id()


async def test_a_failed_transaction_leaves_no_rows_and_no_event(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers, "new_id", lambda: SAME_ID)
    keys = intake_keys(runtime)
    command = SubmitComplaint.model_validate(MINIMAL)
    first = await submit_complaint(command, runtime=runtime, keys=keys)
    # The same id twice breaks the complaint's primary key at commit, after the event was emitted.
    with pytest.raises(IntegrityError):
        await submit_complaint(command, runtime=runtime, keys=keys)
    for table in (Complaint, ReceiptCode, ComplaintStatus, OutboxMessage):
        assert len(await rows(runtime, table)) == 1
    (complaint,) = await rows(runtime, Complaint)
    assert complaint.complaint_id == first.complaint_id
