"""The event envelope (CloudEvents 1.0, Kafka binary mode), its codec and the contracts."""
