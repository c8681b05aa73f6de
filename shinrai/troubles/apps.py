from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TroublesConfig(AppConfig):
    name = "shinrai.troubles"
    label = "troubles"
    verbose_name = _("Troubles")
