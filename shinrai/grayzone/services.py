"""Write operations on gray-zone items and anticipated questions: one function per business action, each in
one transaction, audited; the item or position row is locked (``select_for_update``) while a step checks its
state, so two people answering the same offer cannot both win.

Bad input raises ``ValidationError`` (messages in the caller's language) before anything is written; a caller
without the right raises ``PermissionError`` (pages and the API check first and answer 404 or 403).
The customer sponsor's decision on an escalated item is appended to the project's ledger in the same
transaction (``ledger.services.ledger_append``): the decision cannot exist without its entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinrai.core import access
from shinrai.core.access import Perm
from shinrai.core.models import Organization, Project, Role, User, Visibility
from shinrai.core.services import audit_record
from shinrai.integrations import events
from shinrai.integrations.models import Event

from . import selectors
from .models import (
    GrayZoneComment,
    GrayZoneItem,
    GrayZoneShare,
    Position,
    PositionShare,
    PositionVersion,
)

S = GrayZoneItem.State
TITLE_MAX = 200
QUESTION_MAX = 300


def _require(user: User, perm: Perm, project: Project) -> None:
    if not access.has_perm(user, perm, project):
        raise PermissionError(f"{perm} needed")


def _name(value):
    """Organizations and people by name in the audit log; other values as they are."""
    if isinstance(value, Organization):
        return value.name
    if isinstance(value, User):
        return value.display_name
    return value


def _locked(item: GrayZoneItem) -> GrayZoneItem:
    return GrayZoneItem.objects.select_for_update().select_related("project").get(pk=item.pk)


def _save(item: GrayZoneItem, fields: dict, *, now=None) -> None:
    for name, value in fields.items():
        setattr(item, name, value)
    item.updated_at = now or timezone.now()
    item.save(update_fields=[*fields, "updated_at"])


def _audit(*, by: User, action: str, item: GrayZoneItem, before=None, after=None) -> None:
    audit_record(
        actor=by,
        action=action,
        obj=item,
        project=item.project,
        before={k: _name(v) for k, v in (before or {}).items()},
        after={k: _name(v) for k, v in (after or {}).items()} | {"ref": item.ref},
    )


def _text(value, field: str, message: str, *, max_length: int | None = None) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if max_length and len(text) > max_length:
        raise ValidationError({field: _("Keep it to %(n)d characters or fewer.") % {"n": max_length}})
    return text


# --- Items ----------------------------------------------------------------------------------------------


def _check_source(project: Project, source: str, obj) -> dict:
    """The foreign key to set for ``source`` (one of the project's troubles, follow-ups, requests, tasks)."""
    if source not in GrayZoneItem.Source.values:
        raise ValidationError({"source": _("Choose where the item comes from.")})
    if source == GrayZoneItem.Source.ACTION:
        if obj is not None:
            raise ValidationError({"source": _("An action stands alone: it has no source.")})
        return {}
    expected = {
        GrayZoneItem.Source.TROUBLE: ("troubles", "trouble", lambda o: o.project_id),
        GrayZoneItem.Source.FOLLOW_UP: ("troubles", "followup", lambda o: o.trouble.project_id),
        GrayZoneItem.Source.CUSTOMER_REQUEST: ("ledger", "customerrequest", lambda o: o.project_id),
        GrayZoneItem.Source.TASK: ("progress", "task", lambda o: o.project_id),
    }[source]
    app, model, project_of = expected
    if (
        obj is None
        or obj._meta.app_label != app
        or obj._meta.model_name != model
        or project_of(obj) != project.pk
    ):
        raise ValidationError({"source_id": _("Choose one of this project's items as the source.")})
    field = source
    taken = GrayZoneItem.objects.filter(**{field: obj}, state__in=GrayZoneItem.OPEN_STATES).first()
    if taken is not None:
        raise ValidationError(
            {"source_id": _("It is already an open gray-zone item: %(ref)s.") % {"ref": taken.ref}}
        )
    return {field: obj}


@transaction.atomic
def item_create(
    *,
    by: User,
    project: Project,
    title: str,
    reason: str,
    description: str = "",
    source: str = GrayZoneItem.Source.ACTION,
    source_object=None,
) -> GrayZoneItem:
    """Mark something as a gray zone: nobody owns it yet, or it spans several vendors. It starts vendor-only
    and unowned; ``item_share`` shows it to the customer and chosen partner vendors."""
    _require(by, Perm.CONTRIBUTE, project)
    errors = {}
    try:
        title = _text(title, "title", _("Give the item a short title."), max_length=TITLE_MAX)
    except ValidationError as error:
        errors.update(error.message_dict)
    if reason not in GrayZoneItem.Reason.values:
        errors["reason"] = [_("Say why it is a gray zone: no owner yet, or several vendors.")]
    try:
        link = _check_source(project, source, source_object)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    Project.objects.select_for_update().only("pk").get(pk=project.pk)
    last = GrayZoneItem.objects.filter(project=project).aggregate(last=Max("number"))["last"] or 0
    now = timezone.now()
    item = GrayZoneItem.objects.create(
        project=project,
        number=last + 1,
        title=title,
        description=(description or "").strip(),
        reason=reason,
        source=source,
        visibility=Visibility.INTERNAL,
        created_by=by,
        created_at=now,
        updated_at=now,
        **link,
    )
    _audit(
        by=by,
        action="grayzone.create",
        item=item,
        after={"title": item.title, "reason": reason, "source": source, "source_id": item.source_id},
    )
    return item


ITEM_FIELDS = ("title", "description", "reason")


@transaction.atomic
def item_update(*, by: User, item: GrayZoneItem, **fields) -> GrayZoneItem:
    """Change an item's title, description or reason (the caller holds the lock: ``locking.guard`` on pages,
    ``If-Match`` in the API). The audit event keeps what changed."""
    _require(by, Perm.CONTRIBUTE, item.project)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    errors = {}
    if "title" in fields:
        try:
            fields["title"] = _text(
                fields["title"], "title", _("Give the item a short title."), max_length=TITLE_MAX
            )
        except ValidationError as error:
            errors.update(error.message_dict)
    if "reason" in fields and fields["reason"] not in GrayZoneItem.Reason.values:
        errors["reason"] = [_("Say why it is a gray zone: no owner yet, or several vendors.")]
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    if errors:
        raise ValidationError(errors)
    item = _locked(item)
    changed = {name: value for name, value in fields.items() if getattr(item, name) != value}
    if not changed:
        return item
    before = {name: getattr(item, name) for name in changed}
    _save(item, changed)
    _audit(by=by, action="grayzone.update", item=item, before=before, after=changed)
    return item


def _partners(project: Project, partners: Iterable[Organization], field: str = "partner_ids") -> list:
    chosen = list(dict.fromkeys(partners))
    allowed = set(selectors.partner_orgs(project=project).values_list("pk", flat=True))
    if any(org.pk not in allowed for org in chosen):
        raise ValidationError({field: _("Choose partner vendors of this project.")})
    return chosen


def _audience(current: str, visibility: str, partners: list, *, field: str = "partner_ids") -> None:
    """The rules of sharing, for items and positions alike."""
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who it is shared with.")})
    if visibility == Visibility.INTERNAL and current != Visibility.INTERNAL:
        raise ValidationError(
            {
                "visibility": _(
                    "Once shared with the customer it stays shared; you can still change the partners."
                )
            }
        )
    if visibility == Visibility.PARTNERS and not partners:
        raise ValidationError({field: _("Choose at least one partner vendor to share it with.")})
    if visibility != Visibility.PARTNERS and partners:
        raise ValidationError({field: _("Partner vendors see it only when it is shared with partners.")})


def _set_shares(model, owner_field: str, owner, partners: list, by: User) -> tuple[list, list]:
    """Make the share rows of ``owner`` exactly ``partners``; returns (added, removed) organizations."""
    rows = {
        row.organization_id: row
        for row in model.objects.filter(**{owner_field: owner}).select_related("organization")
    }
    wanted = {org.pk: org for org in partners}
    removed = [rows[pk].organization for pk in rows if pk not in wanted]
    added = [org for pk, org in wanted.items() if pk not in rows]
    model.objects.filter(**{owner_field: owner}, organization__in=[org.pk for org in removed]).delete()
    model.objects.bulk_create(model(**{owner_field: owner}, organization=org, shared_by=by) for org in added)
    return added, removed


@transaction.atomic
def item_share(
    *, by: User, item: GrayZoneItem, visibility: str, partners: Iterable[Organization] = ()
) -> GrayZoneItem:
    """Share an item with the customer (``customer``), or with the customer and the chosen partner vendors
    (``partners``). Sharing is not taken back from the customer; the partner list can change."""
    _require(by, Perm.EDIT, item.project)
    partners = _partners(item.project, partners)
    item = _locked(item)
    _audience(item.visibility, visibility, partners)
    before = item.visibility
    added, removed = _set_shares(GrayZoneShare, "item", item, partners, by)
    if before == visibility and not added and not removed:
        return item
    _save(item, {"visibility": visibility})
    audit_record(
        actor=by,
        action="grayzone.share",
        obj=item,
        project=item.project,
        before={"visibility": before, "partners_removed": ", ".join(o.name for o in removed)},
        after={"visibility": visibility, "partners_added": ", ".join(o.name for o in added), "ref": item.ref},
    )
    return item


def _owner(project: Project, organization: Organization | None, person: User | None) -> tuple:
    """Check an owner (organization, optional person) of an item of ``project``."""
    allowed = {org.pk for org in selectors.owner_orgs(project=project)}
    if organization is None or organization.pk not in allowed:
        raise ValidationError(
            {"organization_id": _("Choose the vendor, the customer or a partner vendor of this project.")}
        )
    if (
        person is not None
        and not selectors.owner_people(project=project, organization=organization)
        .filter(pk=person.pk)
        .exists()
    ):
        raise ValidationError(
            {"person_id": _("Choose a person of that organization who works on this project.")}
        )
    return organization, person


def _can_be_told(item: GrayZoneItem, organization: Organization) -> None:
    """An item is offered only to those who can see it."""
    project = item.project
    if organization.pk == project.customer_org_id and item.visibility == Visibility.INTERNAL:
        raise ValidationError(
            {"organization_id": _("Share the item with the customer before offering it to them.")}
        )
    if organization.kind == Organization.Kind.PARTNER and (
        item.visibility != Visibility.PARTNERS or not item.shares.filter(organization=organization).exists()
    ):
        raise ValidationError(
            {"organization_id": _("Share the item with this partner vendor before offering it to them.")}
        )


@transaction.atomic
def item_offer(
    *, by: User, item: GrayZoneItem, organization: Organization, person: User | None = None, note: str = ""
) -> GrayZoneItem:
    """Offer an unowned item to an owner: the vendor, the customer or a partner vendor (or a person)."""
    _require(by, Perm.EDIT, item.project)
    item = _locked(item)
    if item.state != S.UNOWNED:
        raise ValidationError(_("Only an item without an owner can be offered."))
    organization, person = _owner(item.project, organization, person)
    _can_be_told(item, organization)
    now = timezone.now()
    _save(
        item,
        {
            "state": S.OFFERED,
            "offered_to_org": organization,
            "offered_to_user": person,
            "offered_at": now,
            "offer_note": (note or "").strip(),
        },
        now=now,
    )
    _audit(
        by=by,
        action="grayzone.offer",
        item=item,
        before={"state": S.UNOWNED},
        after={"state": S.OFFERED, "offered_to": organization, "person": person},
    )
    return item


@transaction.atomic
def item_accept(*, by: User, item: GrayZoneItem, note: str = "") -> GrayZoneItem:
    """The offer is taken: the one it was offered to becomes the owner. ``by`` is that person, the customer
    sponsor for an offer to the customer, or a vendor PM recording the answer (``selectors.can_respond``)."""
    item = _locked(item)
    if item.state != S.OFFERED:
        raise ValidationError(_("This item is not waiting for an answer to an offer."))
    if not selectors.can_respond(by, item):
        raise PermissionError("only the one it is offered to, their sponsor or a vendor PM answers an offer")
    now = timezone.now()
    _save(
        item,
        {
            "state": S.ACCEPTED,
            "owner_org": item.offered_to_org,
            "owner_user": item.offered_to_user,
            "owned_at": now,
            "owner_note": (note or "").strip(),
        },
        now=now,
    )
    _audit(
        by=by,
        action="grayzone.accept",
        item=item,
        before={"state": S.OFFERED},
        after={
            "state": S.ACCEPTED,
            "owner": item.owner_org,
            "person": item.owner_user,
            "recorded_for_them": by.organization_id != item.owner_org_id,
            "age_days": item.age_days(),
        },
    )
    return item


@transaction.atomic
def item_decline(*, by: User, item: GrayZoneItem, reason: str) -> GrayZoneItem:
    """The offer is refused, with the reason: the item has no owner again (its age keeps counting)."""
    item = _locked(item)
    if item.state != S.OFFERED:
        raise ValidationError(_("This item is not waiting for an answer to an offer."))
    if not selectors.can_respond(by, item):
        raise PermissionError("only the one it is offered to, their sponsor or a vendor PM answers an offer")
    reason = _text(reason, "reason", _("Say why the offer is declined."))
    before = {"state": S.OFFERED, "offered_to": item.offered_to_org, "person": item.offered_to_user}
    _save(
        item,
        {
            "state": S.UNOWNED,
            "offered_to_org": None,
            "offered_to_user": None,
            "offered_at": None,
            "offer_note": "",
        },
    )
    _audit(
        by=by,
        action="grayzone.decline",
        item=item,
        before=before,
        after={"state": S.UNOWNED, "reason": reason},
    )
    return item


def _sponsors(project: Project) -> list[User]:
    return list(
        User.objects.filter(
            memberships__project=project,
            memberships__role=Role.CUSTOMER_SPONSOR,
            organization=project.customer_org_id,
            is_active=True,
        ).order_by("email")
    )


@transaction.atomic
def item_escalate(*, by: User, item: GrayZoneItem, note: str) -> GrayZoneItem:
    """Nobody takes it: ask the customer sponsor to decide who owns it. An item still vendor-only is shared
    with the customer by this (the sponsor must see what they decide on); a pending offer lapses."""
    _require(by, Perm.EDIT, item.project)
    item = _locked(item)
    if item.state not in (S.UNOWNED, S.OFFERED):
        raise ValidationError(_("Only an item without an owner can be escalated."))
    note = _text(note, "note", _("Say what the customer sponsor is asked to decide."))
    now = timezone.now()
    before = {"state": item.state, "visibility": item.visibility, "offered_to": item.offered_to_org}
    changes = {
        "state": S.ESCALATED,
        "escalated_at": now,
        "escalation_note": note,
        "offered_to_org": None,
        "offered_to_user": None,
        "offered_at": None,
        "offer_note": "",
    }
    if item.visibility == Visibility.INTERNAL:
        changes["visibility"] = Visibility.CUSTOMER
    _save(item, changes, now=now)
    _audit(
        by=by,
        action="grayzone.escalate",
        item=item,
        before=before,
        after={"state": S.ESCALATED, "visibility": item.visibility, "note": note},
    )
    project = item.project
    events.emit(
        events.Occurrence(
            event=Event.DECISION_NEEDED,
            project=project,
            subject=gettext_lazy("Please decide who owns: %(title)s"),
            url=reverse("grayzone:portal_detail", args=[project.pk, item.pk]),
            params={"title": item.title},
            facts={"grayzone_item": item.pk, "ref": item.ref},
        ),
        recipients=_sponsors(project),
    )
    return item


@transaction.atomic
def item_decide(
    *,
    by: User,
    item: GrayZoneItem,
    organization: Organization,
    rationale: str,
    person: User | None = None,
) -> GrayZoneItem:
    """The customer sponsor decides who owns an escalated item; the decision is appended to the ledger."""
    from shinrai.ledger.services import ledger_append

    _require(by, Perm.DECIDE, item.project)
    item = _locked(item)
    if item.state != S.ESCALATED:
        raise ValidationError(_("This item is not waiting for your decision."))
    errors = {}
    try:
        organization, person = _owner(item.project, organization, person)
    except ValidationError as error:
        errors.update(error.message_dict)
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = [_("Write why this owner was chosen.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    owner = organization.name + (f" / {person.display_name}" if person else "")
    entry = ledger_append(
        by=by,
        project=item.project,
        kind="decision",
        subject=f"{item.ref} {item.title}: {owner}"[:300],
        payload={
            "grayzone_item": item.ref,
            "grayzone_item_id": item.pk,
            "title": item.title,
            "what": "owner of a gray-zone item",
            "owner_organization": organization.name,
            "owner_organization_id": organization.pk,
            "owner_person": person.display_name if person else None,
            "rationale": rationale,
            "decided_by": by.display_name,
            "escalated_at": item.escalated_at.isoformat() if item.escalated_at else None,
            "escalation_note": item.escalation_note,
            "age_business_days": item.age_days(timezone.localdate(now)),
        },
    )
    _save(
        item,
        {
            "state": S.DECIDED,
            "owner_org": organization,
            "owner_user": person,
            "owned_at": now,
            "owner_note": rationale,
            "decided_by": by,
            "ledger_entry": entry,
        },
        now=now,
    )
    _audit(
        by=by,
        action="grayzone.decide",
        item=item,
        before={"state": S.ESCALATED},
        after={"state": S.DECIDED, "owner": organization, "person": person, "ledger_entry": entry.seq},
    )
    return item


@transaction.atomic
def comment_add(*, by: User, item: GrayZoneItem, body: str, vendor_only: bool = False) -> GrayZoneComment:
    """A comment from anyone who sees the item (partner vendors on its share list included). It is written for
    the item's audience of now; a vendor user may keep it to the vendor."""
    if not access.items_shared_with(by, GrayZoneItem.objects.filter(pk=item.pk)).exists():
        raise PermissionError("the item is not visible to the author")
    body = _text(body, "body", _("Write the comment first."), max_length=5000)
    if vendor_only and not access.is_vendor_user(by):
        raise ValidationError({"vendor_only": _("Only the vendor can keep a comment to itself.")})
    visibility = (
        Visibility.INTERNAL
        if vendor_only
        else GrayZoneItem.objects.values_list("visibility", flat=True).get(pk=item.pk)
    )
    comment = GrayZoneComment.objects.create(item=item, author=by, body=body, visibility=visibility)
    audit_record(
        actor=by,
        action="grayzone.comment",
        obj=item,
        project=item.project,
        after={"ref": item.ref, "comment": comment.pk, "visibility": visibility},
    )
    return comment


# --- Anticipated questions ------------------------------------------------------------------------------

POSITION_FIELDS = ("question", "meeting", "meeting_on", "facts", "options", "recommendation")


def _position_fields(fields: dict, *, is_new: bool) -> dict:
    errors = {}
    checks = (
        ("question", _("Write the question you expect."), QUESTION_MAX),
        ("facts", _("Write down the facts."), None),
        ("recommendation", _("Write what you recommend."), None),
    )
    for name, message, max_length in checks:
        if is_new or name in fields:
            try:
                fields[name] = _text(fields.get(name), name, message, max_length=max_length)
            except ValidationError as error:
                errors.update(error.message_dict)
    for name in ("meeting", "options"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if len(fields.get("meeting", "")) > 200:
        errors["meeting"] = [_("Keep it to %(n)d characters or fewer.") % {"n": 200}]
    meeting_on = fields.get("meeting_on")
    if meeting_on is not None and not isinstance(meeting_on, date):
        errors["meeting_on"] = [_("Give the meeting date as a date.")]
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def position_create(*, by: User, project: Project, **fields) -> Position:
    """Write a position before a meeting: the question expected, the facts, the options and the
    recommendation. It is a vendor-only draft until ``position_share``."""
    _require(by, Perm.CONTRIBUTE, project)
    unknown = set(fields) - set(POSITION_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    fields = _position_fields(dict(fields), is_new=True)
    Project.objects.select_for_update().only("pk").get(pk=project.pk)
    last = Position.objects.filter(project=project).aggregate(last=Max("number"))["last"] or 0
    now = timezone.now()
    position = Position.objects.create(
        project=project, number=last + 1, author=by, created_at=now, updated_at=now, **fields
    )
    audit_record(
        actor=by,
        action="position.create",
        obj=position,
        project=project,
        after={"ref": position.ref, "question": position.question},
    )
    return position


def _new_version(position: Position, *, by: User, note: str = "") -> PositionVersion:
    return PositionVersion.objects.create(
        position=position,
        number=position.version,
        question=position.question,
        meeting=position.meeting,
        meeting_on=position.meeting_on,
        facts=position.facts,
        options=position.options,
        recommendation=position.recommendation,
        note=(note or "").strip()[:300],
        visibility=position.visibility,
        written_by=by,
        created_at=position.updated_at,
    )


@transaction.atomic
def position_update(*, by: User, position: Position, note: str = "", **fields) -> Position:
    """Change a position. A draft changes in place; a shared position gets a new version (the earlier ones
    stay readable), with ``note`` saying what changed. The caller holds the lock (pages: ``locking.guard``,
    API: ``If-Match``)."""
    _require(by, Perm.CONTRIBUTE, position.project)
    unknown = set(fields) - set(POSITION_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    fields = _position_fields(dict(fields), is_new=False)
    position = Position.objects.select_for_update().select_related("project").get(pk=position.pk)
    changed = {name: value for name, value in fields.items() if getattr(position, name) != value}
    if not changed:
        return position
    before = {name: getattr(position, name) for name in changed}
    for name, value in changed.items():
        setattr(position, name, value)
    position.updated_at = timezone.now()
    update = [*changed, "updated_at"]
    if position.is_shared:
        position.version += 1
        update.append("version")
    position.save(update_fields=update)
    if position.is_shared:
        _new_version(position, by=by, note=note)
    audit_record(
        actor=by,
        action="position.update",
        obj=position,
        project=position.project,
        before={k: str(v) if v is not None else None for k, v in before.items()},
        after={k: str(v) if v is not None else None for k, v in changed.items()}
        | {"ref": position.ref, "version": position.version},
    )
    return position


@transaction.atomic
def position_share(
    *, by: User, position: Position, visibility: str, partners: Iterable[Organization] = (), note: str = ""
) -> Position:
    """Share a position with the customer, or with the customer and chosen partner vendors. The first
    sharing makes version 1 of the draft. Later the audience can change (never back to vendor-only): a
    change between "customer" and "partners" adds a version with the same text for the new audience (the
    versions written for the customer alone stay hidden from partner vendors); a change of the partner list
    alone adds none."""
    _require(by, Perm.EDIT, position.project)
    partners = _partners(position.project, partners)
    position = Position.objects.select_for_update().select_related("project").get(pk=position.pk)
    _audience(position.visibility, visibility, partners)
    if visibility == Visibility.INTERNAL:
        raise ValidationError({"visibility": _("Share it with the customer, or also with partner vendors.")})
    before = position.visibility
    added, removed = _set_shares(PositionShare, "position", position, partners, by)
    first = not position.is_shared
    # A new audience reads the position as it stands now: a version with the same text, for them.
    widened_or_narrowed = not first and before != visibility
    if before == visibility and not added and not removed and not first:
        return position
    now = timezone.now()
    position.visibility = visibility
    position.updated_at = now
    update = ["visibility", "updated_at"]
    if first:
        position.version, position.shared_at = 1, now
        update += ["version", "shared_at"]
    elif widened_or_narrowed:
        position.version += 1
        update.append("version")
    position.save(update_fields=update)
    if first or widened_or_narrowed:
        _new_version(position, by=by, note=note)
    audit_record(
        actor=by,
        action="position.share",
        obj=position,
        project=position.project,
        before={"visibility": before, "partners_removed": ", ".join(o.name for o in removed)},
        after={
            "visibility": visibility,
            "partners_added": ", ".join(o.name for o in added),
            "ref": position.ref,
            "version": position.version,
        },
    )
    return position
