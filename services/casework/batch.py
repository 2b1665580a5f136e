"""What a batch of events reads from casework's database, loaded in one query per kind.

Keeping a submission or opening a case first looks up the complaint's record and its case,
and seals under the complaint's data key: three round trips a record when done one by one.
The consumer's prefetch reads them for the whole batch at once; handlers look here first and
note what they add, so a later event of the batch sees an earlier one's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from services.casework.db import Case, ComplaintRecord
from shared.db.uow import UnitOfWork
from shared.events.codec import Inbound


@dataclass
class CaseworkBatch:
    """The batch's complaint records and cases by complaint id (None: there is none yet)."""

    records: dict[uuid.UUID, ComplaintRecord | None]
    cases: dict[uuid.UUID, Case | None]


async def prefetch_casework(messages: Sequence[Inbound[Any]], uow: UnitOfWork) -> CaseworkBatch:
    """Read the records, cases and data keys of the complaints these events are about."""
    ids = {m.data.complaint_id for m in messages if hasattr(m.data, "complaint_id")}
    session = uow.session
    records = await session.exec(
        select(ComplaintRecord).where(col(ComplaintRecord.complaint_id).in_(ids))
    )
    cases = await session.exec(select(Case).where(col(Case.complaint_id).in_(ids)))
    batch = CaseworkBatch(records=dict.fromkeys(ids), cases=dict.fromkeys(ids))
    batch.records.update({r.complaint_id: r for r in records})
    batch.cases.update({c.complaint_id: c for c in cases})
    await uow.context.fields.preload(session, ids)
    return batch


async def complaint_record(uow: UnitOfWork, complaint_id: uuid.UUID) -> ComplaintRecord | None:
    """The complaint's record: from the batch if it read it, else from the database."""
    batch = uow.batch
    if isinstance(batch, CaseworkBatch) and complaint_id in batch.records:
        return batch.records[complaint_id]
    return await uow.session.get(ComplaintRecord, complaint_id)


async def case_of_complaint(uow: UnitOfWork, complaint_id: uuid.UUID) -> Case | None:
    """The case opened for `complaint_id`, if any (in this transaction)."""
    batch = uow.batch
    if isinstance(batch, CaseworkBatch) and complaint_id in batch.cases:
        return batch.cases[complaint_id]
    query = select(Case).where(col(Case.complaint_id) == complaint_id)
    return (await uow.session.exec(query)).first()


def added(uow: UnitOfWork, row: ComplaintRecord | Case) -> None:
    """Add `row` to the transaction, and to the batch's view for the events after it."""
    uow.session.add(row)
    batch = uow.batch
    if not isinstance(batch, CaseworkBatch):
        return
    if isinstance(row, Case):
        batch.cases[row.complaint_id] = row
    else:
        batch.records[row.complaint_id] = row
