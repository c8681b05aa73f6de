"""Access expectations: notifications (pages and API).

Notifications are personal: every signed-in user has a list, an unread count and preferences of their own.
A notification is its owner's only: ``own`` is one of the signed-in user's, ``other`` belongs to someone else
and answers 404 (page) / 404 (API), exactly like a missing one.
"""

from __future__ import annotations

from .matrix import Expect, page

OWNED_TARGETS = ("own", "other")


def _notification_kwargs(cast, target, user):
    from shinrai.integrations.models import Event, Notification

    owner = user if (target == "own" and user is not None) else cast.users["vendor_pm"]
    if target == "other" and user is not None and user == owner:
        owner = cast.users["vendor_manager"]
    item = Notification.objects.create(user=owner, event=Event.REQUEST_DUE, title="期限が近い依頼", url="/")
    return {"notification_id": item.pk}


def _owned(success: int, *, anonymous: int):
    def status(role, target):
        if role == "anonymous":
            return anonymous
        return success if target == "own" else 404

    return status


def _preferences_data(cast, target, user):
    return {"preferences": [{"event": "report_published", "email": False, "in_app": True}]}


EXPECTATIONS: dict[str, Expect] = {
    # Pages: one's own list and preferences; anonymous visitors are sent to log in.
    "integrations:notifications": Expect(page()),
    "integrations:notification_open": Expect(_owned(302, anonymous=302), _notification_kwargs, OWNED_TARGETS),
    "integrations:notifications_read_all": Expect(page(302), method="post"),
    "integrations:notification_preferences": Expect(page()),
    # API: 401 without credentials.
    "api:list_notifications": Expect(page(200, 401)),
    "api:notifications_unread_count": Expect(page(200, 401)),
    "api:mark_all_notifications_read": Expect(page(200, 401), method="post"),
    "api:mark_notification_read": Expect(
        _owned(200, anonymous=401), _notification_kwargs, OWNED_TARGETS, method="post"
    ),
    "api:get_notification_preferences": Expect(page(200, 401)),
    "api:update_notification_preferences": Expect(page(200, 401), method="put", data=_preferences_data),
}
