"""Anticipated-question pages (想定問答), included from shinrai/urls.py under the "positions" namespace."""

from django.urls import path

from . import position_views as views

app_name = "positions"

_V = "projects/<int:pk>/positions/<int:position_id>/"
_P = "portal/projects/<int:pk>/positions/<int:position_id>/"

urlpatterns = [
    path("projects/<int:pk>/positions/", views.position_list, name="list"),
    path("projects/<int:pk>/positions/new/", views.new, name="new"),
    path(_V, views.detail, name="detail"),
    path(f"{_V}edit/", views.edit, name="edit"),
    path(f"{_V}share/", views.share, name="share"),
    path(f"{_V}versions/<int:number>/", views.version, name="version"),
    path("portal/projects/<int:pk>/positions/", views.portal_list, name="portal_list"),
    path(_P, views.portal_detail, name="portal_detail"),
    path(f"{_P}versions/<int:number>/", views.portal_version, name="portal_version"),
]
