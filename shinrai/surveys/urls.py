"""Survey templates, rounds, invitations and the answer pages."""

from django.urls import path  # noqa: F401

app_name = "surveys"

urlpatterns: list = []
