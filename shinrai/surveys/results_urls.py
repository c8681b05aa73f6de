"""Survey results, trends and exports (vendor roles only)."""

from django.urls import path

from . import results_views as views

app_name = "survey_results"

urlpatterns = [
    path("projects/<int:pk>/surveys/results/", views.project, name="project"),
    path("projects/<int:pk>/surveys/results/results.pdf", views.project_pdf, name="project_pdf"),
    path("projects/<int:pk>/surveys/results/results.xlsx", views.project_xlsx, name="project_xlsx"),
    path("customers/<int:customer_id>/surveys/results/", views.account, name="account"),
    path("customers/<int:customer_id>/surveys/results/results.pdf", views.account_pdf, name="account_pdf"),
    path("customers/<int:customer_id>/surveys/results/results.xlsx", views.account_xlsx, name="account_xlsx"),
    path("surveys/results/", views.vendor, name="vendor"),
    path("surveys/results/results.pdf", views.vendor_pdf, name="vendor_pdf"),
    path("surveys/results/results.xlsx", views.vendor_xlsx, name="vendor_xlsx"),
]
