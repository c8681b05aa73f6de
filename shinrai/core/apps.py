from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shinrai.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import middleware  # noqa: F401  (connects the log-in receiver that starts session clocks)
