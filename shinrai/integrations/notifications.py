"""In-app notifications and e-mail, as each person prefers (placeholder: the notifications work fills it)."""

from __future__ import annotations


def deliver(occurrence, recipients) -> None:
    """Create in-app notifications and queue e-mails for ``recipients`` according to their preferences."""
