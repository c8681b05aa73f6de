from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrayZoneConfig(AppConfig):
    name = "shinrai.grayzone"
    label = "grayzone"
    verbose_name = _("Gray zones and anticipated questions")

    def ready(self):
        from shinrai.core.models import AUDIT_ACTION_LABELS

        from .models import AUDIT_LABELS

        # The project page's "Recent changes" names every audited action; this app's are kept here, with
        # the app, instead of in core (which the other apps build on and must not know about them).
        AUDIT_ACTION_LABELS.update(AUDIT_LABELS)
