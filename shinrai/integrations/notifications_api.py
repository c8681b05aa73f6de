"""API: one's own notifications (list, unread count, mark read) and notification preferences."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination

from . import notifications as svc
from .models import Event

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    event: str = Field(
        description="report_published, decision_needed, request_due, trouble_disclosed, survey_invitation"
    )
    project: int | None
    title: str = Field(description="In the language of the user at the time it was created")
    url: str = Field(description="A path inside Shinrai")
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_project(obj) -> int | None:
        return obj.project_id if not isinstance(obj, dict) else obj["project"]


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    event: str
    email: bool
    in_app: bool


class PreferenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    event: Event
    email: bool
    in_app: bool


class PreferencesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    preferences: list[PreferenceIn] = Field(
        description="The events to change; events left out stay as they are"
    )


def _out(item) -> dict:
    return {
        "id": item.pk,
        "event": item.event,
        "project": item.project_id,
        "title": item.title,
        "url": item.url,
        "created_at": item.created_at,
        "read_at": item.read_at,
    }


def _preferences_out(rows: list[dict]) -> list[dict]:
    return [{"event": row["event"], "email": row["email"], "in_app": row["in_app"]} for row in rows]


@router.get("/notifications", response=list[NotificationOut], summary="Your notifications, newest first")
@paginate(Pagination)
def list_notifications(request, unread: bool = False):
    found = svc.notifications_for(request.auth)
    if unread:
        found = found.filter(read_at__isnull=True)
    return found  # a queryset: the paginator fetches only the page asked for


@router.get(
    "/notifications/unread-count", response=UnreadOut, summary="How many of your notifications are unread"
)
def notifications_unread_count(request):
    return {"unread": svc.unread_count(request.auth)}


@router.post("/notifications/read-all", response=MarkedOut, summary="Mark all your notifications read")
def mark_all_notifications_read(request):
    return {"marked": svc.notifications_mark_all_read(user=request.auth)}


@router.post(
    "/notifications/{int:notification_id}/read",
    response=NotificationOut,
    summary="Mark one of your notifications read (404 for anyone else's)",
)
def mark_notification_read(request, notification_id: int):
    item = svc.notification_for(request.auth, notification_id)
    return _out(svc.notification_mark_read(user=request.auth, notification=item))


@router.get(
    "/me/notification-preferences",
    response=list[PreferenceOut],
    summary="How you are told about each event (e-mail, in Shinrai)",
)
def get_notification_preferences(request, response: HttpResponse):
    """The ``ETag`` header names these settings; send it back as ``If-Match`` when changing them."""
    response["ETag"] = f'"{svc.preferences_token(request.auth)}"'
    return _preferences_out(svc.preferences_of(request.auth))


@router.put(
    "/me/notification-preferences",
    response=list[PreferenceOut],
    summary="Change how you are told about some events; returns all of them",
)
def update_notification_preferences(request, response: HttpResponse, payload: PreferencesIn):
    """412 when ``If-Match`` names older settings (changed since they were read, e.g. in another window)."""
    user = request.auth
    choices = {item.event.value: (item.email, item.in_app) for item in payload.preferences}
    with sync.if_match(request, user, current_etag=lambda: f'"{svc.preferences_token(user)}"'):
        svc.preferences_save(user=user, choices=choices)
    response["ETag"] = f'"{svc.preferences_token(user)}"'
    return _preferences_out(svc.preferences_of(user))
