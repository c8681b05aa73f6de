"""Every migration can be applied while the previous release's code still runs (zero-downtime deploys).

docs/OPERATIONS.md's rule: `shinrai migrate` runs first, then the app processes restart one by one, so for a
while the old code reads and writes the migrated schema. django-migration-linter reads the SQL each migration
runs on this database (SQLite here, PostgreSQL in CI's second pass) and flags what breaks old code: dropping
or renaming a column or table, a NOT NULL column without a database default (Django's ``default=`` is dropped
again after the migration, so old code's inserts fail; ``db_default=`` stays), altering a column's type.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest
from django.apps import apps
from django_migration_linter import MigrationLinter

# Written before Shinrai's first release, when every database was created from scratch: they add NOT NULL
# columns with a Python-side default, which a rolling deploy must not do. Nothing may be added to this list.
BEFORE_FIRST_RELEASE = frozenset(
    {
        ("core", "0003_apitoken_scope"),
        ("progress", "0002_weekly_reports"),
        ("troubles", "0002_trouble_found_by"),
    }
)

# sqlmigrate opens a schema editor, which SQLite refuses inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def shinrai_apps() -> list[str]:
    return [config.label for config in apps.get_app_configs() if config.name.startswith("shinrai.")]


def lint(*, ignore: frozenset[tuple[str, str]]) -> tuple[MigrationLinter, str]:
    """Lint every migration of Shinrai's own apps except ``ignore`` and the initial ones (new tables)."""
    linter = MigrationLinter(
        include_apps=shinrai_apps(),
        ignore_name=[name for _app, name in ignore],
        ignore_initial_migrations=True,
        no_cache=True,
    )
    output = io.StringIO()
    with redirect_stdout(output):
        linter.lint_all_migrations()
    return linter, output.getvalue()


def test_every_migration_since_the_first_release_is_safe_for_a_rolling_deploy():
    linter, output = lint(ignore=BEFORE_FIRST_RELEASE)
    assert linter.nb_valid > 0, output  # it really looked at migrations
    assert linter.nb_erroneous == 0, output


def test_the_linter_flags_a_migration_that_would_break_the_running_code():
    # The exempted migrations are real examples of the unsafe kind: linted, they must be caught. (Which ones
    # depends on the database: SQLite rebuilds a table where PostgreSQL adds a column.)
    linter, output = lint(ignore=frozenset())
    flagged = {
        tuple(line.split(")...")[0].lstrip("(").split(", "))
        for line in output.splitlines()
        if line.endswith("... ERR")
    }
    assert linter.nb_erroneous == len(flagged) > 0, output
    assert flagged <= BEFORE_FIRST_RELEASE, output


def test_the_exemptions_name_real_migrations():
    # A renamed or squashed migration would silently leave a stale exemption behind.
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    assert known >= BEFORE_FIRST_RELEASE
