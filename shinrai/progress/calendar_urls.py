"""Milestone calendar feeds and the settings actions for a person's feed URL (namespace ``calendar``)."""

from django.urls import path, re_path

from . import calendar_views

app_name = "calendar"

# The secret is URL-safe base64 (``calendar_feed._new_secret``); anything else is a 404 before any lookup.
_SECRET = r"(?P<secret>[A-Za-z0-9_-]{20,100})"
# At most 18 digits: a larger number would overflow the database's integer instead of answering 404.
_PK = r"(?P<pk>[0-9]{1,18})"

urlpatterns = [
    re_path(rf"^calendar/{_SECRET}\.ics$", calendar_views.feed, name="feed"),
    re_path(
        rf"^calendar/{_SECRET}/projects/{_PK}\.ics$",
        calendar_views.project_feed,
        name="project_feed",
    ),
    path("me/calendar/new/", calendar_views.regenerate, name="regenerate"),
    path("me/calendar/revoke/", calendar_views.revoke, name="revoke"),
]
