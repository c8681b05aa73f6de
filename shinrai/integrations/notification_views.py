"""Pages: the list of one's notifications (open, mark all read) and one's notification preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shinrai.core import locking

from . import notifications as svc
from .notification_forms import PreferencesForm


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(svc.notifications_for(request.user), svc.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "integrations/notifications.html", {"page": page})


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark read and go to what it is about (only a path inside Shinrai; anything else goes to the list)."""
    notification = svc.notification_for(request.user, notification_id)
    svc.notification_mark_read(user=request.user, notification=notification)
    if svc.is_internal_path(notification.url):
        return redirect(notification.url)
    return redirect("integrations:notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = svc.notifications_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("integrations:notifications")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    rows = svc.preferences_of(request.user)
    initial = {locking.LOCK_FIELD: svc.preferences_token(request.user)}
    form = PreferencesForm(request.POST or None, rows=rows, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # Two windows open on this page: the later save must not undo the earlier one unseen.
            with locking.guard(request.user, form.lock_token, state_of=svc.preferences_state):
                svc.preferences_save(user=request.user, choices=form.choices())
        except locking.Stale as stale:
            return locking.conflict(
                request,
                "integrations/notification_preferences.html",
                {},
                form=form,
                stale=stale,
                new_token=svc.preferences_token(request.user),
                extra_rows=_preference_rows(svc.preferences_of(request.user), form.choices()),
            )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("integrations:notification_preferences")
    return render(request, "integrations/notification_preferences.html", {"form": form})


def _preference_rows(stored: list[dict], chosen: dict[str, tuple[bool, bool]]) -> list[locking.ConflictRow]:
    def line(email: bool, in_app: bool) -> str:
        return _("E-mail: %(email)s, in Shinrai: %(in_app)s") % {
            "email": locking.show(email),
            "in_app": locking.show(in_app),
        }

    return [
        locking.ConflictRow(str(row["label"]), line(row["email"], row["in_app"]), line(*chosen[row["event"]]))
        for row in stored
    ]
