"""Account plans, key people and relationship signals (vendor-internal)."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("customers/", views.account_list, name="list"),
    path("customers/<int:customer_id>/", views.account_detail, name="detail"),
    path("customers/<int:customer_id>/plan/", views.plan_edit, name="plan_edit"),
    path("customers/<int:customer_id>/roadmap/new/", views.step_edit, name="step_new"),
    path("customers/<int:customer_id>/roadmap/<int:step_id>/", views.step_edit, name="step_edit"),
    path("customers/<int:customer_id>/roadmap/<int:step_id>/delete/", views.step_delete, name="step_delete"),
    path("customers/<int:customer_id>/people/new/", views.person_edit, name="person_new"),
    path("customers/<int:customer_id>/people/<int:person_id>/", views.person_edit, name="person_edit"),
    path(
        "customers/<int:customer_id>/people/<int:person_id>/delete/",
        views.person_delete,
        name="person_delete",
    ),
    path("customers/<int:customer_id>/people/<int:person_id>/met/", views.person_met, name="person_met"),
    path("customers/<int:customer_id>/signals/new/", views.signal_new, name="signal_new"),
]
