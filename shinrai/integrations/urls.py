"""Integrations pages: notifications and preferences, project webhooks, the Redmine import."""

from django.urls import path  # noqa: F401

app_name = "integrations"

urlpatterns: list = []
