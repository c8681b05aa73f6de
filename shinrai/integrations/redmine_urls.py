"""Pages: the Redmine import (vendor administrators)."""

from django.urls import path

from .redmine import views

urlpatterns: list = [
    path("integrations/redmine/", views.import_start, name="redmine_import"),
    path("integrations/redmine/runs/<int:pk>/", views.import_run, name="redmine_import_run"),
]
