"""Project webhooks: Slack, Microsoft Teams and signed generic JSON (placeholder for now)."""

from __future__ import annotations


def enqueue(occurrence) -> None:
    """Queue one delivery per active webhook of the occurrence's project that subscribed to its event."""
