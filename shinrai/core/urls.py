from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("projects/<int:pk>/", views.project_home, name="project_home"),
    path("portal/", views.portal, name="portal"),
    path("portal/projects/<int:pk>/", views.portal_project, name="portal_project"),
    path("me/", views.me, name="me"),
    path("me/tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("language/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
]
