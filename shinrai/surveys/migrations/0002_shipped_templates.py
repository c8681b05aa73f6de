"""Create the templates that ship with Shinrai (read-only, no vendor): see shinrai/surveys/defaults.py."""

from django.db import migrations


def create_shipped(apps, schema_editor):
    from shinrai.surveys.defaults import SHIPPED_TEMPLATES

    SurveyTemplate = apps.get_model("surveys", "SurveyTemplate")
    Question = apps.get_model("surveys", "Question")
    for data in SHIPPED_TEMPLATES:
        if SurveyTemplate.objects.filter(lineage=data["lineage"]).exists():
            continue
        template = SurveyTemplate.objects.create(
            vendor_org=None,
            lineage=data["lineage"],
            version=1,
            is_current=True,
            name=data["name"],
            description=data["description"],
        )
        Question.objects.bulk_create(
            Question(template=template, position=position, **question)
            for position, question in enumerate(data["questions"])
        )


def remove_unused_shipped(apps, schema_editor):
    from shinrai.surveys.defaults import SHIPPED_TEMPLATES

    SurveyTemplate = apps.get_model("surveys", "SurveyTemplate")
    SurveyTemplate.objects.filter(
        vendor_org=None, lineage__in=[data["lineage"] for data in SHIPPED_TEMPLATES], surveys__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create_shipped, remove_unused_shipped)]
