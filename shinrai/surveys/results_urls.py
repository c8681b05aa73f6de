"""Survey results, trends and exports."""

from django.urls import path  # noqa: F401

app_name = "survey_results"

urlpatterns: list = []
