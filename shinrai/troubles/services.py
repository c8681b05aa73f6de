"""Write operations of the troubles app: one function per business action, transactional, audited.

The lifecycle: open → analysing → options_proposed → decided → follow_up → closed. Every write on a trouble
goes through ``_save`` which bumps ``version`` with a conditional UPDATE (``WHERE version = <the version the
editor saw>``): if someone else saved in between, nothing is written and ``StaleEdit`` is raised.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinrai.core import access, locking
from shinrai.core.access import Perm
from shinrai.core.models import AuditEvent, Project, User, Visibility
from shinrai.core.services import audit_record
from shinrai.core.tasks import send_email
from shinrai.integrations import events, notifications
from shinrai.integrations.models import Event

from .models import Decision, FollowUp, InternalNote, Option, Prevention, RootCause, Trouble

S = Trouble.Status
TROUBLE_FIELDS = (
    "kind",
    "title",
    "facts",
    "detected_at",
    "found_by",
    "quality_impact",
    "cost_impact",
    "schedule_impact_days",
    "probability",
    "severity",
    "owner",
)
# Options can be added and proposed while the trouble is still being worked out.
OPEN_FOR_OPTIONS = (S.OPEN, S.ANALYSING, S.OPTIONS_PROPOSED)


class StaleEdit(locking.Stale):
    """Someone else saved the trouble after this editor loaded it."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else changed this trouble after you opened it. Your changes were not saved: "
                "reload the page, check their changes and edit again."
            )
        )


def _jsonable(value):
    if isinstance(value, User):
        return value.display_name
    if isinstance(value, datetime | date | Decimal):
        return str(value)
    return value


def _save(trouble: Trouble, *, expected_version: int, changed: dict) -> Trouble:
    """Write ``changed`` ({field: (before, after)}) if the row still has ``expected_version``; bump it."""
    now = timezone.now()
    values = {name: after for name, (_before, after) in changed.items()}
    rows = Trouble.objects.filter(pk=trouble.pk, version=expected_version).update(
        **values, version=F("version") + 1, updated_at=now
    )
    if rows != 1:
        raise StaleEdit()
    for name, value in values.items():
        setattr(trouble, name, value)
    trouble.version = expected_version + 1
    trouble.updated_at = now
    return trouble


def _audit(*, by, action, trouble, changed: dict | None = None, extra: dict | None = None) -> None:
    changed = changed or {}
    audit_record(
        actor=by,
        action=action,
        obj=trouble,
        project=trouble.project,
        before={k: _jsonable(v[0]) for k, v in changed.items()},
        after={k: _jsonable(v[1]) for k, v in changed.items()} | {"ref": trouble.ref} | (extra or {}),
    )


def _require(user: User, perm: Perm, project: Project) -> None:
    if not access.has_perm(user, perm, project):
        raise PermissionError(f"{perm} needed")


def _check_fields(fields: dict, *, is_new: bool, kind: str | None = None) -> None:
    errors = {}
    if (is_new or "title" in fields) and not (fields.get("title") or "").strip():
        errors["title"] = _("Give the trouble a short title.")
    if (is_new or "facts" in fields) and not (fields.get("facts") or "").strip():
        errors["facts"] = _("Write down the facts: what happened, objectively.")
    if is_new and not fields.get("detected_at"):
        errors["detected_at"] = _("Give the date and time the trouble was detected.")
    detected = fields.get("detected_at")
    if detected and detected > timezone.now():
        errors["detected_at"] = _("A trouble cannot be detected in the future.")
    if fields.get("cost_impact") is not None and fields["cost_impact"] < 0:
        errors["cost_impact"] = _("The cost impact cannot be negative.")
    if fields.get("kind", kind) not in (None, Trouble.Kind.RISK) and fields.get("probability"):
        errors["probability"] = _("Only a risk has a probability.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def trouble_create(*, by: User, project: Project, **fields) -> Trouble:
    """Record a new trouble. It starts vendor-only (undisclosed) and open."""
    _require(by, Perm.CONTRIBUTE, project)
    unknown = set(fields) - set(TROUBLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    _check_fields(fields, is_new=True)
    Project.objects.select_for_update().only("pk").get(pk=project.pk)
    last = Trouble.objects.filter(project=project).aggregate(last=Max("number"))["last"] or 0
    trouble = Trouble(
        project=project, number=last + 1, created_by=by, visibility=Visibility.INTERNAL, **fields
    )
    trouble.full_clean()
    trouble.save()
    _audit(
        by=by, action="trouble.create", trouble=trouble, extra={"title": trouble.title, "kind": trouble.kind}
    )
    return trouble


@transaction.atomic
def trouble_update(*, by: User, trouble: Trouble, version: int, **fields) -> Trouble:
    """Change a trouble's facts and figures; ``version`` is the one the editor loaded (optimistic lock).

    A risk turned into an issue or incident keeps its row (and so its whole history); the change of kind is
    audited as ``trouble.escalate`` and ``became_issue_at`` is set once.
    """
    _require(by, Perm.CONTRIBUTE, trouble.project)
    unknown = set(fields) - set(TROUBLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if trouble.status == S.CLOSED:
        raise ValidationError(_("A closed trouble cannot be changed."))
    if "kind" in fields and fields["kind"] != Trouble.Kind.RISK:
        fields["probability"] = ""
    _check_fields(fields, is_new=False, kind=trouble.kind)
    changed = {}
    for name, value in fields.items():
        before = getattr(trouble, name)
        if before != value:
            changed[name] = (before, value)
    if trouble.version != version:
        raise StaleEdit()
    if not changed:
        return trouble
    escalated = "kind" in changed and changed["kind"][0] == Trouble.Kind.RISK
    if escalated and trouble.became_issue_at is None:
        changed["became_issue_at"] = (None, timezone.now())
    _save(trouble, expected_version=version, changed=changed)
    action = "trouble.escalate" if escalated else "trouble.update"
    _audit(by=by, action=action, trouble=trouble, changed=changed)
    return trouble


@transaction.atomic
def trouble_disclose(
    *,
    by: User,
    trouble: Trouble,
    version: int,
    visibility: str = Visibility.CUSTOMER,
    at: datetime | None = None,
) -> Trouble:
    """Share the trouble with the customer (or also with partner vendors). ``disclosed_at`` is set once."""
    _require(by, Perm.EDIT, trouble.project)
    if visibility not in (Visibility.CUSTOMER, Visibility.PARTNERS):
        raise ValidationError(
            {"visibility": _("Share the trouble with the customer, or also with partners.")}
        )
    at = at or timezone.now()
    if at < trouble.detected_at:
        raise ValidationError({"disclosed_at": _("A trouble cannot be disclosed before it was detected.")})
    if at > timezone.now():
        raise ValidationError({"disclosed_at": _("The disclosure time cannot be in the future.")})
    changed = {}
    if trouble.visibility != visibility:
        changed["visibility"] = (trouble.visibility, visibility)
    if trouble.disclosed_at is None:
        changed["disclosed_at"] = (None, at)
    if not changed:
        return trouble
    widened = visibility == Visibility.PARTNERS and trouble.visibility != Visibility.PARTNERS
    first = trouble.disclosed_at is None
    newly_told = _newly_told(trouble, first=first, widened=widened)
    _save(trouble, expected_version=version, changed=changed)
    _audit(
        by=by,
        action="trouble.disclose",
        trouble=trouble,
        changed=changed,
        extra={"hours_to_disclose": trouble.hours_to_disclose},
    )
    if first or widened:
        events.emit(
            events.Occurrence(
                event=Event.TROUBLE_DISCLOSED,
                project=trouble.project,
                subject=gettext_lazy("Trouble disclosed: %(ref)s %(title)s"),
                url=reverse("troubles:portal_detail", args=[trouble.project_id, trouble.pk]),
                params={"ref": trouble.ref, "title": trouble.title},
                facts={
                    "trouble": trouble.pk,
                    "ref": trouble.ref,
                    "kind": trouble.kind,
                    "severity": trouble.severity,
                    "visibility": visibility,
                },
            ),
            recipients=newly_told,
        )
    return trouble


def _newly_told(trouble: Trouble, *, first: bool, widened: bool) -> list[User]:
    """Who sees the trouble for the first time: the customer's people on the first disclosure, partner
    viewers when it is (now) shared with partners."""
    from django.db.models import Q

    from shinrai.core.models import CUSTOMER_ROLES, Organization, Role

    project = trouble.project
    if not (first or widened):
        return []
    audience = Q(pk__in=[])
    if first:
        audience |= Q(
            memberships__project=project,
            memberships__role__in=CUSTOMER_ROLES,
            organization=project.customer_org_id,
        )
    if widened:
        audience |= Q(
            memberships__project=project,
            memberships__role=Role.PARTNER_VIEWER,
            organization__kind=Organization.Kind.PARTNER,
        )
    return list(User.objects.filter(audience, is_active=True).distinct().order_by("email"))


@transaction.atomic
def trouble_start_analysis(*, by: User, trouble: Trouble, version: int) -> Trouble:
    _require(by, Perm.CONTRIBUTE, trouble.project)
    if trouble.status != S.OPEN:
        raise ValidationError(_("Only an open trouble can move to analysis."))
    changed = {"status": (trouble.status, S.ANALYSING)}
    _save(trouble, expected_version=version, changed=changed)
    _audit(by=by, action="trouble.status", trouble=trouble, changed=changed)
    return trouble


@transaction.atomic
def note_add(*, by: User, trouble: Trouble, body: str) -> InternalNote:
    _require(by, Perm.SEE_INTERNAL, trouble.project)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the note first.")})
    note = InternalNote.objects.create(trouble=trouble, author=by, body=body)
    audit_record(
        actor=by, action="trouble.note", obj=trouble, project=trouble.project, after={"ref": trouble.ref}
    )
    return note


@transaction.atomic
def option_add(
    *,
    by: User,
    trouble: Trouble,
    description: str,
    pros: str = "",
    cons: str = "",
    cost: Decimal | None = None,
    time_days: int | None = None,
    schedule_effect_days: int | None = None,
) -> Option:
    _require(by, Perm.CONTRIBUTE, trouble.project)
    if trouble.status not in OPEN_FOR_OPTIONS:
        raise ValidationError(_("Options can only be added before a decision is made."))
    if not (description or "").strip():
        raise ValidationError({"description": _("Describe the option.")})
    if cost is not None and cost < 0:
        raise ValidationError({"cost": _("The cost cannot be negative.")})
    position = Option.objects.filter(trouble=trouble).count()
    option = Option(
        trouble=trouble,
        position=position,
        description=description.strip(),
        pros=pros.strip(),
        cons=cons.strip(),
        cost=cost,
        time_days=time_days,
        schedule_effect_days=schedule_effect_days,
    )
    option.full_clean()
    option.save()
    audit_record(
        actor=by,
        action="trouble.option",
        obj=trouble,
        project=trouble.project,
        after={"ref": trouble.ref, "option": option.label, "description": option.description[:100]},
    )
    return option


@transaction.atomic
def trouble_propose(*, by: User, trouble: Trouble, version: int) -> Trouble:
    """Put the options before the customer: the trouble must be disclosed and have at least one option."""
    _require(by, Perm.EDIT, trouble.project)
    if trouble.status not in (S.OPEN, S.ANALYSING):
        raise ValidationError(_("Options can only be proposed for an open trouble under analysis."))
    if not trouble.is_disclosed:
        raise ValidationError(_("Disclose the trouble to the customer before proposing options."))
    if not trouble.options.exists():
        raise ValidationError(_("Add at least one option before proposing."))
    changed = {"status": (trouble.status, S.OPTIONS_PROPOSED)}
    _save(trouble, expected_version=version, changed=changed)
    _audit(by=by, action="trouble.propose", trouble=trouble, changed=changed)
    transaction.on_commit(lambda: _notify_customer_sponsors(trouble))
    events.emit(
        events.Occurrence(
            event=Event.DECISION_NEEDED,
            project=trouble.project,
            subject=gettext_lazy("Please choose how to handle: %(title)s"),
            url=reverse("troubles:portal_detail", args=[trouble.project_id, trouble.pk]),
            params={"title": trouble.title},
            facts={"trouble": trouble.pk, "ref": trouble.ref, "options": trouble.options.count()},
        ),
        recipients=_customer_sponsors(trouble.project),
    )
    return trouble


@transaction.atomic
def trouble_decide(
    *,
    by: User,
    trouble: Trouble,
    option: Option,
    rationale: str,
    version: int | None = None,
    how: str = Decision.How.PORTAL,
    decided_by_name: str = "",
    attendees: str = "",
    meeting_at: datetime | None = None,
) -> Decision:
    """Record the customer's choice of an option.

    ``how=portal``: the customer sponsor chooses in the portal (``by`` must hold Perm.DECIDE).
    ``how=meeting``: a vendor PM records a choice made in a meeting, with who decided, who attended and when.
    Either way the decision is appended to the project's ledger (kind ``decision``).
    """
    project = trouble.project
    if how == Decision.How.PORTAL:
        _require(by, Perm.DECIDE, project)
    elif how == Decision.How.MEETING:
        _require(by, Perm.EDIT, project)
    else:
        raise ValidationError({"how": _("Say how the decision was made.")})
    locked = Trouble.objects.select_for_update().get(pk=trouble.pk)
    if version is not None and locked.version != version:
        raise StaleEdit()
    if locked.status != S.OPTIONS_PROPOSED or not locked.is_disclosed:
        raise ValidationError(_("This trouble is not waiting for a decision."))
    if option.trouble_id != trouble.pk:
        raise ValidationError({"option": _("Choose one of the options of this trouble.")})
    rationale = (rationale or "").strip()
    errors = {}
    if not rationale:
        errors["rationale"] = _("Write why this option was chosen.")
    if how == Decision.How.MEETING:
        if not decided_by_name.strip():
            errors["decided_by_name"] = _("Say who decided in the meeting.")
        if meeting_at is None:
            errors["meeting_at"] = _("Say when the meeting was held.")
        elif meeting_at > timezone.now():
            errors["meeting_at"] = _("The meeting cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    # The conditional UPDATE first: of two decisions racing, the second finds the version moved (StaleEdit)
    # instead of tripping over the one-decision-per-trouble constraint.
    changed = {"status": (locked.status, S.DECIDED)}
    _save(trouble, expected_version=locked.version, changed=changed)
    decision = Decision.objects.create(
        trouble=trouble,
        option=option,
        how=how,
        decided_by=by if how == Decision.How.PORTAL else None,
        decided_by_name=by.display_name if how == Decision.How.PORTAL else decided_by_name.strip(),
        attendees=attendees.strip(),
        meeting_at=meeting_at,
        rationale=rationale,
        recorded_by=by,
    )
    from shinrai.ledger.services import ledger_append

    entry = ledger_append(
        by=by,
        project=project,
        kind="decision",
        subject=f"{trouble.ref} {trouble.title}: {option.label} {option.description}"[:300],
        payload={
            "trouble": trouble.ref,
            "trouble_id": trouble.pk,
            "option": option.label,
            "option_text": option.description,
            "cost_jpy": None if option.cost is None else int(option.cost),
            "time_days": option.time_days,
            "schedule_effect_days": option.schedule_effect_days,
            "how": how,
            "decided_by": decision.decided_by_name,
            "attendees": decision.attendees,
            "meeting_at": meeting_at.isoformat() if meeting_at else None,
            "rationale": rationale,
        },
    )
    decision.ledger_entry_id = entry.pk
    decision.save(update_fields=["ledger_entry_id"])
    _audit(
        by=by,
        action="trouble.decide",
        trouble=trouble,
        changed=changed,
        extra={"option": option.label, "how": how, "ledger_entry": entry.pk},
    )
    return decision


@transaction.atomic
def followup_add(*, by: User, trouble: Trouble, action: str, owner: User | None = None, due=None) -> FollowUp:
    """Add a follow-up action; the first one after the decision moves the trouble into follow-up."""
    _require(by, Perm.CONTRIBUTE, trouble.project)
    if trouble.status not in (S.DECIDED, S.FOLLOW_UP):
        raise ValidationError(_("Follow-up actions are added once a decision is made."))
    if not (action or "").strip():
        raise ValidationError({"action": _("Describe the follow-up action.")})
    follow_up = FollowUp.objects.create(trouble=trouble, action=action.strip(), owner=owner, due=due)
    if trouble.status == S.DECIDED:
        changed = {"status": (S.DECIDED, S.FOLLOW_UP)}
        _save(trouble, expected_version=trouble.version, changed=changed)
    audit_record(
        actor=by,
        action="trouble.follow_up",
        obj=trouble,
        project=trouble.project,
        after={"ref": trouble.ref, "action": follow_up.action, "due": str(due) if due else None},
    )
    return follow_up


@transaction.atomic
def followup_done(*, by: User, follow_up: FollowUp) -> FollowUp:
    _require(by, Perm.CONTRIBUTE, follow_up.trouble.project)
    if follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.save(update_fields=["done_at"])
        audit_record(
            actor=by,
            action="trouble.follow_up_done",
            obj=follow_up.trouble,
            project=follow_up.trouble.project,
            after={"ref": follow_up.trouble.ref, "action": follow_up.action},
        )
    return follow_up


@transaction.atomic
def trouble_close(
    *,
    by: User,
    trouble: Trouble,
    version: int,
    root_cause: str,
    whys: list[str],
    preventions: list[dict],
    what_worked: str = "",
) -> Trouble:
    """Close a trouble in follow-up: every follow-up done, a root cause and at least one prevention measure
    (``{"measure", "owner", "due"}``). The post-mortem is then shown to the customer."""
    _require(by, Perm.EDIT, trouble.project)
    if trouble.status != S.FOLLOW_UP:
        raise ValidationError(_("Only a trouble in follow-up can be closed."))
    if trouble.follow_ups.filter(done_at__isnull=True).exists():
        raise ValidationError(_("Finish every follow-up action before closing."))
    errors = {}
    whys = [w.strip() for w in whys if w and w.strip()]
    if not (root_cause or "").strip():
        errors["root_cause"] = _("Write the root cause.")
    preventions = [p for p in preventions if (p.get("measure") or "").strip()]
    if not preventions:
        errors["preventions"] = _("Write at least one measure to prevent it from happening again.")
    if errors:
        raise ValidationError(errors)
    changed = {"status": (trouble.status, S.CLOSED), "closed_at": (None, timezone.now())}
    _save(trouble, expected_version=version, changed=changed)
    RootCause.objects.create(
        trouble=trouble, whys=whys, summary=root_cause.strip(), what_worked=what_worked.strip(), written_by=by
    )
    Prevention.objects.bulk_create(
        Prevention(trouble=trouble, measure=p["measure"].strip(), owner=p.get("owner"), due=p.get("due"))
        for p in preventions
    )
    _audit(
        by=by,
        action="trouble.close",
        trouble=trouble,
        changed=changed,
        extra={"preventions": len(preventions)},
    )
    return trouble


@transaction.atomic
def prevention_done(*, by: User, prevention: Prevention) -> Prevention:
    _require(by, Perm.CONTRIBUTE, prevention.trouble.project)
    if prevention.done_at is None:
        prevention.done_at = timezone.now()
        prevention.save(update_fields=["done_at"])
        audit_record(
            actor=by,
            action="trouble.prevention_done",
            obj=prevention.trouble,
            project=prevention.trouble.project,
            after={"ref": prevention.trouble.ref, "measure": prevention.measure},
        )
    return prevention


# --- E-mail ------------------------------------------------------------------------------------------


def _customer_sponsors(project: Project) -> list[User]:
    from shinrai.core.models import Role

    return list(
        User.objects.filter(
            memberships__project=project,
            memberships__role=Role.CUSTOMER_SPONSOR,
            organization=project.customer_org_id,
            is_active=True,
        )
    )


def _notify_customer_sponsors(trouble: Trouble) -> None:
    project = trouble.project
    url = settings.SITE_URL.rstrip("/") + reverse("troubles:portal_detail", args=[project.pk, trouble.pk])
    sponsors = _customer_sponsors(project)
    email_off = notifications.email_off_ids([user.pk for user in sponsors], Event.DECISION_NEEDED)
    for user in sponsors:
        if user.pk in email_off:
            continue  # they chose in-app only for decisions
        with translation.override(user.language):
            subject = _("[%(project)s] Please choose how to handle: %(title)s") % {
                "project": project.name,
                "title": trouble.title,
            }
            body = _(
                '%(name)s,\n\nWe have proposed options for "%(title)s". Please choose one:\n%(url)s\n'
            ) % {
                "name": user.display_name,
                "title": trouble.title,
                "url": url,
            }
        send_email.enqueue(to=[user.email], subject=subject, body=body)


def vendor_managers_of(project: Project) -> list[User]:
    """Who hears of an overdue disclosure: the vendor's managers (portfolio role or project role)."""
    from django.db.models import Q

    from shinrai.core.models import Role

    return list(
        User.objects.filter(organization=project.vendor_org_id, is_active=True)
        .filter(
            Q(is_vendor_manager=True) | Q(memberships__project=project, memberships__role=Role.VENDOR_MANAGER)
        )
        .distinct()
        .order_by("email")
    )


def escalate_overdue_disclosures(*, now: datetime | None = None) -> int:
    """E-mail the vendor managers about every trouble still undisclosed past its target (once per trouble).

    Returns how many troubles were escalated. Each trouble is marked in its own transaction, and the e-mail
    is queued after that commit.
    """
    from .selectors import overdue_undisclosed

    now = now or timezone.now()
    count = 0
    for trouble in overdue_undisclosed(now=now):
        with transaction.atomic():
            rows = Trouble.objects.filter(pk=trouble.pk, escalated_at__isnull=True).update(escalated_at=now)
            if rows != 1:
                continue
            audit_record(
                actor=None,
                action="trouble.escalate_disclosure",
                obj=trouble,
                project=trouble.project,
                after={
                    "ref": trouble.ref,
                    "hours_overdue": round((now - trouble.disclosure_due_at).total_seconds() / 3600, 1),
                },
            )
            transaction.on_commit(lambda t=trouble: _notify_overdue(t, now))
        count += 1
    return count


def _notify_overdue(trouble: Trouble, now: datetime) -> None:
    project = trouble.project
    url = settings.SITE_URL.rstrip("/") + reverse("troubles:detail", args=[project.pk, trouble.pk])
    hours = round((now - trouble.detected_at).total_seconds() / 3600, 1)
    for user in vendor_managers_of(project):
        with translation.override(user.language):
            values = {
                "project": project.name,
                "ref": trouble.ref,
                "title": trouble.title,
                "severity": str(trouble.get_severity_display()),
                "target": trouble.target_hours,
                "hours": hours,
                "url": url,
            }
            subject = _("[%(project)s] Not yet disclosed to the customer: %(ref)s %(title)s") % values
            body = (
                _(
                    "%(ref)s %(title)s (severity: %(severity)s) was detected %(hours)s hours ago and has "
                    "not been disclosed to the customer. The target is %(target)s hours.\n\n%(url)s\n"
                )
                % values
            )
        send_email.enqueue(to=[user.email], subject=subject, body=body)


# --- Status carried over from another tracker (the Redmine import) ----------------------------------------


@transaction.atomic
def trouble_close_imported(*, by: User, trouble: Trouble, closed_at: datetime, source: str) -> Trouble:
    """Closed in the tracker it was imported from. Shinrai's own closing needs a root cause and prevention
    measures, which the tracker does not have; the status is carried over as it is, and the audit event
    (``trouble.close_imported``) says where it came from."""
    before = trouble.status
    Trouble.objects.filter(pk=trouble.pk).update(
        status=Trouble.Status.CLOSED, closed_at=closed_at, version=F("version") + 1, updated_at=timezone.now()
    )
    trouble.refresh_from_db()
    audit_record(
        actor=by,
        action="trouble.close_imported",
        obj=trouble,
        project=trouble.project,
        before={"status": before},
        after={"status": trouble.status, "ref": trouble.ref, "source": source},
    )
    return trouble


@transaction.atomic
def trouble_reopen_imported(*, by: User, trouble: Trouble, source: str) -> Trouble:
    """Reopened in the tracker: a trouble that an import closed goes back to the status it had before.

    One closed in Shinrai (it has a root cause) stays closed: its post-mortem wins over the tracker.
    """
    if RootCause.objects.filter(trouble=trouble).exists():
        return trouble
    closing = (
        AuditEvent.objects.filter(
            action__in=("trouble.close_imported", "trouble.close"),
            object_type=Trouble._meta.label_lower,
            object_id=str(trouble.pk),
        )
        .order_by("-at", "-id")
        .first()
    )
    status = (closing.before.get("status") if closing else None) or Trouble.Status.OPEN
    if status not in Trouble.Status.values or status == Trouble.Status.CLOSED:
        status = Trouble.Status.OPEN
    Trouble.objects.filter(pk=trouble.pk).update(
        status=status, closed_at=None, version=F("version") + 1, updated_at=timezone.now()
    )
    trouble.refresh_from_db()
    audit_record(
        actor=by,
        action="trouble.reopen_imported",
        obj=trouble,
        project=trouble.project,
        before={"status": Trouble.Status.CLOSED},
        after={"status": trouble.status, "ref": trouble.ref, "source": source},
    )
    return trouble
