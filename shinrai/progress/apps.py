from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgressConfig(AppConfig):
    name = "shinrai.progress"
    label = "progress"
    verbose_name = _("Progress")

    def ready(self):
        from shinrai.core.services import project_written

        from .chart_drawing import queue_after_write

        # With a task worker, every audited write on a project queues its charts' drawing (chart_drawing).
        project_written.connect(queue_after_write, dispatch_uid="progress.chart_drawing.queue_after_write")
