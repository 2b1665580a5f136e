"""The event bus: outbox and relay out, consumer loop and inbox in, dead letters aside."""
