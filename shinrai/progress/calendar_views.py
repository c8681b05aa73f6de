"""The milestone calendar feeds (no login: the secret in the URL is the credential) and the settings actions
that make and stop a person's feed URL. The URL itself is shown on the settings page (``core:me``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shinrai.core import access, calendar_feed

from . import calendar


def _feed_user(secret: str):
    user = calendar_feed.calendar_feed_user(secret)
    if user is None:
        raise Http404  # unknown, replaced, revoked or deactivated: all look the same
    return user


def _ics(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Personal data behind a secret URL: never kept by a shared cache.
    response["Cache-Control"] = "private"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def feed(request: HttpRequest, secret: str) -> HttpResponse:
    """Milestones, weekly report deadlines and open customer requests of every project the feed's owner may
    see (closed projects left out)."""
    user = _feed_user(secret)
    return _ics(
        calendar.milestones_ical(
            user=user,
            milestones=calendar.feed_milestones(user=user),
            report_deadlines=calendar.feed_report_deadlines(user=user),
            requests=calendar.feed_requests(user=user),
        )
    )


@require_safe
def project_feed(request: HttpRequest, secret: str, pk: str) -> HttpResponse:
    """The same for one project; 404 when the feed's owner may not see it."""
    user = _feed_user(secret)
    project, _role = access.project_for(user, pk)
    return _ics(
        calendar.milestones_ical(
            user=user,
            milestones=calendar.feed_milestones(user=user, project=project),
            project=project,
            report_deadlines=calendar.feed_report_deadlines(user=user, project=project),
            requests=calendar.feed_requests(user=user, project=project),
        )
    )


def _settings_section() -> HttpResponse:
    return redirect(reverse("core:me") + "#calendar")


@login_required
@require_POST
def regenerate(request: HttpRequest) -> HttpResponse:
    """Make the person's feed URL, or replace it (the old one stops working); it is shown once."""
    request.session[calendar_feed.NEW_SECRET_SESSION_KEY] = calendar_feed.calendar_feed_token_issue(
        user=request.user
    )
    return _settings_section()


@login_required
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    if calendar_feed.calendar_feed_token_revoke(user=request.user):
        messages.success(
            request, _("Your calendar URL no longer works. Calendars subscribed to it stop updating.")
        )
    return _settings_section()
