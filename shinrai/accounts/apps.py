from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shinrai.accounts"
    label = "accounts"
    verbose_name = _("Accounts and trust")

    def ready(self):
        from shinrai.core.services import project_written

        from .trust_cache import drop_after_write

        # Every audited write on a project drops its cached trust indicators (see trust_cache).
        project_written.connect(drop_after_write, dispatch_uid="accounts.trust_cache.drop_after_write")
