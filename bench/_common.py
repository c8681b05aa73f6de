"""What the Excel import benchmarks share: a fresh SQLite database, and a project with its vendor PM.

Imported by bench/excel_import_bench.py and bench/wbs_import_bench.py, which run as scripts from the
repository root (this directory is on ``sys.path`` then; it is not a package).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def fresh_database(prefix: str) -> str:
    """Set Django up on a new SQLite database in a temporary directory and migrate it; the directory."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinrai.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return workdir


def vendor_project():
    """Project BENCH-1 between a vendor and a customer, and its vendor PM pm@example.jp: (project, pm)."""
    from shinrai.core.models import Organization, Project, ProjectMember, Role, User

    vendor = Organization.objects.create(name="ベンダー", kind=Organization.Kind.VENDOR)
    customer = Organization.objects.create(name="顧客", kind=Organization.Kind.CUSTOMER)
    project = Project.objects.create(
        vendor_org=vendor, customer_org=customer, code="BENCH-1", name="性能測定"
    )
    pm = User.objects.create(email="pm@example.jp", display_name="PM", organization=vendor)
    ProjectMember.objects.create(project=project, user=pm, role=Role.VENDOR_PM)
    return project, pm
