from django.core.management.base import BaseCommand

from shinrai.flows.models import FlowVersion
from shinrai.flows.services import version_rerender


class Command(BaseCommand):
    help = (
        "Redraw the stored SVG of every uploaded BPMN version with the installed renderer. Run it after an "
        "upgrade whose release notes say the BPMN drawing changed; the uploaded files are not touched."
    )

    def handle(self, *args, **options):
        diagrams = 0
        versions = FlowVersion.objects.order_by("pk")
        for version in versions.iterator(chunk_size=50):
            diagrams += version_rerender(version)
        self.stdout.write(f"Redrew {diagrams} diagram(s) of {versions.count()} version(s).")
