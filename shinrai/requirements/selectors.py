"""Read queries of the requirements app. Every query starts from what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import get_language

from shinrai.core import access
from shinrai.core.models import Project, User

from . import baselines
from .models import AcceptanceCriterion, Baseline, Goal, Requirement, Review, ReviewComment, Stakeholder
from .sentences import sentence


def criteria_snapshot(criteria) -> list[dict]:
    return [{name: getattr(c, name) for name in AcceptanceCriterion.CONTENT_FIELDS} for c in criteria]


def stakeholders_for(*, user: User, project: Project) -> QuerySet[Stakeholder]:
    return access.items_visible_to(user, Stakeholder.objects.filter(project=project))


def goals_for(*, user: User, project: Project) -> QuerySet[Goal]:
    return access.items_visible_to(user, Goal.objects.filter(project=project)).prefetch_related("measures")


def requirements_for(
    *, user: User, project: Project, include_withdrawn: bool = True
) -> QuerySet[Requirement]:
    """The project's requirements with criteria, sources and goal loaded: a fixed number of queries."""
    queryset = access.items_visible_to(user, Requirement.objects.filter(project=project))
    if not include_withdrawn:
        queryset = queryset.exclude(status=Requirement.Status.WITHDRAWN)
    return queryset.select_related("goal").prefetch_related(
        "criteria",
        Prefetch("sources", queryset=access.items_visible_to(user, Stakeholder.objects.all())),
    )


def requirement_for(*, user: User, pk) -> Requirement:
    """One requirement the user may see, or 404."""
    from django.http import Http404

    try:
        return access.items_visible_to(user, Requirement.objects.select_related("project", "goal")).get(pk=pk)
    except (Requirement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def criterion_for(*, user: User, pk) -> AcceptanceCriterion:
    from django.http import Http404

    try:
        return AcceptanceCriterion.objects.select_related("requirement__project").get(
            pk=pk, requirement__in=access.items_visible_to(user, Requirement.objects.all())
        )
    except (AcceptanceCriterion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class Verifiability:
    total: int
    verifiable: int

    @property
    def score(self) -> int | None:
        """Share of requirements with no vague wording, in percent (None when there are none)."""
        return round(100 * self.verifiable / self.total) if self.total else None


def verifiability_of(requirements: QuerySet[Requirement]) -> Verifiability:
    counts = requirements.exclude(status=Requirement.Status.WITHDRAWN).aggregate(
        total=Count("id"), verifiable=Count("id", filter=Q(is_verifiable=True))
    )
    return Verifiability(counts["total"], counts["verifiable"])


def open_review(*, project: Project) -> Review | None:
    return (
        Review.objects.filter(project=project, status=Review.Status.OPEN)
        .select_related("submitted_by")
        .first()
    )


def comments_by_requirement(*, user: User, project: Project) -> dict[int, list[ReviewComment]]:
    """Every review comment on the requirements the user may see, grouped by requirement id, oldest first."""
    grouped: dict[int, list[ReviewComment]] = {}
    visible = access.items_visible_to(user, Requirement.objects.filter(project=project))
    comments = ReviewComment.objects.filter(requirement__in=visible).select_related("author__organization")
    for comment in comments:
        grouped.setdefault(comment.requirement_id, []).append(comment)
    return grouped


def baselines_for(*, user: User, project: Project) -> QuerySet[Baseline]:
    access.project_for(user, project.pk)  # baselines are visible to everyone who may see the project
    return Baseline.objects.filter(project=project).select_related("approved_by")


def latest_baseline(*, project: Project) -> Baseline | None:
    return Baseline.objects.filter(project=project).select_related("approved_by").first()


def requirements_snapshot(project: Project) -> dict:
    """What a baseline fixes: every requirement in scope, keyed by its reference."""
    requirements = (
        Requirement.objects.filter(project=project)
        .agreed_scope()
        .select_related("goal")
        .prefetch_related("criteria")
    )
    return {
        r.ref: {
            "text": r.text,
            "kind": r.kind,
            "category": r.category,
            "priority": r.priority,
            "goal": r.goal.title if r.goal else None,
            "criteria": criteria_snapshot(r.criteria.all()),
        }
        for r in requirements
    }


def changes_since_baseline(
    *, user: User, project: Project, baseline: Baseline | None
) -> list[baselines.Change]:
    """Changes of the agreed scope since the baseline, limited to requirements the user may see."""
    if baseline is None:
        return []
    visible_refs = {
        r.ref
        for r in access.items_visible_to(user, Requirement.objects.filter(project=project)).only("number")
    }
    language = get_language()
    changes = [
        c for c in baselines.diff(baseline.content, requirements_snapshot(project)) if c.ref in visible_refs
    ]
    for change in changes:
        if "criteria" in change.fields:
            change.criteria_old = [sentence(SimpleNamespace(**c), language) for c in change.old["criteria"]]
            change.criteria_new = [sentence(SimpleNamespace(**c), language) for c in change.new["criteria"]]
    return changes
