"""Casework tells the oversight statistics how cases go, de-identified: each milestone on
`statistics` under a fresh id, with coarse bands only, in the transaction of the change."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import col, select

from services.casework.milestones import elapsed_band, of_step
from services.casework.model import plan
from services.casework.scheduler import fire_breaches
from services.casework.settings import CaseworkSettings
from shared.auth import TokenIssuer
from shared.bus.outbox import OutboxMessage
from shared.clock import utcnow
from shared.crypto.keyring import FileKeyring
from shared.events.codec import EventCodec
from shared.events.contracts import CaseMilestone
from shared.runtime import Runtime, open_runtime
from tests.unit.casework.support import Desk, deliver, emitted, tools, triaged

WORKER = frozenset({"caseworker"})
SUPERVISOR = frozenset({"supervisor"})


@pytest.mark.parametrize(
    ("elapsed", "band"),
    [
        (timedelta(minutes=59), "under_1_hour"),
        (timedelta(hours=1), "1_24_hours"),
        (timedelta(hours=23, minutes=59), "1_24_hours"),
        (timedelta(days=6), "1_7_days"),
        (timedelta(days=7), "7_30_days"),
        (timedelta(days=45), "1_3_months"),
        (timedelta(days=120), "3_6_months"),
        (timedelta(days=400), "over_6_months"),
    ],
)
def test_elapsed_time_falls_in_a_coarse_band(elapsed: timedelta, band: str) -> None:
    assert elapsed_band(elapsed) == band


def test_which_moves_are_milestones() -> None:
    assert of_step(plan("received", "acknowledge", WORKER, None)) == [("acknowledged", None)]
    assert of_step(plan("acknowledged", "review", WORKER, None)) == []
    assert of_step(plan("admissibility_review", "declare_inadmissible", SUPERVISOR, "r")) == [
        ("admissibility_decided", "inadmissible"),
        ("ended", "inadmissible"),
    ]
    assert of_step(plan("examination", "decide", WORKER, "r")) == [("decided", None)]
    assert of_step(plan("follow_up", "close", SUPERVISOR, "r")) == [
        ("ended", "closed_after_decision")
    ]
    assert of_step(plan("friendly_settlement", "close", SUPERVISOR, "r")) == [
        ("ended", "closed_by_settlement")
    ]
    assert of_step(plan("transmitted", "withdraw", WORKER, "r")) == [("ended", "withdrawn")]


async def test_milestones_go_to_statistics_under_fresh_ids(
    client: httpx.AsyncClient, runtime: Runtime, issuer: TokenIssuer, case_id: str
) -> None:
    desk = Desk(client, issuer, case_id)
    assert (await desk.post("/assignment", {"version": 1})).status_code == 200
    await desk.step("acknowledge", None)
    referral = await desk.post("/referrals", {"service": "health", "consent": True})
    assert referral.status_code == 201
    for action in ("review", "declare_admissible"):
        await desk.step(action)
    reached = await emitted(runtime, CaseMilestone)
    assert [(m.milestone, m.outcome) for m in reached] == [
        ("acknowledged", None),
        ("referred", "health"),
        ("admissibility_decided", "admissible"),
    ]
    assert all(
        m.elapsed == "under_1_hour" and m.period == utcnow().strftime("%Y-%m") for m in reached
    )
    assert all((m.category, m.urgency) == ("violence", "urgent") for m in reached)
    ids = {str(m.milestone_id) for m in reached}
    assert len(ids) == 3
    assert case_id not in ids
    async with runtime.sessions() as session:
        rows = (
            await session.exec(
                select(OutboxMessage).where(col(OutboxMessage.topic) == "statistics")
            )
        ).all()
    assert len(rows) == 3
    assert all(r.key is None or r.key.decode() not in (case_id,) for r in rows)


async def test_a_breached_deadline_is_a_milestone_with_its_clock(
    runtime: Runtime, triage_codec: EventCodec
) -> None:
    late = triaged(respond_in=timedelta(hours=-1))
    assert await deliver(runtime, triage_codec, late)
    assert await fire_breaches(runtime, tools(runtime), utcnow() + timedelta(days=2)) == 1
    [breach] = await emitted(runtime, CaseMilestone)
    assert (breach.milestone, breach.outcome, breach.elapsed) == (
        "deadline_breached",
        "acknowledge",
        "1_7_days",
    )


async def test_a_keyring_without_the_statistics_key_does_not_stop_the_case(
    settings: CaseworkSettings,
    keyring: FileKeyring,
    triage_codec: EventCodec,
    caplog: pytest.LogCaptureFixture,
) -> None:
    document = keyring.document()
    older = FileKeyring(
        {
            **document,
            "data_keys": {t: k for t, k in document["data_keys"].items() if t != "statistics"},
        }
    )
    async with open_runtime("casework", settings, older) as runtime:
        late = triaged(respond_in=timedelta(hours=-1))
        assert await deliver(runtime, triage_codec, late)
        assert await fire_breaches(runtime, tools(runtime), utcnow()) == 1  # breach recorded
        assert await emitted(runtime, CaseMilestone) == []
    assert "no data key for the statistics topic" in caplog.text
