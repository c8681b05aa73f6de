"""Organizations, people, projects and memberships — the tenancy every other area hangs off.

One main vendor runs most projects; a second, smaller vendor (from 20 projects up) keeps the access rule
honest about more than one vendor. Each customer organization has one or two sponsors and field staff;
partner vendors have viewers who are added to about a quarter of the projects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from shinrai.core.models import Organization, Project, ProjectMember, Role, User

from . import words
from .base import TOKYO, ProjectPlan, Seeder, at_tokyo

PASSWORD = "shinrai-seed-2026"
PROJECT_PHASE = {
    "requirements": Project.Phase.REQUIREMENTS,
    "design": Project.Phase.DESIGN,
    "build": Project.Phase.BUILD,
    "test": Project.Phase.TEST,
    "release": Project.Phase.RELEASE,
}


@dataclass
class Staff:
    """The people of one organization by what they do (user ids)."""

    org_id: int
    domain: str
    managers: list[int] = field(default_factory=list)
    pms: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    sponsors: list[int] = field(default_factory=list)
    viewers: list[int] = field(default_factory=list)


@dataclass
class Tenancy:
    vendors: list[Staff]
    customers: list[Staff]
    partners: list[Staff]
    admin: int
    logins: dict[str, str]  # what → e-mail, printed at the end
    emails: dict[int, str]  # user id → e-mail (the audit log names people by e-mail)
    names: dict[int, str] = field(default_factory=dict)  # user id → display name (the ledger names people)


def _unique(rng, make, taken: set[str]) -> str:
    for _ in range(50):
        name = make()
        if name not in taken:
            taken.add(name)
            return name
    name = f"{make()}{len(taken)}"
    taken.add(name)
    return name


def _company(rng) -> tuple[str, str]:
    core = rng.choice(words.COMPANY_CORES)
    name = rng.choice(words.COMPANY_PREFIXES) + core
    name = f"株式会社{name}" if rng.random() < 0.6 else f"{name}株式会社"
    return name, words.INDUSTRIES[core]


def _person(rng) -> str:
    return f"{rng.choice(words.SURNAMES)} {rng.choice(words.GIVEN_NAMES)}"


def seed_tenancy(s: Seeder) -> Tenancy:
    """Organizations and users. One password hash for everyone (computed once)."""
    rng = s.rng("core", "tenancy")
    scale = s.scale
    password = make_password(PASSWORD)
    joined = at_tokyo(s.today - timedelta(days=3 * 365), 9)
    names: set[str] = set()
    second_vendor = scale.projects // 20 > 0

    def org(name: str, kind: str, industry: str) -> int:
        names.add(name)
        return s.add(Organization(name=name, kind=kind, industry=industry, created_at=joined)).pk

    emails: dict[int, str] = {}
    display_names: dict[int, str] = {}

    def user(staff: Staff, local: str, **fields) -> int:
        email = f"{local}@{staff.domain}"
        name = _person(rng)
        pk = s.add(
            User(
                email=email,
                display_name=name,
                organization_id=staff.org_id,
                password=password,
                date_joined=joined,
                **fields,
            )
        ).pk
        emails[pk] = email
        display_names[pk] = name
        return pk

    vendors = [
        Staff(
            org(words.VENDOR_NAMES[0], Organization.Kind.VENDOR, "情報サービス業"),
            "shinrai-systems.example.jp",
        )
    ]
    if second_vendor:
        vendors.append(
            Staff(
                org(words.VENDOR_NAMES[1], Organization.Kind.VENDOR, "情報サービス業"), "mirai-sol.example.jp"
            )
        )
    customers = []
    for i in range(1, scale.customers + 1):
        if rng.random() < 0.1:
            name = _unique(
                rng, lambda: rng.choice(words.PUBLIC_PLACES) + rng.choice(words.PUBLIC_BODIES), names
            )
            industry = "地方公共団体"
        else:
            name, industry = _company(rng)
            name = _unique(rng, lambda name=name: name if name not in names else _company(rng)[0], names)
        customers.append(Staff(org(name, Organization.Kind.CUSTOMER, industry), f"c{i:03d}.example.jp"))
    partners = []
    for i in range(1, scale.partners + 1):
        name = _unique(
            rng, lambda: f"株式会社{rng.choice(words.PARTNER_CORES)}{rng.choice('ABCDEFGH')}", names
        )
        partners.append(Staff(org(name, Organization.Kind.PARTNER, "情報サービス業"), f"p{i:02d}.example.jp"))

    # People: partners 5 each, vendors a quarter of the rest, customers what remains.
    partner_users = 5 * len(partners)
    vendor_users = max(6 * len(vendors), round((scale.users - partner_users) * 0.25))
    customer_users = scale.users - partner_users - vendor_users
    if customer_users < 2 * len(customers):
        raise ValueError(
            f"{scale.users} users are too few for {len(customers)} customers and {len(partners)} partners"
        )
    for staff in partners:
        staff.viewers = [user(staff, f"viewer{n:02d}") for n in range(1, 6)]
    per_customer, extra = divmod(customer_users, len(customers))
    for i, staff in enumerate(customers):
        count = per_customer + (i < extra)
        sponsors = 2 if count >= 8 else 1
        staff.sponsors = [user(staff, f"sponsor{n:02d}") for n in range(1, sponsors + 1)]
        staff.members = [user(staff, f"staff{n:02d}") for n in range(1, count - sponsors + 1)]
    second_share = max(6, vendor_users // 15) if second_vendor else 0
    admin = user(vendors[0], "admin", is_staff=True, is_superuser=True)
    for staff, count in zip(vendors, [vendor_users - second_share - 1, second_share], strict=False):
        vendor_projects = scale.projects if staff is vendors[0] else scale.projects // 20
        managers = max(1, count // 40)
        pms = max(1, min(count // 3, -(-vendor_projects // 8)))  # about eight projects per PM
        staff.managers = [
            user(staff, f"manager{n:02d}", is_vendor_manager=True) for n in range(1, managers + 1)
        ]
        staff.pms = [user(staff, f"pm{n:03d}") for n in range(1, pms + 1)]
        staff.members = [user(staff, f"dev{n:04d}") for n in range(1, count - managers - pms + 1)]
    v, c, p = vendors[0].domain, customers[0].domain, partners[0].domain if partners else ""
    logins = {
        "vendor administrator (admin site)": f"admin@{v}",
        "vendor manager (every project)": f"manager01@{v}",
        "vendor PM": f"pm001@{v}",
        "vendor member": f"dev0001@{v}",
        "customer sponsor": f"sponsor01@{c}",
        "customer member": f"staff01@{c}",
    }
    if p:
        logins["partner viewer"] = f"viewer01@{p}"
    return Tenancy(vendors, customers, partners, admin, logins, emails, display_names)


def _phases(rng, first: int, last: int) -> list[tuple[str, str, int, int]]:
    """The project's phases in order, each with its business-day window [first, last]."""
    optional = {"詳細設計": 0.6, "総合テスト": 0.6, "受入テスト支援": 0.5}
    chosen = [
        (name, kind, weight)
        for (name, kind), weight in zip(words.PHASES, words.PHASE_WEIGHTS, strict=True)
        if rng.random() < optional.get(name, 1.0)
    ]
    total = sum(weight for _n, _k, weight in chosen)
    span = last - first + 1
    phases, at = [], first
    for i, (name, kind, weight) in enumerate(chosen):
        end = last if i == len(chosen) - 1 else at + max(1, round(span * weight / total)) - 1
        phases.append((name, kind, at, min(end, last)))
        # The next phase often starts a few days before this one ends (review and hand-over overlap).
        at = max(at + 1, end + 1 - rng.choice((0, 0, 0, 2, 3, 5)))
    return phases


def seed_projects(s: Seeder, tenancy: Tenancy) -> list[ProjectPlan]:
    """Projects with their timelines and members; the timelines are what the other areas plan against."""
    scale, calendar = s.scale, s.calendar
    plans: list[ProjectPlan] = []
    codes: dict[tuple[int, int], int] = {}
    second = scale.projects // 20
    for index in range(scale.projects):
        rng = s.rng("core", "project", index)
        vendor = tenancy.vendors[1] if index >= scale.projects - second else tenancy.vendors[0]
        customer = tenancy.customers[index % len(tenancy.customers)]
        roll = rng.random()
        if roll < 0.20:  # finished: ended 1–30 weeks ago
            kind = "finished"
            end = s.today - timedelta(weeks=rng.randint(1, 30))
            start = end - timedelta(weeks=rng.randint(30, 90))
        elif roll < 0.92:  # running: started 4–100 weeks ago
            kind = "running"
            start = s.today - timedelta(weeks=rng.randint(4, 100))
            end = s.today + timedelta(weeks=rng.randint(8, 60))
        else:  # starting: in the last three weeks or the next six
            kind = "starting"
            start = s.today + timedelta(weeks=rng.randint(-3, 6))
            end = start + timedelta(weeks=rng.randint(26, 70))
        first, last = calendar.index(start), calendar.index(end)
        start, end = calendar.day(first), calendar.day(last)
        phases = _phases(rng, first, last)
        if kind == "finished":
            phase = Project.Phase.CLOSED if end < s.today - timedelta(weeks=12) else Project.Phase.OPERATION
        elif start > s.today:
            phase = Project.Phase.PROPOSAL
        else:
            current = next((p for p in phases if p[2] <= s.today_index <= p[3]), phases[-1])
            phase = PROJECT_PHASE[current[1]]
        seq = codes[(customer.org_id, start.year)] = codes.get((customer.org_id, start.year), 0) + 1
        code = f"{customer.domain[:4].upper()}-{start.year}-{seq:02d}"
        if vendor is not tenancy.vendors[0]:
            code = f"M{code}"
        area = rng.choice(words.BUSINESS_AREAS)
        name = f"{area}{rng.choice(words.SYSTEM_WORDS)}{rng.choice(words.WORK_KINDS)}"
        created_at = min(s.now, at_tokyo(start - timedelta(days=rng.randint(7, 40)), 10))
        business_days = last - first + 1
        amount = round(business_days * rng.uniform(0.25, 0.6) * 8 * 9_000, -5)
        project = s.add(
            Project(
                vendor_org_id=vendor.org_id,
                customer_org_id=customer.org_id,
                code=code,
                name=name,
                summary=rng.choice(words.PURPOSES),
                phase=phase,
                start_date=start,
                end_date=end,
                contract_amount=Decimal(amount),
                internal_note=rng.choice(words.INTERNAL_NOTES),
                created_at=created_at,
                updated_at=created_at,
            )
        )
        pm = vendor.pms[index % len(vendor.pms)]
        dev_count = min(len(vendor.members), rng.randint(2, 5))
        members = rng.sample(vendor.members, dev_count)
        staff_count = min(len(customer.members), rng.randint(1, 4))
        plan = ProjectPlan(
            index=index,
            id=project.pk,
            code=code,
            vendor_id=vendor.org_id,
            customer_id=customer.org_id,
            kind=kind,
            start=start,
            end=end,
            created_at=created_at,
            phases=phases,
            pm=pm,
            vendor_members=members,
            sponsors=customer.sponsors[:1] if rng.random() < 0.7 else customer.sponsors,
            customer_members=rng.sample(customer.members, staff_count),
            partner_viewers=(
                [rng.choice(rng.choice(tenancy.partners).viewers)]
                if tenancy.partners and rng.random() < 0.25
                else []
            ),
            health=rng.choices(("good", "shaky", "troubled"), (60, 30, 10))[0],
            sloppy=rng.random() < 0.15,
        )
        plan.shared["contract_amount"] = int(amount)  # the ledger's change requests start from it
        roles = (
            [(pm, Role.VENDOR_PM)]
            + [(u, Role.VENDOR_MEMBER) for u in plan.vendor_members]
            + [(u, Role.CUSTOMER_SPONSOR) for u in plan.sponsors]
            + [(u, Role.CUSTOMER_MEMBER) for u in plan.customer_members]
            + [(u, Role.PARTNER_VIEWER) for u in plan.partner_viewers]
        )
        s.audit(
            at=created_at,
            actor=tenancy.admin,
            action="project.create",
            object_type="core.project",
            object_id=project.pk,
            project=project.pk,
            after={"code": code, "name": name, "phase": phase, "start_date": start, "end_date": end},
        )
        for offset, (user_id, role) in enumerate(roles):
            joined = created_at + timedelta(minutes=5 + offset)
            member = s.add(ProjectMember(project_id=project.pk, user_id=user_id, role=role, joined_at=joined))
            s.audit(
                at=joined,
                actor=tenancy.admin,
                action="member.add",
                object_type="core.projectmember",
                object_id=member.pk,
                project=project.pk,
                after={"user": tenancy.emails[user_id], "role": role.value},
            )
        plans.append(plan)
    return plans


def local_date(value):
    return value.astimezone(TOKYO).date()
