"""Ledger pages, included from shinrai/urls.py under the "ledger" namespace."""

from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("projects/<int:pk>/ledger/", views.ledger_index, name="index"),
    path("projects/<int:pk>/ledger/record/", views.ledger_record, name="record"),
    path("projects/<int:pk>/ledger/ledger.json", views.export_json, name="export_json"),
    path("projects/<int:pk>/ledger/ledger.pdf", views.export_pdf, name="export_pdf"),
    path("projects/<int:pk>/requests/", views.request_list, name="requests"),
    path("projects/<int:pk>/requests/requests.xlsx", views.requests_xlsx, name="requests_xlsx"),
    path("projects/<int:pk>/requests/requests.csv", views.requests_csv, name="requests_csv"),
    path(
        "portal/projects/<int:pk>/requests/requests.xlsx",
        views.portal_requests_xlsx,
        name="portal_requests_xlsx",
    ),
    path(
        "portal/projects/<int:pk>/requests/requests.csv",
        views.portal_requests_csv,
        name="portal_requests_csv",
    ),
    path(
        "projects/<int:pk>/requests/<int:request_id>/acknowledge/",
        views.request_acknowledge,
        name="request_acknowledge",
    ),
    path("projects/<int:pk>/requests/<int:request_id>/answer/", views.request_answer, name="request_answer"),
    path("projects/<int:pk>/requests/<int:request_id>/close/", views.request_close, name="request_close"),
    path("projects/<int:pk>/changes/", views.change_list, name="changes"),
    path("projects/<int:pk>/changes/<int:change_id>/propose/", views.change_propose, name="change_propose"),
    path(
        "projects/<int:pk>/changes/<int:change_id>/withdraw/", views.change_withdraw, name="change_withdraw"
    ),
    path("portal/projects/<int:pk>/ledger/", views.portal, name="portal"),
    path("portal/projects/<int:pk>/ledger/ledger.json", views.portal_export_json, name="portal_export_json"),
    path("portal/projects/<int:pk>/ledger/ledger.pdf", views.portal_export_pdf, name="portal_export_pdf"),
    path("portal/projects/<int:pk>/requests/new/", views.portal_request_create, name="portal_request_create"),
    path(
        "portal/projects/<int:pk>/changes/<int:change_id>/approve/",
        views.portal_change_approve,
        name="portal_change_approve",
    ),
    path(
        "portal/projects/<int:pk>/changes/<int:change_id>/reject/",
        views.portal_change_reject,
        name="portal_change_reject",
    ),
]
