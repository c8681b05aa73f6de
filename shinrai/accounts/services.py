"""Write operations of the accounts app: one function per business action, transactional, audited.

An account is one customer organization as seen by the vendor of the acting user (``by.organization``).
Callers look the customer up with ``access.account_for(user, pk, edit=True)`` first; the services check the
rules of the data (dates, kinds, projects of this account) so pages and API refuse the same input.

The plan uses optimistic locking: a save names the ``version`` the editor loaded (0 for a plan never saved)
and is written with ``UPDATE … WHERE version = <that version>``; zero rows means someone else saved first,
and ``StalePlan`` is raised with nothing written.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shinrai.core import access, locking
from shinrai.core.models import Organization, Project, User
from shinrai.core.services import audit_record

from .models import AccountPlan, KeyPerson, RelationshipSignal, RoadmapStep

PLAN_FIELDS = ("business", "market", "environment", "concerns", "strategy", "as_is", "to_be")
STEP_FIELDS = ("fiscal_year", "title", "description", "status", "project")
PERSON_FIELDS = ("name", "position", "influence", "meet_every_days", "last_met_on", "notes")
TEXT_LIMIT = 20_000  # characters per plan field: generous for prose, refuses a pasted file
MEET_EVERY_MAX = 3650


class StalePlan(locking.Stale):
    """Someone else saved the account plan after this editor loaded it."""

    def __init__(self):
        super().__init__(
            _(
                "Someone else saved this account plan after you opened it. Your text was not saved: it is "
                "still in the form below, next to what they saved. Combine the two and save again."
            )
        )


def _vendor(by: User) -> Organization:
    if not access.is_vendor_user(by):
        raise ValidationError(_("Only the vendor keeps account plans."))
    return by.organization


def _project_value(project):
    return project.pk if isinstance(project, Project) else project


def _check_project(*, by: User, customer: Organization, project: Project | None) -> None:
    """A linked project must be one of this account's projects that the user may open."""
    if project is None:
        return
    ok = (
        access.projects_visible_to(by)
        .filter(pk=project.pk, vendor_org=by.organization, customer_org=customer)
        .exists()
    )
    if not ok:
        raise ValidationError({"project": _("Choose one of this customer's projects.")})


def _check_not_future(name: str, value: date | None) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError({name: _("The date cannot be in the future.")})


def _touch(plan: AccountPlan, by: User) -> None:
    """Roadmap and key-people edits change the plan's "last updated", not its text version."""
    now = timezone.now()
    AccountPlan.objects.filter(pk=plan.pk).update(updated_at=now, updated_by=by)
    plan.updated_at, plan.updated_by = now, by


def plan_get_or_create(*, by: User, customer: Organization) -> AccountPlan:
    """The vendor's plan for the customer; an empty one (version 1) is created for a first roadmap step or key
    person. Runs inside the caller's transaction."""
    vendor = _vendor(by)
    plan = AccountPlan.objects.filter(vendor_org=vendor, customer_org=customer).first()
    if plan is not None:
        return plan
    try:
        with transaction.atomic():
            plan = AccountPlan.objects.create(vendor_org=vendor, customer_org=customer, updated_by=by)
    except IntegrityError:  # created by someone else a moment ago
        return AccountPlan.objects.get(vendor_org=vendor, customer_org=customer)
    audit_record(actor=by, action="account_plan.create", obj=plan, after={"customer": customer.name})
    return plan


def _clean_plan_fields(fields: dict) -> dict:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    cleaned = {}
    for name, value in fields.items():
        value = (value or "").strip()
        if len(value) > TEXT_LIMIT:
            raise ValidationError({name: _("Keep this under %(limit)d characters.") % {"limit": TEXT_LIMIT}})
        cleaned[name] = value
    return cleaned


@transaction.atomic
def plan_save(*, by: User, customer: Organization, version: int, **fields) -> AccountPlan:
    """Save the plan's text if it still has ``version`` (0 when the editor saw no plan); bump the version.

    Raises ``StalePlan`` (nothing written) when someone else saved in between.
    """
    vendor = _vendor(by)
    values = _clean_plan_fields(fields)
    now = timezone.now()
    plan = AccountPlan.objects.filter(vendor_org=vendor, customer_org=customer).first()
    if plan is None:
        if version != 0:
            raise StalePlan()
        try:
            with transaction.atomic():
                plan = AccountPlan.objects.create(
                    vendor_org=vendor, customer_org=customer, updated_by=by, updated_at=now, **values
                )
        except IntegrityError:
            raise StalePlan() from None
        audit_record(actor=by, action="account_plan.create", obj=plan, after=values)
        return plan
    if plan.version != version:
        raise StalePlan()
    changed = {
        name: (getattr(plan, name), value) for name, value in values.items() if getattr(plan, name) != value
    }
    if not changed:
        return plan
    rows = AccountPlan.objects.filter(pk=plan.pk, version=version).update(
        **{name: after for name, (_before, after) in changed.items()},
        version=F("version") + 1,
        updated_by=by,
        updated_at=now,
    )
    if rows != 1:
        raise StalePlan()
    for name, (_before, after) in changed.items():
        setattr(plan, name, after)
    plan.version, plan.updated_by, plan.updated_at = version + 1, by, now
    audit_record(
        actor=by,
        action="account_plan.update",
        obj=plan,
        before={name: before for name, (before, _after) in changed.items()},
        after={name: after for name, (_before, after) in changed.items()},
    )
    return plan


# --- Roadmap ----------------------------------------------------------------------------------------------


def _clean_step(*, by: User, customer: Organization, values: dict) -> dict:
    if "title" in values:
        values["title"] = (values["title"] or "").strip()
        if not values["title"]:
            raise ValidationError({"title": _("Name the step.")})
        if len(values["title"]) > 200:
            raise ValidationError({"title": _("Keep the step under 200 characters.")})
    if "description" in values:
        values["description"] = (values["description"] or "").strip()
    if "fiscal_year" in values:
        year = values["fiscal_year"]
        if not isinstance(year, int) or not 2000 <= year <= 2100:
            raise ValidationError({"fiscal_year": _("Give a fiscal year between 2000 and 2100.")})
    if "status" in values and values["status"] not in RoadmapStep.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if "project" in values:
        _check_project(by=by, customer=customer, project=values["project"])
    return values


def _next_position(plan: AccountPlan, fiscal_year: int) -> int:
    top = RoadmapStep.objects.filter(plan=plan, fiscal_year=fiscal_year).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _step_snapshot(step: RoadmapStep) -> dict:
    return {
        "fiscal_year": step.fiscal_year,
        "title": step.title,
        "description": step.description,
        "status": step.status,
        "project": step.project_id,
    }


@transaction.atomic
def roadmap_step_create(
    *,
    by: User,
    customer: Organization,
    fiscal_year: int,
    title: str,
    description: str = "",
    status: str = RoadmapStep.Status.IDEA,
    project: Project | None = None,
) -> RoadmapStep:
    """Add a step to the roadmap, last in its fiscal year."""
    values = _clean_step(
        by=by,
        customer=customer,
        values={
            "fiscal_year": fiscal_year,
            "title": title,
            "description": description,
            "status": status,
            "project": project,
        },
    )
    plan = plan_get_or_create(by=by, customer=customer)
    step = RoadmapStep.objects.create(plan=plan, position=_next_position(plan, fiscal_year), **values)
    _touch(plan, by)
    audit_record(actor=by, action="roadmap_step.create", obj=step, after=_step_snapshot(step))
    return step


@transaction.atomic
def roadmap_step_update(*, by: User, step: RoadmapStep, **fields) -> RoadmapStep:
    """Change a step; moving it to another fiscal year puts it last there."""
    unknown = set(fields) - set(STEP_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    values = _clean_step(by=by, customer=step.plan.customer_org, values=dict(fields))
    before = _step_snapshot(step)
    if "fiscal_year" in values and values["fiscal_year"] != step.fiscal_year:
        step.position = _next_position(step.plan, values["fiscal_year"])
    for name, value in values.items():
        setattr(step, name, value)
    after = _step_snapshot(step)
    changed = [name for name in after if before[name] != after[name]]
    if not changed:
        return step
    step.save(update_fields=[*values, "position"])
    _touch(step.plan, by)
    audit_record(
        actor=by,
        action="roadmap_step.update",
        obj=step,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return step


@transaction.atomic
def roadmap_step_delete(*, by: User, step: RoadmapStep) -> None:
    audit_record(actor=by, action="roadmap_step.delete", obj=step, before=_step_snapshot(step))
    step.delete()
    _touch(step.plan, by)


# --- Key people -------------------------------------------------------------------------------------------


def _clean_person(values: dict) -> dict:
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise ValidationError({"name": _("Give the person's name.")})
        if len(values["name"]) > 100:
            raise ValidationError({"name": _("Keep the name under 100 characters.")})
    for name in ("position", "notes"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if len(values.get("position", "")) > 100:
        raise ValidationError({"position": _("Keep the position under 100 characters.")})
    if values.get("influence") and values["influence"] not in KeyPerson.Influence.values:
        raise ValidationError({"influence": _("Unknown influence.")})
    if "influence" in values:
        values["influence"] = values["influence"] or ""
    every = values.get("meet_every_days")
    if every is not None and not (isinstance(every, int) and 1 <= every <= MEET_EVERY_MAX):
        raise ValidationError(
            {"meet_every_days": _("Give a number of days from 1 to %(max)d.") % {"max": MEET_EVERY_MAX}}
        )
    _check_not_future("last_met_on", values.get("last_met_on"))
    return values


def _person_snapshot(person: KeyPerson) -> dict:
    return {name: getattr(person, name) for name in PERSON_FIELDS}


@transaction.atomic
def key_person_create(
    *,
    by: User,
    customer: Organization,
    name: str,
    position: str = "",
    influence: str = "",
    meet_every_days: int | None = None,
    last_met_on: date | None = None,
    notes: str = "",
) -> KeyPerson:
    """Add someone who matters to the relationship, and how often we mean to meet them."""
    values = _clean_person(
        {
            "name": name,
            "position": position,
            "influence": influence,
            "meet_every_days": meet_every_days,
            "last_met_on": last_met_on,
            "notes": notes,
        }
    )
    plan = plan_get_or_create(by=by, customer=customer)
    person = KeyPerson.objects.create(plan=plan, **values)
    _touch(plan, by)
    audit_record(actor=by, action="key_person.create", obj=person, after=_person_snapshot(person))
    return person


@transaction.atomic
def key_person_update(*, by: User, person: KeyPerson, **fields) -> KeyPerson:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    values = _clean_person(dict(fields))
    before = _person_snapshot(person)
    for name, value in values.items():
        setattr(person, name, value)
    after = _person_snapshot(person)
    changed = [name for name in after if before[name] != after[name]]
    if not changed:
        return person
    person.save(update_fields=changed)
    _touch(person.plan, by)
    audit_record(
        actor=by,
        action="key_person.update",
        obj=person,
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    return person


@transaction.atomic
def key_person_met(*, by: User, person: KeyPerson, on: date | None = None) -> KeyPerson:
    """Record that we met the person (today unless ``on`` is given); an earlier date never moves it back."""
    on = on or timezone.localdate()
    _check_not_future("last_met_on", on)
    before = person.last_met_on
    if before is not None and before >= on:
        return person
    person.last_met_on = on
    person.save(update_fields=["last_met_on"])
    _touch(person.plan, by)  # the account page changed: sync clients and the plan's ETag must see it
    audit_record(
        actor=by,
        action="key_person.met",
        obj=person,
        before={"last_met_on": before},
        after={"last_met_on": on},
    )
    return person


@transaction.atomic
def key_person_delete(*, by: User, person: KeyPerson) -> None:
    audit_record(actor=by, action="key_person.delete", obj=person, before=_person_snapshot(person))
    person.delete()
    _touch(person.plan, by)


# --- Relationship signals ---------------------------------------------------------------------------------


@transaction.atomic
def signal_record(
    *,
    by: User,
    customer: Organization,
    kind: str,
    occurred_on: date,
    project: Project | None = None,
    note: str = "",
) -> RelationshipSignal:
    """Record something that happened in the relationship (not in the future; optionally about a project)."""
    vendor = _vendor(by)
    if kind not in RelationshipSignal.Kind.values:
        raise ValidationError({"kind": _("Unknown kind of event.")})
    if occurred_on is None:
        raise ValidationError({"occurred_on": _("Give the date.")})
    _check_not_future("occurred_on", occurred_on)
    _check_project(by=by, customer=customer, project=project)
    signal = RelationshipSignal.objects.create(
        vendor_org=vendor,
        customer_org=customer,
        kind=kind,
        occurred_on=occurred_on,
        project=project,
        note=(note or "").strip(),
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action="relationship_signal.create",
        obj=signal,
        after={
            "kind": kind,
            "occurred_on": occurred_on,
            "project": _project_value(project),
            "note": signal.note,
        },
    )
    return signal
