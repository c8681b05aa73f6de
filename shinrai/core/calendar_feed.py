"""A person's calendar feed URL: the secret in it, and who it belongs to.

Calendar programs (Outlook, Google Calendar, Apple Calendar) subscribe to a URL and fetch it without logging
in, so the URL itself is the credential. Only a SHA-256 digest of the secret is stored, as for API tokens;
the clear URL is shown once, when it is made. Making a new one replaces the digest (the old URL stops
working at once); revoking deletes it. What a feed shows is decided by ``access`` for the token's owner at
every fetch, so a removed membership or a deactivated person takes effect immediately.

The feed itself (milestones as iCalendar) is built by ``shinrai.progress.calendar``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import selectors
from .models import CalendarFeedToken, Project, User
from .services import _token_digest, audit_record

# Calendar programs poll every few minutes to hours; "last used" is recorded at most this often so that
# polling does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=15)
# The settings page keeps a freshly made secret in the session until it has shown it once (like API tokens).
NEW_SECRET_SESSION_KEY = "new_calendar_feed_secret"


def _new_secret() -> str:
    # 32 random bytes, URL-safe: 43 characters of [A-Za-z0-9_-] (the pattern in ``progress.calendar_urls``).
    return secrets.token_urlsafe(32)


@transaction.atomic
def calendar_feed_token_issue(*, user: User) -> str:
    """Give ``user`` a new calendar feed secret, replacing any earlier one; returns the clear secret once.

    The earlier URL stops working in the same transaction.
    """
    # Lock the person's row so that two clicks at once cannot both create a token (one per person).
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()
    clear = _new_secret()
    now = timezone.now()
    token = CalendarFeedToken.objects.filter(user=user).first()
    if token is None:
        token = CalendarFeedToken.objects.create(user=user, digest=_token_digest(clear), created_at=now)
        audit_record(actor=user, action="calendar_feed.create", obj=token, after={"created_at": now})
        return clear
    before = {"created_at": token.created_at}
    token.digest = _token_digest(clear)
    token.created_at = now
    token.last_used_at = None
    token.save(update_fields=["digest", "created_at", "last_used_at"])
    audit_record(
        actor=user, action="calendar_feed.regenerate", obj=token, before=before, after={"created_at": now}
    )
    return clear


@transaction.atomic
def calendar_feed_token_revoke(*, user: User) -> bool:
    """Stop ``user``'s calendar feed URL. False when there was none."""
    token = CalendarFeedToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        return False
    audit_record(
        actor=user, action="calendar_feed.revoke", obj=token, before={"created_at": token.created_at}
    )
    token.delete()
    return True


def calendar_feed_user(secret: str) -> User | None:
    """The active person whose feed URL carries ``secret``, or None (unknown, revoked or deactivated).

    The secret is found by its digest (an indexed equality lookup): the time it takes does not depend on how
    much of a guess matches, since a guess and the secret share no prefix of their digests by design.
    Records when the URL was last used, at most every ``LAST_USED_RESOLUTION``.
    """
    token = (
        CalendarFeedToken.objects.select_related("user__organization")
        .filter(digest=_token_digest(secret))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def calendar_feed_token_for(*, user: User) -> CalendarFeedToken | None:
    """The person's own feed token (never the secret: only when it was made and last used), or None."""
    return CalendarFeedToken.objects.filter(user=user).first()


def calendar_feed_url(secret: str, *, project_pk: int | None = None) -> str:
    """The absolute feed URL, on the site's public address (``SHINRAI_SITE_URL``), as calendars need it."""
    if project_pk is None:
        path = reverse("calendar:feed", kwargs={"secret": secret})
    else:
        path = reverse("calendar:project_feed", kwargs={"secret": secret, "pk": project_pk})
    return settings.SITE_URL.rstrip("/") + path


@dataclass(frozen=True)
class FeedLinks:
    """The URLs to give a calendar program, shown once after the secret is made."""

    url: str  # every project the person may see
    webcal_url: str  # the same, for a one-click subscription (Apple Calendar, Outlook on the desktop)
    projects: list[tuple[Project, str]]  # one URL per project


def calendar_feed_links(*, user: User, secret: str) -> FeedLinks:
    """The feed URLs carrying ``secret``, one per project the person may see. Two queries."""
    url = calendar_feed_url(secret)
    return FeedLinks(
        url=url,
        webcal_url="webcal://" + url.split("://", 1)[1],
        projects=[
            (project, calendar_feed_url(secret, project_pk=project.pk))
            for project in selectors.portal_projects(user=user)
        ],
    )
