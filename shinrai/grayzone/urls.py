"""Gray-zone pages, included from shinrai/urls.py under the "grayzone" namespace."""

from django.urls import path

from . import views

app_name = "grayzone"

_I = "projects/<int:pk>/grayzone/<int:item_id>/"
_P = "portal/projects/<int:pk>/grayzone/<int:item_id>/"

urlpatterns = [
    path("grayzone/", views.portfolio, name="portfolio"),
    path("projects/<int:pk>/grayzone/", views.board, name="board"),
    path("projects/<int:pk>/grayzone/new/", views.new, name="new"),
    path(_I, views.detail, name="detail"),
    path(f"{_I}edit/", views.edit, name="edit"),
    path(f"{_I}share/", views.share, name="share"),
    path(f"{_I}offer/", views.offer, name="offer"),
    path(f"{_I}accept/", views.accept, name="accept"),
    path(f"{_I}decline/", views.decline, name="decline"),
    path(f"{_I}escalate/", views.escalate, name="escalate"),
    path(f"{_I}comments/", views.comment, name="comment"),
    path("portal/projects/<int:pk>/grayzone/", views.portal_list, name="portal_list"),
    path(_P, views.portal_detail, name="portal_detail"),
    path(f"{_P}decide/", views.portal_decide, name="portal_decide"),
]
