"""Each service holds only its own keys: what one compromised process could do is bounded.

Tried: intake signing as triage, intake opening `triage`, audit opening any topic
that carries a child's words, a service started with another's keyring, a production process
started with every key, and a new key id met before it was distributed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.keys import holdings, init_keys
from shared.crypto.keyfiles import distribute_key, load_service_keyring
from shared.crypto.keyring import FileKeyring, new_keyring_document, save_keyring_file
from shared.errors import ConfigurationError, KeyNotYetKnown, KeyringError, ProducerNotAllowed
from shared.events.codec import EventCodec
from shared.events.contracts import ComplaintTriaged
from shared.runtime import open_runtime
from shared.settings import ServiceSettings
from tests.support.events import submitted


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    init_keys(directory)
    return directory


def _codec(keys: Path, service: str) -> EventCodec:
    return EventCodec(load_service_keyring(keys, service), service)


def _triaged() -> ComplaintTriaged:
    complaint = submitted()
    return ComplaintTriaged(
        complaint_id=complaint.complaint_id,
        triaged_at=complaint.submitted_at,
        category="other",
        urgency="standard",
        priority=4,
        queue="general",
        respond_by=complaint.submitted_at,
        rule_set="test",
    )


def test_intake_holds_no_other_services_signing_key(keys: Path) -> None:
    intake = load_service_keyring(keys, "intake")
    with pytest.raises(KeyringError):
        intake.signing_key("triage")
    with pytest.raises(ProducerNotAllowed):
        _codec(keys, "intake").encode(_triaged(), subject="c")
    assert intake.verify_key("triage") is not None  # it can still check triage's signatures


def test_intake_cannot_open_topics_it_has_no_business_reading(keys: Path) -> None:
    intake = load_service_keyring(keys, "intake")
    with pytest.raises(KeyringError):
        intake.current_data_key("triage")
    record = _codec(keys, "triage").encode(_triaged(), subject="c")
    with pytest.raises(KeyNotYetKnown):
        _codec(keys, "intake").decode(record.topic, record.key, record.headers, record.value)


def test_audit_cannot_open_anything_about_a_child(keys: Path) -> None:
    audit = load_service_keyring(keys, "audit")
    for topic in ("complaints", "triage", "cases"):
        with pytest.raises(KeyringError):
            audit.current_data_key(topic)
    event = submitted()
    record = _codec(keys, "intake").encode(event, subject=str(event.complaint_id))
    # It still verifies who said it, which is all the log needs.
    assert _codec(keys, "audit").verify(record.topic, record.key, record.headers, record.value)


def test_holdings_follow_from_what_each_service_emits_and_opens() -> None:
    held = holdings()
    assert set(held["intake"]) == {"complaints", "cases", "statistics"}
    assert set(held["triage"]) == {"complaints", "triage", "statistics"}
    assert set(held["casework"]) == {"complaints", "triage", "cases", "statistics"}
    assert not {"complaints", "triage", "cases"} & set(held["audit"])


def test_no_file_holds_another_services_secrets(keys: Path) -> None:
    for service in ("intake", "triage", "casework", "audit"):
        document = FileKeyring.load(keys / f"{service}.json").document()
        assert set(document["signing_keys"]) == {service}
        assert all(name.startswith(f"{service}/") for name in document["secrets"])


async def test_a_service_refuses_another_services_keyring(tmp_path: Path, keys: Path) -> None:
    (keys / "triage.json").replace(keys / "intake.json")
    settings = ServiceSettings(database_url=f"sqlite:///{tmp_path / 'x.db'}", HEARD_KEYRING=keys)
    with pytest.raises(ConfigurationError, match="triage's keyring"):
        async with open_runtime("intake", settings):
            pass


async def test_a_production_process_refuses_a_keyring_with_every_key(tmp_path: Path) -> None:
    path = tmp_path / "everything.json"
    save_keyring_file(path, new_keyring_document())
    settings = ServiceSettings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}", HEARD_KEYRING=path, HEARD_ENV="production"
    )
    with pytest.raises(ConfigurationError, match="its own keyring"):
        async with open_runtime("intake", settings):
            pass


def test_a_distributed_key_is_picked_up_by_reloading_not_dead_lettered(keys: Path) -> None:
    reader = _codec(keys, "triage")  # loaded before the rotation
    key_id = distribute_key(keys, "complaints")
    writer_keys = load_service_keyring(keys, "intake")
    writer_keys.document()["data_keys"]["complaints"]["current"] = key_id
    event = submitted()
    record = EventCodec(writer_keys, "intake").encode(event, subject=str(event.complaint_id))
    opened = reader.decode(record.topic, record.key, record.headers, record.value)
    assert opened.envelope.keyid == key_id
