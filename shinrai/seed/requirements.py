"""Stakeholders, goals, requirements with acceptance criteria, and the customer's approval (a baseline).

Requirements are numbered per project (REQ-001 …); their verifiability findings come from the real checker,
once per distinct sentence. A project past its requirements phase has one approved review and baseline 1
(approved by its sponsor at the end of the phase); a project still in it has an open review; one not started
yet has drafts only.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from shinrai.requirements import baselines
from shinrai.requirements.models import (
    AcceptanceCriterion,
    Baseline,
    Goal,
    Requirement,
    Review,
    Stakeholder,
    SuccessMeasure,
)

from . import words
from .base import ProjectPlan, Seeder, at_tokyo

# Acceptance criteria of the measurable non-functional sentences (the vague ones have none, on purpose).
CRITERIA = {
    "画面の表示は、同時利用者300人のとき3秒以内であること。": (
        "画面の応答時間",
        "lte",
        "3",
        "秒",
        "同時利用者300人",
        "負荷テストツールで95パーセンタイルを測定",
    ),
    "夜間バッチは、2時間以内に完了すること。": (
        "夜間バッチの処理時間",
        "lte",
        "2",
        "時間",
        "",
        "本番相当データで計測",
    ),
    "業務時間中（8時〜20時）の稼働率は99.5%以上であること。": (
        "稼働率",
        "gte",
        "99.5",
        "%",
        "業務時間中",
        "監視ツールの月次集計",
    ),
    "障害時は、4時間以内に業務を再開できること。": ("復旧時間", "lte", "4", "時間", "", "障害訓練で計測"),
    "システムの状態は、監視画面で5分ごとに確認できること。": (
        "監視の間隔",
        "lte",
        "5",
        "分",
        "",
        "監視設定の確認",
    ),
}
FINDINGS: dict[str, list[dict]] = {}


def _findings(text: str) -> list[dict]:
    """The findings as ``requirements.services`` stores them; each distinct sentence is checked once."""
    if text not in FINDINGS:
        from shinrai.requirements.verifiability import check

        FINDINGS[text] = [
            {**asdict(finding), "text": text[finding.start : finding.end]} for finding in check(text)
        ]
    return FINDINGS[text]


def seed_requirements(s: Seeder, plan: ProjectPlan) -> None:
    rng = s.rng("requirements", plan.index)
    _name, _kind, first, last = plan.phases[0]
    phase_start, phase_end = s.calendar.day(first), s.calendar.day(last)
    approved = phase_end < s.today and plan.kind != "starting"
    in_review = not approved and phase_start <= s.today
    created = max(plan.created_at, at_tokyo(phase_start, 10))
    created = min(created, s.now)

    stakeholders = []
    for category, title in rng.sample(words.STAKEHOLDERS, rng.randint(3, 5)):
        stakeholders.append(
            s.add(
                Stakeholder(
                    project_id=plan.id,
                    name=f"{rng.choice(words.SURNAMES)} {title}",
                    organization_name=title[:-2] if title.endswith(("部長", "担当")) else "",
                    category=category,
                    expectations=rng.choice(words.PURPOSES),
                    concerns=rng.choice(
                        ("現場の負担が増えないか", "費用が増えないか", "移行時に業務が止まらないか")
                    ),
                    heard_on=phase_start + timedelta(days=rng.randint(1, 10))
                    if in_review or approved
                    else None,
                    created_at=created,
                )
            ).pk
        )
    goals = []
    for title, to_be, success in rng.sample(words.GOALS, rng.randint(2, 3)):
        goal = s.add(
            Goal(project_id=plan.id, title=title, to_be=to_be, success_definition=success, created_at=created)
        )
        s.add(SuccessMeasure(goal_id=goal.pk, metric=title, target=success, due_date=plan.end))
        goals.append((goal.pk, title))

    count = max(1, round(s.scale.requirements_per_project * rng.uniform(0.6, 1.4)))
    snapshot, visible_ids, live_refs = {}, [], {}
    for number in range(1, count + 1):
        if rng.random() < 0.75:
            text = rng.choice(words.FUNCTIONAL_TEMPLATES).format(
                area=rng.choice(words.BUSINESS_AREAS), object=rng.choice(words.OBJECTS)
            )
            kind, category = Requirement.Kind.FUNCTIONAL, ""
        else:
            category, text = rng.choice(words.NON_FUNCTIONAL)
            kind = Requirement.Kind.NON_FUNCTIONAL
        if approved:
            status = Requirement.Status.WITHDRAWN if rng.random() < 0.03 else Requirement.Status.APPROVED
        else:
            status = Requirement.Status.IN_REVIEW if in_review else Requirement.Status.DRAFT
        visibility = "internal" if rng.random() < 0.05 else "customer"
        goal_id, goal_title = rng.choice(goals) if rng.random() < 0.7 else (None, None)
        findings = _findings(text)
        at = min(s.now, created + timedelta(hours=rng.randint(1, 24 * 15)))
        requirement = s.add(
            Requirement(
                project_id=plan.id,
                number=number,
                text=text,
                kind=kind,
                category=category,
                priority=rng.choices(("must", "should", "could", "wont"), (50, 30, 15, 5))[0],
                goal_id=goal_id,
                status=status,
                visibility=visibility,
                findings=findings,
                is_verifiable=not findings,
                created_at=at,
                updated_at=at,
            )
        )
        criteria = []
        if text in CRITERIA:
            metric, operator, threshold, unit, condition, method = CRITERIA[text]
            s.add(
                AcceptanceCriterion(
                    requirement_id=requirement.pk,
                    metric=metric,
                    operator=operator,
                    threshold=threshold,
                    unit=unit,
                    condition=condition,
                    method=method,
                )
            )
            criteria = [
                dict(
                    zip(
                        AcceptanceCriterion.CONTENT_FIELDS,
                        (*CRITERIA[text][:3], "", *CRITERIA[text][3:]),
                        strict=True,
                    )
                )
            ]
        for stakeholder in rng.sample(stakeholders, rng.randint(1, 2)):
            s.add(Requirement.sources.through(requirement_id=requirement.pk, stakeholder_id=stakeholder))
        s.audit(
            at=at,
            actor=plan.pm,
            action="requirement.create",
            object_type="requirements.requirement",
            object_id=requirement.pk,
            project=plan.id,
            after={"number": number, "text": text, "kind": kind, "priority": requirement.priority},
        )
        if visibility != "internal":
            visible_ids.append(requirement.pk)
            if status != Requirement.Status.WITHDRAWN:
                live_refs[requirement.pk] = requirement.ref
                snapshot[requirement.ref] = {
                    "text": text,
                    "kind": kind,
                    "category": category,
                    "priority": requirement.priority,
                    "goal": goal_title,
                    "criteria": criteria,
                }
    plan.shared["requirements"] = visible_ids
    plan.shared["requirement_refs"] = live_refs  # id → REQ-nnn, shared and not withdrawn: flows link to them

    if not (approved or in_review):
        return
    sponsor = plan.sponsors[0]
    submitted = min(s.now, at_tokyo(phase_end - timedelta(days=10), 15))
    review = s.add(
        Review(
            project_id=plan.id,
            status=Review.Status.APPROVED if approved else Review.Status.OPEN,
            submitted_by_id=plan.pm,
            submitted_at=submitted,
            message="要件定義書の内容をご確認ください。",
            decided_by_id=sponsor if approved else None,
            decided_at=at_tokyo(phase_end, 16) if approved else None,
        )
    )
    if approved:
        baseline = s.add(
            Baseline(
                project_id=plan.id,
                version=1,
                review_id=review.pk,
                approved_by_id=sponsor,
                approved_at=at_tokyo(phase_end, 16),
                content=snapshot,
                content_hash=baselines.content_hash(snapshot),
            )
        )
        s.audit(
            at=at_tokyo(phase_end, 16),
            actor=sponsor,
            action="baseline.approve",
            object_type="requirements.baseline",
            object_id=baseline.pk,
            project=plan.id,
            after={"version": 1, "content_hash": baseline.content_hash, "requirements": len(snapshot)},
        )
