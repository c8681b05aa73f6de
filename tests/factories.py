"""One factory per model. Tests build exactly the data they assert on."""

import factory

from shinrai.core.models import Organization, Project, ProjectMember, User

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"組織{n}")
    kind = Organization.Kind.CUSTOMER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.jp")
    display_name = factory.Sequence(lambda n: f"利用者{n}")
    organization = factory.SubFactory(OrganizationFactory)
    password = factory.django.Password(TEST_PASSWORD)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    vendor_org = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.VENDOR)
    customer_org = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.CUSTOMER)
    code = factory.Sequence(lambda n: f"PRJ-{n:04d}")
    name = factory.Sequence(lambda n: f"案件{n}")
    phase = Project.Phase.BUILD
    contract_amount = 10_000_000
    internal_note = "社内メモ: 見積超過"


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = "vendor_pm"


class MilestoneFactory(factory.django.DjangoModelFactory):
    """Bypasses the services (no audit), for tests that need many rows fast; behaviour tests use services."""

    class Meta:
        model = "progress.Milestone"

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"マイルストーン{n}")
    position = factory.Sequence(lambda n: n)


class TaskFactory(factory.django.DjangoModelFactory):
    """Bypasses the services (no audit), for tests that need many rows fast; behaviour tests use services."""

    class Meta:
        model = "progress.Task"

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"タスク{n}")
    position = factory.Sequence(lambda n: n)
