"""Weekly report pages, included from shinrai/urls.py under the "reports" namespace."""

from django.urls import path

from . import glossary_views
from . import report_views as views

app_name = "reports"

urlpatterns = [
    path("glossary/", glossary_views.glossary_list, name="glossary"),
    path("glossary/new/", glossary_views.glossary_edit, name="glossary_new"),
    path("glossary/<int:term_id>/", glossary_views.glossary_edit, name="glossary_edit"),
    path("glossary/<int:term_id>/delete/", glossary_views.glossary_delete, name="glossary_delete"),
    path("projects/<int:pk>/reports/", views.report_list, name="list"),
    path("projects/<int:pk>/reports/new/", views.report_new, name="new"),
    path("projects/<int:pk>/reports/<int:report_id>/edit/", views.report_edit, name="edit"),
    path("projects/<int:pk>/reports/<int:report_id>/publish/", views.report_publish, name="publish"),
    path("projects/<int:pk>/reports/<int:report_id>/correct/", views.report_correct, name="correct"),
    path("projects/<int:pk>/reports/<int:report_id>/pdf/", views.report_pdf, name="pdf"),
    path("projects/<int:pk>/reports/<int:report_id>/xlsx/", views.report_xlsx, name="xlsx"),
    path("portal/projects/<int:pk>/reports/", views.portal_list, name="portal_list"),
    path("portal/projects/<int:pk>/reports/<int:report_id>/", views.portal_detail, name="portal_detail"),
    path("portal/projects/<int:pk>/reports/<int:report_id>/pdf/", views.portal_pdf, name="portal_pdf"),
    path("portal/projects/<int:pk>/reports/<int:report_id>/xlsx/", views.portal_xlsx, name="portal_xlsx"),
    path(
        "portal/projects/<int:pk>/reports/<int:report_id>/acknowledge/",
        views.portal_acknowledge,
        name="portal_acknowledge",
    ),
    path(
        "portal/projects/<int:pk>/reports/<int:report_id>/comments/",
        views.portal_comment,
        name="portal_comment",
    ),
]
