"""Read queries of the core app. Each starts from what the user may see and has a fixed query count."""

from __future__ import annotations

from django.db.models import QuerySet

from . import access
from .models import ApiToken, AuditEvent, Project, ProjectMember, User


def portfolio_projects(*, user: User) -> QuerySet[Project]:
    """The vendor workspace's project list: every visible project with its customer."""
    return access.projects_visible_to(user).select_related("customer_org", "vendor_org").order_by("code")


def portal_projects(*, user: User) -> QuerySet[Project]:
    """The customer portal's project list: no internal fields are loaded at all."""
    return (
        access.projects_visible_to(user)
        .select_related("customer_org", "vendor_org")
        .only(
            "id",
            "code",
            "name",
            "summary",
            "phase",
            "start_date",
            "end_date",
            "customer_org__name",
            "vendor_org__name",
        )
        .order_by("-start_date", "code")
    )


def project_members(*, project: Project) -> QuerySet[ProjectMember]:
    """Members of a project the caller already looked up through access control."""
    return (
        ProjectMember.objects.filter(project=project)
        .select_related("user__organization")
        .order_by("role", "user__display_name")
    )


def project_recent_audit(*, project: Project, limit: int = 10) -> list[AuditEvent]:
    """Latest writes on a project, for vendor roles (callers check SEE_INTERNAL)."""
    return list(AuditEvent.objects.filter(project=project).select_related("actor")[:limit])


def user_api_tokens(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
