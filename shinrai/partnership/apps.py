from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipConfig(AppConfig):
    name = "shinrai.partnership"
    label = "partnership"
    verbose_name = _("Partnership check")

    def ready(self):
        from shinrai.core.models import AUDIT_ACTION_LABELS

        from .models import AUDIT_LABELS

        # Named in the audit log like every other app's actions (kept here, with the app: see grayzone).
        AUDIT_ACTION_LABELS.update(AUDIT_LABELS)
