"""Intake: receives complaints, issues receipt codes and keeps the child's view of the case."""
