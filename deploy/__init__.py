"""How Heard runs on one machine: the broker, databases, processes and the `heard` CLI."""
