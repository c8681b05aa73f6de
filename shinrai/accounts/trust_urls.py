"""The trust dashboard per project, per account and for the portfolio."""

from django.urls import path  # noqa: F401

app_name = "trust"

urlpatterns: list = []
