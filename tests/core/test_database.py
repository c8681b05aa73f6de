"""Constraints hold in the database itself, on SQLite and on PostgreSQL."""

import os

import pytest
from django.db import IntegrityError, connection, transaction

from shinrai.core.models import Project, ProjectMember


def test_negative_contract_amount_is_refused_by_the_database(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=cast.own.pk).update(contract_amount=-1)


def test_unknown_role_is_refused_by_the_database(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectMember.objects.filter(project=cast.own).update(role="owner")


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL pass only: set DATABASE_URL=postgres://... (`.ci/run` does)",
)
def test_suite_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 130000


def test_migrations_are_up_to_date(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
