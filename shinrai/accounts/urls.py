"""Account plans, key people and relationship signals (vendor-internal)."""

from django.urls import path  # noqa: F401

app_name = "accounts"

urlpatterns: list = []
