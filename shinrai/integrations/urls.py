"""Integrations pages: notifications and preferences, project webhooks, the Redmine import."""

from . import notifications_urls, redmine_urls, webhooks_urls

app_name = "integrations"

urlpatterns = [*notifications_urls.urlpatterns, *webhooks_urls.urlpatterns, *redmine_urls.urlpatterns]
