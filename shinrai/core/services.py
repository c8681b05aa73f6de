"""Write operations of the core app: one function per business action, transactional, audited."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    ROLE_ORG_KIND,
    ApiToken,
    AuditEvent,
    Organization,
    Project,
    ProjectMember,
    Role,
    TokenScope,
    User,
)

#: Sent by ``audit_event`` with the ``project_id`` written to: every audited write, bulk imports included.
#: Cached aggregates of a project listen to it (``accounts.trust_cache`` drops the project's indicators).
project_written = Signal()

PROJECT_AUDITED_FIELDS = (
    "code",
    "name",
    "summary",
    "phase",
    "start_date",
    "end_date",
    "contract_amount",
    "internal_note",
)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Any,
    project: Project | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Append one audit event. Called by every service inside its transaction."""
    event = audit_event(actor=actor, action=action, obj=obj, project=project, before=before, after=after)
    event.save()
    return event


def audit_event(
    *,
    actor: User | None,
    action: str,
    obj: Any,
    project: Project | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """The unsaved event ``audit_record`` writes: bulk imports collect these for one ``bulk_create``."""
    if project is not None:
        project_written.send(sender=AuditEvent, project_id=getattr(project, "pk", project))
    return AuditEvent(
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        project=project,
        before={k: _jsonable(v) for k, v in (before or {}).items()},
        after={k: _jsonable(v) for k, v in (after or {}).items()},
    )


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict:
    return {name: getattr(obj, name) for name in fields}


@transaction.atomic
def project_create(
    *, by: User | None, vendor_org: Organization, customer_org: Organization, **fields
) -> Project:
    """Create a project between a vendor and a customer. Members are added with ``member_add``."""
    if vendor_org.kind != Organization.Kind.VENDOR:
        raise ValidationError({"vendor_org": _("The vendor must be a vendor organization.")})
    if customer_org.kind != Organization.Kind.CUSTOMER:
        raise ValidationError({"customer_org": _("The customer must be a customer organization.")})
    project = Project(vendor_org=vendor_org, customer_org=customer_org, **fields)
    project.full_clean()
    project.save()
    audit_record(
        actor=by,
        action="project.create",
        obj=project,
        project=project,
        after=_snapshot(project, PROJECT_AUDITED_FIELDS),
    )
    return project


@transaction.atomic
def project_update(*, by: User | None, project: Project, **changes) -> Project:
    """Change a project's fields; the audit event keeps only what changed."""
    before = _snapshot(project, PROJECT_AUDITED_FIELDS)
    for name, value in changes.items():
        if name not in PROJECT_AUDITED_FIELDS:
            raise ValueError(f"{name} cannot be changed here")
        setattr(project, name, value)
    project.full_clean()
    changed = [name for name in changes if before[name] != getattr(project, name)]
    if not changed:
        return project
    project.updated_at = timezone.now()
    project.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=by,
        action="project.update",
        obj=project,
        project=project,
        before={name: before[name] for name in changed},
        after={name: getattr(project, name) for name in changed},
    )
    return project


@transaction.atomic
def member_add(*, by: User | None, project: Project, user: User, role: str) -> ProjectMember:
    """Add a person to a project, or change their role. The role must fit their organization."""
    role = Role(role)
    expected_kind = ROLE_ORG_KIND[role]
    org = user.organization
    if org.kind != expected_kind:
        raise ValidationError(
            {
                "role": _("This role needs a person from a %(kind)s organization.")
                % {"kind": Organization.Kind(expected_kind).label}
            }
        )
    if expected_kind == Organization.Kind.VENDOR and org.id != project.vendor_org_id:
        raise ValidationError({"user": _("Only people of the project's vendor can take a vendor role.")})
    if expected_kind == Organization.Kind.CUSTOMER and org.id != project.customer_org_id:
        raise ValidationError({"user": _("Only people of the project's customer can take a customer role.")})
    member = ProjectMember.objects.filter(project=project, user=user).first()
    before = {"role": member.role} if member else {}
    if member is None:
        member = ProjectMember.objects.create(project=project, user=user, role=role)
    elif member.role != role:
        member.role = role
        member.save(update_fields=["role"])
    else:
        return member
    audit_record(
        actor=by,
        action="member.add" if not before else "member.change_role",
        obj=member,
        project=project,
        before=before,
        after={"user": user.email, "role": role},
    )
    return member


@transaction.atomic
def member_remove(*, by: User | None, member: ProjectMember) -> None:
    audit_record(
        actor=by,
        action="member.remove",
        obj=member,
        project=member.project,
        before={"user": member.user.email, "role": member.role},
    )
    member.delete()


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Remember the language a person reads Shinrai in."""
    before = user.language
    user.language = language
    user.full_clean(validate_unique=False, exclude=["password"])
    if before != language:
        user.save(update_fields=["language"])
        audit_record(
            actor=user,
            action="user.set_language",
            obj=user,
            before={"language": before},
            after={"language": language},
        )
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, scope: str = TokenScope.WRITE) -> tuple[ApiToken, str]:
    """Issue a personal API token. The clear token is returned once and never stored.

    `scope` is TokenScope.READ (GET only) or TokenScope.WRITE (whatever the owner may do). The default stays
    write so callers written before scopes existed keep their meaning; the settings page defaults to read.
    """
    if scope not in TokenScope.values:
        raise ValueError(f"unknown token scope {scope!r}")
    clear = "shr_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=clear[:12], digest=_token_digest(clear), scope=scope
    )
    audit_record(
        actor=user,
        action="api_token.create",
        obj=token,
        after={"name": name, "prefix": token.prefix, "scope": scope},
    )
    return token, clear


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    audit_record(actor=user, action="api_token.revoke", obj=token, before={"name": token.name})
    token.delete()


def api_token_authenticate(clear: str) -> User | None:
    """The active user behind a clear token, or None. Marks the token as used."""
    token = api_token_lookup(clear)
    return None if token is None else token.user


def api_token_lookup(clear: str) -> ApiToken | None:
    """The token (with its active user) matching a clear token, or None. Marks the token as used.

    The API's auth reads the token, not only the user, because a read-scoped token must not write.
    """
    token = ApiToken.objects.select_related("user__organization").filter(digest=_token_digest(clear)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Write at most once a minute so that busy API clients don't turn reads into writes.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
