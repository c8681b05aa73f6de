"""Write operations of the requirements app: one function per business action, transactional, audited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shinrai.core.models import Project, User
from shinrai.core.services import audit_record

from . import baselines, selectors
from .models import (
    AcceptanceCriterion,
    Baseline,
    Goal,
    Requirement,
    Review,
    ReviewComment,
    Stakeholder,
    SuccessMeasure,
)

STAKEHOLDER_FIELDS = (
    "name",
    "organization_name",
    "category",
    "expectations",
    "concerns",
    "heard_on",
    "hearing_notes",
    "visibility",
)
GOAL_FIELDS = ("title", "to_be", "success_definition", "visibility")
REQUIREMENT_FIELDS = ("text", "kind", "category", "priority", "goal", "visibility")
CRITERION_FIELDS = AcceptanceCriterion.CONTENT_FIELDS


def _assign(obj, fields: tuple[str, ...], values: dict) -> dict:
    """Set the given fields; return {field: (before, after)} for those that changed."""
    unknown = set(values) - set(fields)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    changed = {}
    for name, value in values.items():
        before = getattr(obj, name)
        if before != value:
            changed[name] = (before, value)
            setattr(obj, name, value)
    return changed


def _audit_changes(*, by, action, obj, project, changed: dict) -> None:
    audit_record(
        actor=by,
        action=action,
        obj=obj,
        project=project,
        before={k: v[0] for k, v in changed.items()},
        after={k: v[1] for k, v in changed.items()},
    )


def _open_review(project: Project) -> Review | None:
    return Review.objects.filter(project=project, status=Review.Status.OPEN).first()


def _ensure_editable(project: Project) -> None:
    # While the customer reviews, the text they read must not move under them.
    if _open_review(project) is not None:
        raise ValidationError(
            _("The requirements are with the customer for review. Withdraw the review to make changes.")
        )


@transaction.atomic
def stakeholder_save(
    *, by: User, project: Project, stakeholder: Stakeholder | None = None, **fields
) -> Stakeholder:
    """Create or update a stakeholder of a project."""
    is_new = stakeholder is None
    stakeholder = stakeholder or Stakeholder(project=project)
    changed = _assign(stakeholder, STAKEHOLDER_FIELDS, fields)
    stakeholder.full_clean()
    if is_new or changed:
        stakeholder.save()
        _audit_changes(
            by=by,
            action="stakeholder.create" if is_new else "stakeholder.update",
            obj=stakeholder,
            project=project,
            changed=changed,
        )
    return stakeholder


@transaction.atomic
def goal_save(
    *, by: User, project: Project, goal: Goal | None = None, measures: Iterable[dict] | None = None, **fields
) -> Goal:
    """Create or update a goal; ``measures`` (metric, target, due_date) replace its success measures."""
    is_new = goal is None
    goal = goal or Goal(project=project)
    changed = _assign(goal, GOAL_FIELDS, fields)
    goal.full_clean()
    goal.save()
    if measures is not None:
        old = [(m.metric, m.target, m.due_date) for m in goal.measures.all()]
        new = [(m["metric"], m["target"], m.get("due_date")) for m in measures]
        if old != new:
            goal.measures.all().delete()
            SuccessMeasure.objects.bulk_create(
                SuccessMeasure(goal=goal, metric=metric, target=target, due_date=due)
                for metric, target, due in new
            )
            changed["measures"] = (len(old), len(new))
    if is_new or changed:
        _audit_changes(
            by=by,
            action="goal.create" if is_new else "goal.update",
            obj=goal,
            project=project,
            changed=changed,
        )
    return goal


def _findings_for(text: str) -> list[dict]:
    # Imported here: the checker loads a Japanese dictionary, which only writes need.
    from .verifiability import check

    return [{**asdict(finding), "text": text[finding.start : finding.end]} for finding in check(text)]


def _validate_criteria(criteria: list[dict]) -> list[AcceptanceCriterion]:
    rows = []
    for position, values in enumerate(criteria):
        criterion = AcceptanceCriterion(position=position, **{k: values.get(k, "") for k in CRITERION_FIELDS})
        criterion.full_clean(exclude=["requirement"])
        rows.append(criterion)
    return rows


def _criteria_snapshot(requirement: Requirement) -> list[dict]:
    return selectors.criteria_snapshot(requirement.criteria.all())


@transaction.atomic
def requirement_create(
    *, by: User, project: Project, sources: Iterable[Stakeholder] = (), criteria: list[dict] = (), **fields
) -> Requirement:
    """Add a requirement with the next free number (REQ-001, REQ-002, …) and its acceptance criteria."""
    _ensure_editable(project)
    # Lock the project row so that two people adding requirements at once get different numbers.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    last = Requirement.objects.filter(project=project).aggregate(last=Max("number"))["last"] or 0
    requirement = Requirement(project=project, number=last + 1)
    _assign(requirement, REQUIREMENT_FIELDS, fields)
    _check_goal_and_sources(project, requirement.goal, sources)
    requirement.findings = _findings_for(requirement.text)
    requirement.is_verifiable = not requirement.findings
    requirement.full_clean()
    rows = _validate_criteria(list(criteria))
    _check_placeholders(requirement, rows)
    requirement.save()
    requirement.sources.set(sources)
    for row in rows:
        row.requirement = requirement
    AcceptanceCriterion.objects.bulk_create(rows)
    audit_record(
        actor=by,
        action="requirement.create",
        obj=requirement,
        project=project,
        after={"ref": requirement.ref, "text": requirement.text, "criteria": len(rows)},
    )
    return requirement


TEMPLATE_PLACEHOLDERS = ("〇〇", "○○", "△")


def _check_placeholders(requirement: Requirement, rows: list[AcceptanceCriterion]) -> None:
    # Templates mark what the PM must fill in; saving them unfilled would approve an empty promise.
    texts = [requirement.text] + [f"{r.metric} {r.threshold} {r.condition} {r.method}" for r in rows]
    if any(mark in text for text in texts for mark in TEMPLATE_PLACEHOLDERS):
        raise ValidationError({"text": _("Replace the template's 〇〇 and △ with the real values.")})


def _check_goal_and_sources(project: Project, goal: Goal | None, sources: Iterable[Stakeholder]) -> None:
    if goal is not None and goal.project_id != project.id:
        raise ValidationError({"goal": _("Choose a goal of this project.")})
    if any(s.project_id != project.id for s in sources):
        raise ValidationError({"sources": _("Choose stakeholders of this project.")})


@transaction.atomic
def requirement_update(
    *,
    by: User,
    requirement: Requirement,
    sources: Iterable[Stakeholder] | None = None,
    criteria: list[dict] | None = None,
    **fields,
) -> Requirement:
    """Change a requirement. Changing an approved one sends it back to draft: it needs re-approval."""
    project = requirement.project
    _ensure_editable(project)
    before_snapshot = {"criteria": _criteria_snapshot(requirement)}
    changed = _assign(requirement, REQUIREMENT_FIELDS, fields)
    if sources is not None:
        sources = list(sources)
        _check_goal_and_sources(project, requirement.goal, sources)
        old_ids = set(requirement.sources.values_list("id", flat=True))
        if old_ids != {s.id for s in sources}:
            changed["sources"] = (sorted(old_ids), sorted(s.id for s in sources))
    else:
        _check_goal_and_sources(project, requirement.goal, ())
    rows = None
    if criteria is not None:
        rows = _validate_criteria(list(criteria))
        new_snapshot = [{name: getattr(r, name) for name in CRITERION_FIELDS} for r in rows]
        if new_snapshot != before_snapshot["criteria"]:
            changed["criteria"] = (len(before_snapshot["criteria"]), len(rows))
        else:
            rows = None
    if "text" in changed:
        requirement.findings = _findings_for(requirement.text)
        requirement.is_verifiable = not requirement.findings
    if not changed:
        return requirement
    if requirement.status == Requirement.Status.APPROVED:
        requirement.status = Requirement.Status.DRAFT
        changed["status"] = (Requirement.Status.APPROVED, Requirement.Status.DRAFT)
    requirement.updated_at = timezone.now()
    requirement.full_clean()
    _check_placeholders(requirement, rows or [])
    requirement.save()
    if sources is not None and "sources" in changed:
        requirement.sources.set(sources)
    if rows is not None:
        requirement.criteria.all().delete()
        for row in rows:
            row.requirement = requirement
        AcceptanceCriterion.objects.bulk_create(rows)
    _audit_changes(by=by, action="requirement.update", obj=requirement, project=project, changed=changed)
    return requirement


@transaction.atomic
def requirement_withdraw(*, by: User, requirement: Requirement) -> Requirement:
    """Take a requirement out of scope; its number is never reused."""
    _ensure_editable(requirement.project)
    before = requirement.status
    requirement.status = Requirement.Status.WITHDRAWN
    requirement.updated_at = timezone.now()
    requirement.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=by,
        action="requirement.withdraw",
        obj=requirement,
        project=requirement.project,
        before={"status": before},
        after={"status": requirement.status},
    )
    return requirement


@transaction.atomic
def review_submit(*, by: User, project: Project, message: str = "") -> Review:
    """Send the requirements to the customer for review and approval."""
    _ensure_editable(project)
    in_scope = Requirement.objects.filter(project=project).agreed_scope()
    if not in_scope.exists():
        raise ValidationError(
            _("Add at least one requirement shared with the customer before asking for a review.")
        )
    review = Review.objects.create(project=project, submitted_by=by, message=message)
    in_scope.update(status=Requirement.Status.IN_REVIEW, updated_at=timezone.now())
    audit_record(
        actor=by,
        action="review.submit",
        obj=review,
        project=project,
        after={"requirements": in_scope.count()},
    )
    return review


@transaction.atomic
def review_withdraw(*, by: User, review: Review) -> Review:
    """Take the requirements back from the customer to change them."""
    if review.status != Review.Status.OPEN:
        raise ValidationError(_("This review is already closed."))
    review.status = Review.Status.WITHDRAWN
    review.decided_at = timezone.now()
    review.save(update_fields=["status", "decided_at"])
    Requirement.objects.filter(project=review.project, status=Requirement.Status.IN_REVIEW).update(
        status=Requirement.Status.DRAFT, updated_at=timezone.now()
    )
    audit_record(actor=by, action="review.withdraw", obj=review, project=review.project)
    return review


@transaction.atomic
def review_comment(*, by: User, review: Review, requirement: Requirement, body: str) -> ReviewComment:
    """A question or remark on one requirement during review."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if review.status != Review.Status.OPEN:
        raise ValidationError(_("This review is already closed."))
    if requirement.project_id != review.project_id:
        raise ValidationError(_("This requirement is not part of the review."))
    comment = ReviewComment.objects.create(review=review, requirement=requirement, author=by, body=body)
    audit_record(
        actor=by,
        action="review.comment",
        obj=comment,
        project=review.project,
        after={"requirement": requirement.ref},
    )
    return comment


@transaction.atomic
def review_approve(*, by: User, review: Review) -> Baseline:
    """The customer sponsor approves: the requirements become an immutable, hashed baseline."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != Review.Status.OPEN:
        raise ValidationError(_("This review is already closed."))
    project = review.project
    content = selectors.requirements_snapshot(project)
    last = Baseline.objects.filter(project=project).aggregate(last=Max("version"))["last"] or 0
    now = timezone.now()
    baseline = Baseline.objects.create(
        project=project,
        version=last + 1,
        review=review,
        approved_by=by,
        approved_at=now,
        content=content,
        content_hash=baselines.content_hash(content),
    )
    review.status = Review.Status.APPROVED
    review.decided_by = by
    review.decided_at = now
    review.save(update_fields=["status", "decided_by", "decided_at"])
    Requirement.objects.filter(project=project, status=Requirement.Status.IN_REVIEW).update(
        status=Requirement.Status.APPROVED, updated_at=timezone.now()
    )
    audit_record(
        actor=by,
        action="baseline.approve",
        obj=baseline,
        project=project,
        after={
            "version": baseline.version,
            "content_hash": baseline.content_hash,
            "requirements": len(content),
        },
    )
    return baseline
