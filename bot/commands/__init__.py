"""Staff command groups of `python -m bot` (feedback, handoff, stats, privacy)."""
