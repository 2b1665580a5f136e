"""docs/asyncapi.yaml is generated from the contracts and must not be stale."""

from __future__ import annotations

import yaml

from shared.events.asyncapi import DOC_PATH, build_document, render
from shared.events.contracts import ALL_CONTRACTS


def test_committed_document_matches_the_models() -> None:
    assert DOC_PATH.read_text("utf-8") == render(), (
        "docs/asyncapi.yaml is stale: run `python -m shared.events.asyncapi`"
    )


def test_every_contract_is_a_message_on_its_topic() -> None:
    document = build_document()
    for contract in ALL_CONTRACTS:
        channel = document["channels"][contract.topic]
        assert contract.__name__ in channel["messages"]
        assert document["components"]["messages"][contract.__name__]["name"] == contract.type_name


def test_document_is_valid_yaml() -> None:
    assert yaml.safe_load(render())["asyncapi"] == "3.0.0"
