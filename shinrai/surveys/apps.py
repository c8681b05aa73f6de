from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "shinrai.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")

    def ready(self):
        from shinrai.core.services import project_written

        from .results_prepare import queue_after_write

        # With a task worker, every audited write on a project queues its survey results' preparation.
        project_written.connect(queue_after_write, dispatch_uid="surveys.results_prepare.queue_after_write")
