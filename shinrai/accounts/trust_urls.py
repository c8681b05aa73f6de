"""The trust dashboard per project, per account and for the portfolio."""

from django.urls import path

from . import trust_views

app_name = "trust"

urlpatterns = [
    path("trust/", trust_views.portfolio, name="portfolio"),
    path("trust/definitions/", trust_views.definitions, name="definitions"),
    path("trust/customers/<int:customer_id>/", trust_views.account, name="account"),
    path("projects/<int:pk>/trust/", trust_views.project, name="project"),
]
