"""In-app notifications and e-mail, as each person prefers: delivery, the reads behind the pages and API,
and the few writes (mark read, preferences).

Who hears of what is decided where the thing happens (the app's service passes ``recipients`` to
``events.emit``); this module decides *how*: an in-app row and/or an e-mail, per person and event, from their
``NotificationPreference`` (no row = both on).

Some apps already write their own e-mail for an event (the weekly report, a decision put to the sponsor, a
survey link): their text stays theirs and they ask :func:`wants_email` / :func:`email_off_ids` before sending.
For those events :func:`deliver` only creates the in-app rows, so nobody gets the e-mail twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinrai.core import access, locking
from shinrai.core.models import User
from shinrai.core.services import audit_record

from .models import Event, Notification, NotificationPreference

# Events whose e-mail the app that raises them writes itself (gated by wants_email); deliver() adds only the
# in-app row for these. The others (trouble disclosed, request due) are e-mailed by deliver().
EMAILED_BY_THE_APP = frozenset({Event.REPORT_PUBLISHED, Event.DECISION_NEEDED, Event.SURVEY_INVITATION})

PAGE_SIZE = 50


def is_internal_path(url: str) -> bool:
    """A path inside Shinrai ("/projects/3/"), never an outside address ("//evil", "https://…", "/\\evil")."""
    return (
        bool(url)
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
    )


# --- Preferences --------------------------------------------------------------------------------------------


def email_off_ids(user_ids: Iterable[int], event: str) -> set[int]:
    """Of ``user_ids``, those who turned e-mail off for ``event`` (one query)."""
    ids = [pk for pk in user_ids if pk is not None]
    if not ids:
        return set()
    return set(
        NotificationPreference.objects.filter(user__in=ids, event=event, email=False).values_list(
            "user_id", flat=True
        )
    )


def wants_email(user: User, event: str) -> bool:
    """Whether ``user`` wants e-mail about ``event`` (yes unless they turned it off)."""
    return user.pk not in email_off_ids([user.pk], event)


def preferences_of(user: User) -> list[dict]:
    """One row per event, in Event order: {"event", "label", "email", "in_app"} (no stored row = both on)."""
    stored = {p.event: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for event in Event:
        pref = stored.get(event.value)
        rows.append(
            {
                "event": event.value,
                "label": event.label,
                "email": pref.email if pref else True,
                "in_app": pref.in_app if pref else True,
            }
        )
    return rows


def preferences_state(user: User) -> str:
    """What a person's preferences are now, for the optimistic lock (``locking.token(user, ...)``)."""
    return locking.content_digest([[r["event"], r["email"], r["in_app"]] for r in preferences_of(user)])


def preferences_token(user: User) -> str:
    return locking.token(user, preferences_state)


@transaction.atomic
def preferences_save(*, user: User, choices: dict[str, tuple[bool, bool]]) -> list[dict]:
    """Store ``{event: (email, in_app)}`` for ``user``; unknown events are refused, missing ones untouched."""
    unknown = set(choices) - set(Event.values)
    if unknown:
        raise ValueError(f"unknown events: {sorted(unknown)}")

    def state(row: dict) -> str:  # the audit log keeps flat values: "email=off in_app=on"
        return f"email={'on' if row['email'] else 'off'} in_app={'on' if row['in_app'] else 'off'}"

    before = {row["event"]: state(row) for row in preferences_of(user)}
    for event, (email, in_app) in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, event=event, defaults={"email": bool(email), "in_app": bool(in_app)}
        )
    after = {row["event"]: state(row) for row in preferences_of(user)}
    changed = {event: value for event, value in after.items() if before[event] != value}
    if changed:
        audit_record(
            actor=user,
            action="notification_preferences.save",
            obj=user,
            before={event: before[event] for event in changed},
            after=changed,
        )
    return preferences_of(user)


# --- Delivery -----------------------------------------------------------------------------------------------


def _email_text(occurrence, person: User, title: str) -> tuple[str, str]:
    """Subject and body of the generic e-mail, in the active language (the caller overrides it)."""
    project = occurrence.project
    subject = f"[{project.name}] {title}" if project is not None else title
    link = settings.SITE_URL.rstrip("/") + occurrence.url if is_internal_path(occurrence.url) else ""
    paragraphs = [_("Dear %(name)s,") % {"name": person.display_name}, title]
    if link:
        paragraphs.append(_("See it here: %(url)s") % {"url": link})
    paragraphs.append(_("You can choose which e-mails Shinrai sends you in your settings."))
    return subject, "\n\n".join(paragraphs)


def deliver(occurrence, recipients: Iterable[User]) -> None:
    """Create in-app notifications and queue e-mails for ``recipients`` according to their preferences.

    Called by ``events.emit`` after the action's transaction committed. Inactive users are skipped, and so is
    the actor when the occurrence names one. Each person reads the title (and e-mail) in their own language.
    """
    from shinrai.core.tasks import send_email  # the tasks module imports settings-dependent backends

    actor = getattr(occurrence, "actor", None)
    people: dict[int, User] = {}
    for person in recipients:
        if person is None or not person.is_active or person.pk in people:
            continue
        if actor is not None and person.pk == getattr(actor, "pk", actor):
            continue
        people[person.pk] = person
    if not people:
        return
    event = Event(occurrence.event)
    prefs = {
        p.user_id: p for p in NotificationPreference.objects.filter(user__in=list(people), event=event.value)
    }
    url = occurrence.url if is_internal_path(occurrence.url) else ""
    rows = []
    mails = []
    for person in people.values():
        pref = prefs.get(person.pk)
        in_app = pref.in_app if pref else True
        email = (pref.email if pref else True) and event not in EMAILED_BY_THE_APP and bool(person.email)
        title = occurrence.subject_in(person.language)[:300]
        if in_app:
            rows.append(
                Notification(user=person, event=event.value, project=occurrence.project, title=title, url=url)
            )
        if email:
            with translation.override(person.language):
                subject, body = _email_text(occurrence, person, title)
            mails.append({"to": [person.email], "subject": subject, "body": body})
    Notification.objects.bulk_create(rows)
    for mail in mails:
        send_email.enqueue(**mail)


# --- Reads --------------------------------------------------------------------------------------------------


def notifications_for(user: User) -> QuerySet[Notification]:
    """The user's own notifications, newest first, without those of projects they can no longer see."""
    visible = access.projects_visible_to(user).values("pk")
    return (
        Notification.objects.filter(user=user)
        .filter(Q(project__isnull=True) | Q(project__in=visible))
        .select_related("project")
        .order_by("-created_at", "-pk")
    )


def unread_count(user: User) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def notification_for(user: User, pk) -> Notification:
    """One of the user's visible notifications, or 404 (someone else's answers the same as a missing one)."""
    try:
        return notifications_for(user).get(pk=int(pk))
    except (Notification.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


# --- Writes -------------------------------------------------------------------------------------------------


def notification_mark_read(
    *, user: User, notification: Notification, at: datetime | None = None
) -> Notification:
    """Mark one of the user's notifications read (once: the first reading time is kept)."""
    if notification.user_id != user.pk:
        raise Http404
    if notification.read_at is None:
        notification.read_at = at or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user: User, at: datetime | None = None) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=at or timezone.now())


# --- Requests due soon (daily) ------------------------------------------------------------------------------

DUE_WITHIN_BUSINESS_DAYS = 2
TOKYO = ZoneInfo("Asia/Tokyo")


def due_requests_notify(*, now: datetime | None = None) -> int:
    """Tell the project's vendor PMs about every customer request not yet answered that is due by the end of
    the second business day after today (Japan time). Once per request per day (Japan time): a second run on
    the same day tells nobody. Requests already overdue are not repeated (the requests page shows them).

    Returns how many requests were notified. Each request is handled in its own transaction; the audit event
    ``customer_request.due_notice`` (with the day) is the record that it was done.
    """
    from shinrai.core.models import AuditEvent, Role
    from shinrai.ledger.models import CustomerRequest
    from shinrai.progress.workdays import add_business_days

    from . import events

    now = now or timezone.now()
    today = now.astimezone(TOKYO).date()
    last_day = add_business_days(today, DUE_WITHIN_BUSINESS_DAYS)
    until = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=TOKYO)
    waiting = (CustomerRequest.Status.OPEN, CustomerRequest.Status.ACKNOWLEDGED)
    candidates = list(
        CustomerRequest.objects.filter(status__in=waiting, due_at__gt=now, due_at__lt=until)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    count = 0
    for request_id in candidates:
        with transaction.atomic():
            item = (
                CustomerRequest.objects.select_for_update()
                .select_related("project")
                .filter(pk=request_id, status__in=waiting)
                .first()
            )
            if item is None:
                continue  # answered or closed meanwhile
            done_today = AuditEvent.objects.filter(
                action="customer_request.due_notice",
                object_type=CustomerRequest._meta.label_lower,
                object_id=str(item.pk),
                after__day=today.isoformat(),
            ).exists()
            if done_today:
                continue
            project = item.project
            recipients = list(
                User.objects.filter(
                    memberships__project=project,
                    memberships__role=Role.VENDOR_PM,
                    organization=project.vendor_org_id,
                    is_active=True,
                )
                .distinct()
                .order_by("email")
            )
            audit_record(
                actor=None,
                action="customer_request.due_notice",
                obj=item,
                project=project,
                after={"day": today.isoformat(), "due_at": item.due_at, "notified": len(recipients)},
            )
            due = timezone.localtime(item.due_at, TOKYO).strftime("%Y-%m-%d %H:%M")
            events.emit(
                events.Occurrence(
                    event=Event.REQUEST_DUE,
                    project=project,
                    subject=gettext_lazy("Request due %(due)s: %(title)s"),
                    url=reverse("ledger:requests", args=[project.pk]),
                    params={"due": due, "title": item.title},
                    facts={"request": item.pk, "due_at": item.due_at.isoformat(), "status": item.status},
                ),
                recipients=recipients,
            )
            count += 1
    return count
