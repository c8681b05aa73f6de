"""Give every existing vendor the default plain-language glossary (vendors created later get it with their
first weekly report draft, see report_services.plain_terms_ensure_defaults)."""

from django.db import migrations

# The defaults live in the plain module (one list, also used for new vendors); the migration only adds the
# terms a vendor lacks, so running it with a later version of the list does no harm.
from shinrai.progress.reports import DEFAULT_TERMS


def seed(apps, schema_editor):
    Organization = apps.get_model("core", "Organization")
    PlainLanguageTerm = apps.get_model("progress", "PlainLanguageTerm")
    for vendor in Organization.objects.filter(kind="vendor"):
        existing = set(PlainLanguageTerm.objects.filter(vendor_org=vendor).values_list("term", flat=True))
        PlainLanguageTerm.objects.bulk_create(
            PlainLanguageTerm(vendor_org=vendor, term=t.term, plain_ja=t.plain_ja, plain_en=t.plain_en)
            for t in DEFAULT_TERMS
            if t.term not in existing
        )


class Migration(migrations.Migration):
    dependencies = [("progress", "0002_weekly_reports"), ("core", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
