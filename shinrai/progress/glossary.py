"""The vendor's glossary for the plain-language check: who may read and change it, reads and writes.

A glossary belongs to one vendor organization (``PlainLanguageTerm.vendor_org``) and is used for every report
of that vendor's projects. Everyone of the vendor reads it; the vendor's managers and the PMs of its projects
change it. Other organizations never see it: a term of another vendor answers 404 like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from shinrai.core import access
from shinrai.core.models import ProjectMember, Role, User
from shinrai.core.services import audit_record

from .models import PlainLanguageTerm

TERM_FIELDS = ("term", "plain_ja", "plain_en")
EDITOR_ROLES = (Role.VENDOR_PM, Role.VENDOR_MANAGER)


# --- Who ---------------------------------------------------------------------------------------------------


def can_read(user: User) -> bool:
    return access.is_vendor_user(user)


def can_edit(user: User) -> bool:
    """A vendor manager, or a PM (or assigned manager) of at least one project of the user's own vendor."""
    if not access.is_vendor_user(user):
        return False
    if user.is_vendor_manager:
        return True
    return ProjectMember.objects.filter(
        user=user, role__in=EDITOR_ROLES, project__vendor_org=user.organization_id
    ).exists()


# --- Reads -------------------------------------------------------------------------------------------------


def terms_for(*, user: User, search: str = "") -> QuerySet[PlainLanguageTerm]:
    """The user's vendor's glossary in term order, narrowed by ``search`` (term or explanation); none for
    anyone who is not of a vendor."""
    if not can_read(user):
        return PlainLanguageTerm.objects.none()
    queryset = PlainLanguageTerm.objects.filter(vendor_org=user.organization_id).order_by("term", "id")
    search = search.strip()
    if search:
        queryset = queryset.filter(
            Q(term__icontains=search) | Q(plain_ja__icontains=search) | Q(plain_en__icontains=search)
        )
    return queryset


def term_for(*, user: User, pk) -> PlainLanguageTerm:
    """One term of the user's vendor, or 404 (missing, another vendor's, or the user is not of a vendor)."""
    try:
        return terms_for(user=user).get(pk=pk)
    except (PlainLanguageTerm.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- Writes ------------------------------------------------------------------------------------------------


def _require_editor(user: User) -> None:
    if not can_edit(user):
        raise PermissionError("glossary editor needed")


def _clean(values: dict) -> dict:
    cleaned = {name: (values.get(name) or "").strip() for name in TERM_FIELDS}
    errors = {}
    if not cleaned["term"]:
        errors["term"] = _("Enter the word or abbreviation.")
    if not cleaned["plain_ja"]:
        errors["plain_ja"] = _("Explain it in plain Japanese.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _duplicate(message_term: str) -> ValidationError:
    return ValidationError(
        {"term": _("%(term)s is in the glossary already. Edit that entry instead.") % {"term": message_term}}
    )


@transaction.atomic
def term_save(*, by: User, entry: PlainLanguageTerm | None = None, **values) -> PlainLanguageTerm:
    """Add a term to the user's vendor's glossary, or change one of its terms.

    A term is unique per vendor, ignoring upper/lower case (UAT and uat would both be flagged as the same
    word by a reader): a second one is refused with a message that names it.
    """
    _require_editor(by)
    unknown = set(values) - set(TERM_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    is_new = entry is None
    if not is_new and entry.vendor_org_id != by.organization_id:
        raise PermissionError("another vendor's term")
    current = {name: getattr(entry, name) for name in TERM_FIELDS} if entry else {}
    cleaned = _clean(current | values)
    clash = PlainLanguageTerm.objects.filter(vendor_org=by.organization_id, term__iexact=cleaned["term"])
    if not is_new:
        clash = clash.exclude(pk=entry.pk)
    if clash.exists():
        raise _duplicate(cleaned["term"])
    term = entry or PlainLanguageTerm(vendor_org_id=by.organization_id)
    changed = {
        name: (getattr(term, name), value) for name, value in cleaned.items() if getattr(term, name) != value
    }
    if not (is_new or changed):
        return term
    for name, (_before, value) in changed.items():
        setattr(term, name, value)
    term.full_clean(exclude=["vendor_org"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            term.save() if is_new else term.save(update_fields=list(changed))
    except IntegrityError:
        # Someone added the same term at the same moment.
        raise _duplicate(cleaned["term"]) from None
    audit_record(
        actor=by,
        action="glossary.create" if is_new else "glossary.update",
        obj=term,
        before={} if is_new else {name: before for name, (before, _after) in changed.items()},
        after=cleaned if is_new else {name: after for name, (_before, after) in changed.items()},
    )
    return term


@transaction.atomic
def term_delete(*, by: User, entry: PlainLanguageTerm) -> None:
    """Remove a term from the glossary; the reports already written are not changed."""
    _require_editor(by)
    if entry.vendor_org_id != by.organization_id:
        raise PermissionError("another vendor's term")
    audit_record(
        actor=by,
        action="glossary.delete",
        obj=entry,
        before={name: getattr(entry, name) for name in TERM_FIELDS},
    )
    entry.delete()
