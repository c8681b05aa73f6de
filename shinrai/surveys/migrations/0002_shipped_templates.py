"""Create the templates that ship with Shinrai (read-only, no vendor): see shinrai/surveys/defaults.py."""

from django.db import migrations


def create_shipped(apps, schema_editor):
    from shinrai.surveys.defaults import ensure_shipped

    ensure_shipped(apps.get_model("surveys", "SurveyTemplate"), apps.get_model("surveys", "Question"))


def remove_unused_shipped(apps, schema_editor):
    from shinrai.surveys.defaults import SHIPPED_TEMPLATES

    SurveyTemplate = apps.get_model("surveys", "SurveyTemplate")
    SurveyTemplate.objects.filter(
        vendor_org=None, lineage__in=[data["lineage"] for data in SHIPPED_TEMPLATES], surveys__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_shipped, remove_unused_shipped)]
