"""`heard dlq list|show|redrive`: look at dead letters and send them through again.

Dead letters are read straight from the broker, without a consumer group (reading changes
nothing). Each is shown with the refusing consumer's signature checked against the public
keys (`signed`, `unsigned-dead-letter`, `forged-dead-letter`). Nothing readable about a
child is ever printed: the value is sealed and shown only as its length and hash; attributes
are shown only when they have the shape of an opaque id, and a refusal's detail only when its
signature verifies.

Re-driving publishes the original record (its own headers, key and sealed value, the `dlq_*`
headers removed) to its original topic, through the normal path: every consumer of that
topic reads it again and its inbox applies it at most once, so a consumer that applied it
before changes nothing, and re-driving twice is harmless. A dead letter whose event is older
than the inbox retention is left alone unless asked: consumers may have forgotten applying it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from shared.bus.dlq_signing import (
    CONSUMER_HEADER,
    DETAIL_HEADER,
    ORIGIN_HEADER,
    REASON_HEADER,
    SIGNED,
    VerifyKey,
    check_dead_letter,
    original_headers,
)
from shared.bus.kafka import make_producer
from shared.bus.topics import DLQ_SUFFIX, TopicNamespace, dlq_topic
from shared.clock import utcnow
from shared.crypto.keyfiles import PUBLIC_FILE
from shared.crypto.keyring import FileKeyring
from shared.errors import ConfigurationError, KeyringError
from shared.events.contracts import TOPICS

# Shapes a header value must have to be printed: opaque ids, codes, times.
_SAFE = {
    "ce_id": re.compile(r"[0-9a-f-]{36}"),
    "ce_subject": re.compile(r"[0-9a-f-]{36}"),
    "ce_source": re.compile(r"/heard/[a-z]{1,32}"),
    "ce_type": re.compile(r"heard(\.[a-z_]{1,40}){2,4}\.v\d{1,3}"),
    "ce_time": re.compile(r"[0-9T:.+-]{19,40}"),
    "ce_keyid": re.compile(r"[A-Za-z0-9._-]{1,100}"),
    REASON_HEADER: re.compile(r"[a-z][a-z0-9_-]{0,63}"),
    CONSUMER_HEADER: re.compile(r"[a-z][a-z0-9_-]{0,63}"),
    ORIGIN_HEADER: re.compile(r"[a-z][a-z0-9._-]{0,120}/\d{1,6}/\d{1,20}"),
}


@dataclass(frozen=True)
class DeadLetter:
    """One record on a dead-letter topic (logical name) and the verdict on its signature."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    headers: tuple[tuple[str, bytes | None], ...]
    value: bytes | None
    verdict: str

    @property
    def ref(self) -> str:
        """`<dlq topic>/<partition>/<offset>`: how `show` and `redrive` name it."""
        return f"{self.topic}/{self.partition}/{self.offset}"

    @property
    def origin_topic(self) -> str:
        """The topic the original record was on."""
        return self.topic.removesuffix(DLQ_SUFFIX)

    def attribute(self, name: str) -> str:
        """A header's value if it has a safe shape, else a note of its length."""
        values = [v for k, v in self.headers if k.lower() == name]
        if not values or values[-1] is None:
            return "-"
        text = values[-1].decode("utf-8", "replace")
        pattern = _SAFE.get(name)
        if pattern is not None and pattern.fullmatch(text):
            return text
        return f"[{len(values[-1])} bytes, not shown]"

    def event_time(self) -> datetime | None:
        """The original event's time, if it has one that parses."""
        try:
            return datetime.fromisoformat(self.attribute("ce_time"))
        except ValueError:
            return None


def public_keys(location: Path) -> VerifyKey:
    """Every service's public key: `public.json` in a keyring directory, or a keyring file."""
    if not location.is_dir():
        return FileKeyring.load(location).verify_key
    path = location / PUBLIC_FILE
    if not path.exists():
        raise ConfigurationError(f"no {PUBLIC_FILE} in {location}: run `heard keys init`")
    encoded: dict[str, str] = json.loads(path.read_text("utf-8"))["verify_keys"]
    keys = {s: Ed25519PublicKey.from_public_bytes(base64.b64decode(k)) for s, k in encoded.items()}

    def verify_key(service: str) -> Ed25519PublicKey:
        if service not in keys:
            raise KeyringError(f"no public key for {service!r}")
        return keys[service]

    return verify_key


def _dead_letter(record: ConsumerRecord, names: TopicNamespace, keys: VerifyKey) -> DeadLetter:
    topic = names.logical(record.topic)
    headers = tuple(record.headers or ())
    return DeadLetter(
        topic=topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        headers=headers,
        value=record.value,
        verdict=check_dead_letter(keys, topic, record.key, headers, record.value),
    )


async def read_dead_letters(
    bootstrap: str, names: TopicNamespace, keys: VerifyKey, topics: Iterable[str] = TOPICS
) -> list[DeadLetter]:
    """Every record now on the dead-letter topics of `topics` (logical), oldest first."""
    assigned = await _partitions(bootstrap, [names.physical(dlq_topic(t)) for t in topics])
    if not assigned:
        return []
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, client_id="heard-dlq"
    )
    await consumer.start()
    try:
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        records: list[ConsumerRecord] = []
        while [tp for tp in assigned if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(*assigned, timeout_ms=1000)
            records += [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    letters = [_dead_letter(r, names, keys) for r in records if r.offset < ends[_tp(r)]]
    return sorted(letters, key=lambda d: (d.topic, d.partition, d.offset))


async def _partitions(bootstrap: str, topics: list[str]) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="heard-dlq")
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], p["partition"])
        for topic in described
        if topic["error_code"] == 0
        for p in topic["partitions"]
    ]


def _tp(record: ConsumerRecord) -> TopicPartition:
    return TopicPartition(record.topic, record.partition)


def render_list(letters: list[DeadLetter]) -> str:
    """One line per dead letter: where, why, who refused, whether that is signed, what type."""
    header = f"{'dead letter':<30}{'reason':<22}{'consumer':<10}{'signature':<22}type"
    lines = [header] + [
        f"{d.ref:<30}{d.attribute(REASON_HEADER):<22}{d.attribute(CONSUMER_HEADER):<10}"
        f"{d.verdict:<22}{d.attribute('ce_type')}"
        for d in letters
    ]
    return "\n".join([*lines, f"{len(letters)} dead letter(s)"])


def render_one(letter: DeadLetter) -> str:
    """Everything about one dead letter that may be shown; never the sealed data."""
    detail = "[unverified, not shown]"
    if letter.verdict == SIGNED:  # written by Heard's own consumer, never with child data
        values = [v for k, v in letter.headers if k.lower() == DETAIL_HEADER]
        detail = (values[-1] or b"").decode("utf-8", "replace")[:500] if values else "-"
    value = letter.value or b""
    rows = [
        ("dead letter", letter.ref),
        ("signature", letter.verdict),
        ("reason", letter.attribute(REASON_HEADER)),
        ("detail", detail),
        ("refused by", letter.attribute(CONSUMER_HEADER)),
        ("origin", letter.attribute(ORIGIN_HEADER)),
        *[(name.removeprefix("ce_"), letter.attribute(name)) for name in _SAFE if "ce_" in name],
        ("headers", ", ".join(sorted({k for k, _ in original_headers(letter.headers)}))),
        ("value", f"{len(value)} bytes, sealed; sha256 {hashlib.sha256(value).hexdigest()}"),
    ]
    return "\n".join(f"{name:<12}{text}" for name, text in rows)


def too_old(letter: DeadLetter, inbox_days: float) -> bool:
    """Whether consumers may have purged their record of applying the event (inbox)."""
    time = letter.event_time()
    return time is not None and utcnow() - time > timedelta(days=inbox_days)


async def redrive(bootstrap: str, names: TopicNamespace, letters: Iterable[DeadLetter]) -> int:
    """Publish each dead letter's original record to its original topic; how many."""
    producer = make_producer(bootstrap, "heard-dlq-redrive")
    await producer.start()
    count = 0
    try:
        for letter in letters:
            await producer.send_and_wait(
                names.physical(letter.origin_topic),
                value=letter.value,
                key=letter.key,
                headers=original_headers(letter.headers),
            )
            count += 1
    finally:
        await producer.stop()
    return count


def select(
    letters: list[DeadLetter], refs: Iterable[str], matches: Callable[[DeadLetter], bool]
) -> list[DeadLetter]:
    """The dead letters named by `refs` (all of them if none is named) that `matches`."""
    wanted = set(refs)
    unknown = wanted - {d.ref for d in letters}
    if unknown:
        raise ConfigurationError(f"no such dead letter: {', '.join(sorted(unknown))}")
    return [d for d in letters if (not wanted or d.ref in wanted) and matches(d)]
