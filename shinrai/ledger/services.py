"""Write operations of the ledger app: one function per business action, transactional, audited."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from shinrai.core.models import Project, Role, User
from shinrai.core.services import audit_record
from shinrai.integrations import events, notifications
from shinrai.integrations.models import Event

from .chain import entry_hash, iso_utc
from .models import GENESIS_HASH, ChangeRequest, CustomerRequest, Entry


def _normalised_payload(payload: dict) -> dict:
    """The payload as it will read back from the database (JSON round trip; dates etc. become strings)."""
    if not isinstance(payload, dict):
        raise ValidationError({"payload": _("The details must be a JSON object.")})
    return json.loads(json.dumps(payload, default=str, ensure_ascii=False))


def ledger_append(
    *,
    by: User,
    project: Project,
    kind: str,
    subject: str,
    payload: dict,
    refers_to: Entry | None = None,
) -> Entry:
    """Append one entry to the project's chain and return it.

    Appends to one project are serialised by locking the project row (``select_for_update``), so two
    concurrent appends cannot both take the same ``seq``/``prev_hash``; the unique (project, seq) and
    unique hash constraints are the backstop. Runs inside the caller's transaction when there is one.
    """
    if kind not in Entry.Kind.values:
        raise ValidationError({"kind": _("Unknown ledger entry kind: %(kind)s") % {"kind": kind}})
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": _("A ledger entry needs a subject.")})
    if len(subject) > 300:
        subject = subject[:299] + "…"
    if kind == Entry.Kind.CORRECTION and refers_to is None:
        raise ValidationError({"refers_to": _("A correction must name the entry it corrects.")})
    if refers_to is not None and refers_to.project_id != project.pk:
        raise ValidationError({"refers_to": _("A correction must refer to an entry of the same project.")})
    payload = _normalised_payload(payload or {})
    with transaction.atomic():
        Project.objects.select_for_update().only("pk").get(pk=project.pk)
        last = Entry.objects.filter(project_id=project.pk).order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        entry = Entry(
            project=project,
            seq=seq,
            kind=kind,
            subject=subject,
            payload=payload,
            actor=by,
            created_at=timezone.now(),
            refers_to=refers_to,
            prev_hash=prev_hash,
        )
        entry.hash = entry_hash(entry)
        entry.save()
    return entry


# --- Customer requests --------------------------------------------------------------------------------------


def _request_step(*, by: User, request: CustomerRequest, step: str, subject: str, extra: dict | None = None):
    ledger_append(
        by=by,
        project=request.project,
        kind=Entry.Kind.CUSTOMER_REQUEST,
        subject=subject,
        payload={
            "request_id": request.pk,
            "step": step,
            "title": request.title,
            "due_at": iso_utc(request.due_at),
            **(extra or {}),
        },
    )


@transaction.atomic
def request_create(*, by: User, project: Project, title: str, body: str = "", due_at) -> CustomerRequest:
    """A customer asks for something by a due time."""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Write what you are asking for.")})
    if due_at is None:
        raise ValidationError({"due_at": _("Give the date and time it is due.")})
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    now = timezone.now()
    if due_at <= now:
        raise ValidationError({"due_at": _("The due time must be in the future.")})
    request = CustomerRequest.objects.create(
        project=project, title=title[:200], body=body or "", due_at=due_at, requested_by=by, created_at=now
    )
    audit_record(
        actor=by, action="customer_request.create", obj=request, project=project, after={"title": title}
    )
    _request_step(by=by, request=request, step="asked", subject=_("Request: %(t)s") % {"t": request.title})
    transaction.on_commit(lambda: _notify_request_made(request))
    return request


def _locked_request(request: CustomerRequest) -> CustomerRequest:
    return CustomerRequest.objects.select_for_update().select_related("project").get(pk=request.pk)


@transaction.atomic
def request_acknowledge(*, by: User, request: CustomerRequest) -> CustomerRequest:
    request = _locked_request(request)
    if request.status != CustomerRequest.Status.OPEN:
        raise ValidationError(_("Only a request that is waiting can be acknowledged."))
    request.status = CustomerRequest.Status.ACKNOWLEDGED
    request.acknowledged_at = timezone.now()
    request.acknowledged_by = by
    request.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    audit_record(actor=by, action="customer_request.acknowledge", obj=request, project=request.project)
    _request_step(
        by=by,
        request=request,
        step="acknowledged",
        subject=_("Request acknowledged: %(t)s") % {"t": request.title},
    )
    return request


@transaction.atomic
def request_answer(*, by: User, request: CustomerRequest, answer: str) -> CustomerRequest:
    request = _locked_request(request)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer.")})
    if request.status not in (CustomerRequest.Status.OPEN, CustomerRequest.Status.ACKNOWLEDGED):
        raise ValidationError(_("This request has already been answered or closed."))
    now = timezone.now()
    request.status = CustomerRequest.Status.ANSWERED
    request.answer = answer
    request.answered_at = now
    request.answered_by = by
    if request.acknowledged_at is None:
        request.acknowledged_at, request.acknowledged_by = now, by
    request.save(
        update_fields=["status", "answer", "answered_at", "answered_by", "acknowledged_at", "acknowledged_by"]
    )
    audit_record(actor=by, action="customer_request.answer", obj=request, project=request.project)
    _request_step(
        by=by,
        request=request,
        step="answered",
        subject=_("Request answered: %(t)s") % {"t": request.title},
        extra={"answer": answer, "on_time": now <= request.due_at},
    )
    transaction.on_commit(lambda: _notify_request_answered(request))
    return request


@transaction.atomic
def request_close(*, by: User, request: CustomerRequest) -> CustomerRequest:
    request = _locked_request(request)
    if request.status == CustomerRequest.Status.CLOSED:
        raise ValidationError(_("This request is already closed."))
    request.status = CustomerRequest.Status.CLOSED
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "closed_at"])
    audit_record(actor=by, action="customer_request.close", obj=request, project=request.project)
    _request_step(
        by=by, request=request, step="closed", subject=_("Request closed: %(t)s") % {"t": request.title}
    )
    return request


# --- Change requests ----------------------------------------------------------------------------------------


def _int_field(value, field: str, message: str) -> int:
    try:
        return int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        raise ValidationError({field: message}) from None


@transaction.atomic
def change_create(
    *,
    by: User,
    project: Project,
    title: str,
    description: str,
    reason: str,
    cost_impact,
    schedule_impact_days,
    requested_by: str = "",
) -> ChangeRequest:
    """The vendor drafts a change request (not yet shown to the customer)."""
    errors = {}
    for name, value, message in (
        ("title", title, _("Give the change a title.")),
        ("description", description, _("Describe what changes.")),
        ("reason", reason, _("Give the reason for the change.")),
    ):
        if not (value or "").strip():
            errors[name] = message
    if errors:
        raise ValidationError(errors)
    cost = _int_field(cost_impact or 0, "cost_impact", _("The cost impact must be a whole number of yen."))
    days = _int_field(
        schedule_impact_days or 0,
        "schedule_impact_days",
        _("The schedule impact must be a whole number of days."),
    )
    change = ChangeRequest.objects.create(
        project=project,
        title=title.strip()[:200],
        description=description.strip(),
        reason=reason.strip(),
        cost_impact=cost,
        schedule_impact_days=days,
        requested_by=(requested_by or "").strip()[:200] or by.get_full_name(),
        created_by=by,
    )
    audit_record(
        actor=by, action="change_request.create", obj=change, project=project, after={"title": change.title}
    )
    return change


def _change_payload(change: ChangeRequest, step: str, **extra) -> dict:
    return {
        "change_request_id": change.pk,
        "step": step,
        "title": change.title,
        "description": change.description,
        "reason": change.reason,
        "cost_impact": change.cost_impact,
        "schedule_impact_days": change.schedule_impact_days,
        "requested_by": change.requested_by,
        **extra,
    }


def _locked_change(change: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update().select_related("project").get(pk=change.pk)


@transaction.atomic
def change_propose(*, by: User, change: ChangeRequest) -> ChangeRequest:
    change = _locked_change(change)
    if change.status != ChangeRequest.Status.DRAFT:
        raise ValidationError(_("Only a draft can be proposed to the customer."))
    change.status = ChangeRequest.Status.PROPOSED
    change.proposed_at = timezone.now()
    change.save(update_fields=["status", "proposed_at"])
    audit_record(actor=by, action="change_request.propose", obj=change, project=change.project)
    ledger_append(
        by=by,
        project=change.project,
        kind=Entry.Kind.CHANGE_REQUEST,
        subject=_("Change proposed: %(t)s") % {"t": change.title},
        payload=_change_payload(change, "proposed"),
    )
    transaction.on_commit(lambda: _notify_change_proposed(change))
    project = change.project
    events.emit(
        events.Occurrence(
            event=Event.DECISION_NEEDED,
            project=project,
            subject=gettext_lazy("A change needs your decision: %(title)s"),
            url=reverse("ledger:portal", args=[project.pk]),
            params={"title": change.title},
            facts={
                "change_request": change.pk,
                "cost_impact": change.cost_impact,
                "schedule_impact_days": change.schedule_impact_days,
            },
        ),
        recipients=_members(project, [Role.CUSTOMER_SPONSOR], project.customer_org_id),
    )
    return change


@transaction.atomic
def change_withdraw(*, by: User, change: ChangeRequest) -> ChangeRequest:
    change = _locked_change(change)
    if change.status not in (ChangeRequest.Status.DRAFT, ChangeRequest.Status.PROPOSED):
        raise ValidationError(_("A decided change request cannot be withdrawn."))
    was_proposed = change.status == ChangeRequest.Status.PROPOSED
    change.status = ChangeRequest.Status.WITHDRAWN
    change.save(update_fields=["status"])
    audit_record(actor=by, action="change_request.withdraw", obj=change, project=change.project)
    if was_proposed:  # a draft the customer never saw needs no ledger entry
        ledger_append(
            by=by,
            project=change.project,
            kind=Entry.Kind.CHANGE_REQUEST,
            subject=_("Change withdrawn: %(t)s") % {"t": change.title},
            payload=_change_payload(change, "withdrawn"),
        )
    return change


@transaction.atomic
def change_decide(*, by: User, change: ChangeRequest, approve: bool, note: str = "") -> ChangeRequest:
    """The customer sponsor approves or rejects a proposed change (the caller checked Perm.DECIDE)."""
    from .selectors import contract_value

    change = _locked_change(change)
    if change.status != ChangeRequest.Status.PROPOSED:
        raise ValidationError(_("Only a change waiting for your decision can be approved or rejected."))
    Project.objects.select_for_update().only("pk").get(pk=change.project_id)
    now = timezone.now()
    before = contract_value(change.project)
    change.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REJECTED
    change.decided_by, change.decided_at, change.decision_note = by, now, (note or "").strip()
    extra = {"note": change.decision_note}
    if approve:
        if before.current is not None:
            change.value_after = before.current + change.cost_impact
        extra |= {"contract_value_before": before.current, "contract_value_after": change.value_after}
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "value_after"])
    audit_record(
        actor=by,
        action="change_request.approve" if approve else "change_request.reject",
        obj=change,
        project=change.project,
    )
    ledger_append(
        by=by,
        project=change.project,
        kind=Entry.Kind.CHANGE_REQUEST,
        subject=(_("Change approved: %(t)s") if approve else _("Change rejected: %(t)s"))
        % {"t": change.title},
        payload=_change_payload(change, "approved" if approve else "rejected", **extra),
    )
    return change


@transaction.atomic
def record_entry(
    *,
    by: User,
    project: Project,
    kind: str,
    subject: str,
    details: str = "",
    agreed_with: str = "",
    corrects: int | None = None,
) -> Entry:
    """The vendor records an agreement, sign-off or decision made outside the app, or corrects an entry.

    A correction names the earlier entry by its number; the earlier entry itself never changes.
    """
    if kind not in (Entry.Kind.AGREEMENT, Entry.Kind.SIGN_OFF, Entry.Kind.DECISION, Entry.Kind.CORRECTION):
        raise ValidationError({"kind": _("Choose what kind of entry this is.")})
    refers_to = None
    if kind == Entry.Kind.CORRECTION:
        if not corrects:
            raise ValidationError({"corrects": _("Give the number of the entry this corrects.")})
        refers_to = Entry.objects.filter(project=project, seq=corrects).first()
        if refers_to is None:
            raise ValidationError(
                {"corrects": _("There is no entry #%(n)s in this ledger.") % {"n": corrects}}
            )
    elif corrects:
        raise ValidationError({"corrects": _("Only a correction refers to an earlier entry.")})
    payload = {"details": (details or "").strip(), "agreed_with": (agreed_with or "").strip()}
    entry = ledger_append(
        by=by, project=project, kind=kind, subject=subject, payload=payload, refers_to=refers_to
    )
    audit_record(
        actor=by, action="ledger.record", obj=entry, project=project, after={"seq": entry.seq, "kind": kind}
    )
    return entry


# --- E-mail (through the task queue, after commit) -----------------------------------------------------


def _members(project: Project, roles, org_id) -> list[User]:
    return list(
        User.objects.filter(
            memberships__project=project, memberships__role__in=roles, organization=org_id, is_active=True
        )
        .distinct()
        .order_by("email")
    )


def _send(
    users, url_name: str, project: Project, subject: str, lead: str, values: dict, event: str | None = None
) -> None:
    """E-mail ``users``; with ``event``, not those who turned e-mail off for it."""
    from shinrai.core.tasks import send_email

    url = settings.SITE_URL.rstrip("/") + reverse(url_name, args=[project.pk])
    email_off = notifications.email_off_ids([user.pk for user in users], event) if event else set()
    for user in users:
        if user.pk in email_off:
            continue
        with translation.override(user.language):
            text = {**values, "project": project.name, "name": user.display_name, "url": url}
            body = "\n\n".join([_("Dear %(name)s,") % text, _(lead) % text, _("See it here: %(url)s") % text])
            subject_text = _(subject) % text
        send_email.enqueue(to=[user.email], subject=subject_text, body=body)


def _notify_request_made(request: CustomerRequest) -> None:
    """A new request goes to the project's vendor PMs."""
    project = request.project
    _send(
        _members(project, [Role.VENDOR_PM], project.vendor_org_id),
        "ledger:requests",
        project,
        gettext_noop("[%(project)s] New request from the customer: %(title)s"),
        gettext_noop("%(asker)s asks: %(title)s. Due: %(due)s."),
        {
            "title": request.title,
            "asker": request.requested_by.get_full_name(),
            "due": timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M"),
        },
    )


def _notify_request_answered(request: CustomerRequest) -> None:
    """The answer goes to the person who asked."""
    _send(
        [request.requested_by] if request.requested_by.is_active else [],
        "ledger:portal",
        request.project,
        gettext_noop("[%(project)s] Your request was answered: %(title)s"),
        gettext_noop('The project team answered your request "%(title)s".'),
        {"title": request.title},
    )


def _notify_change_proposed(change: ChangeRequest) -> None:
    """A proposed change goes to the customer's sponsors, who decide."""
    project = change.project
    _send(
        _members(project, [Role.CUSTOMER_SPONSOR], project.customer_org_id),
        "ledger:portal",
        project,
        gettext_noop("[%(project)s] A change needs your decision: %(title)s"),
        gettext_noop(
            "The project team proposes a change: %(title)s (cost %(cost)s yen, schedule %(days)s days). "
            "Please approve or reject it."
        ),
        {
            "title": change.title,
            "cost": f"{change.cost_impact:+,}",
            "days": f"{change.schedule_impact_days:+d}",
        },
        event=Event.DECISION_NEEDED,
    )
