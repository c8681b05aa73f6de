"""Business flows: BPMN diagrams per project, versions, step links to requirements, gaps, comparisons."""

from django.urls import path  # noqa: F401

from . import views  # noqa: F401

app_name = "flows"

urlpatterns: list = []
