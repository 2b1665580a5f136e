"""Triage: decides category, urgency, queue and deadlines for each complaint."""
