from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequirementsConfig(AppConfig):
    name = "shinrai.requirements"
    label = "requirements"
    verbose_name = _("Requirements definition")
