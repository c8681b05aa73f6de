"""Pages: webhooks."""

from django.urls import path

from . import webhook_views as views

urlpatterns: list = [
    path("projects/<int:pk>/webhooks/", views.webhook_list, name="webhook_list"),
    path("projects/<int:pk>/webhooks/new/", views.webhook_create, name="webhook_create"),
    path("projects/<int:pk>/webhooks/<int:webhook_id>/", views.webhook_deliveries, name="webhook_deliveries"),
    path("projects/<int:pk>/webhooks/<int:webhook_id>/edit/", views.webhook_edit, name="webhook_edit"),
    path("projects/<int:pk>/webhooks/<int:webhook_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path("projects/<int:pk>/webhooks/<int:webhook_id>/secret/", views.webhook_secret, name="webhook_secret"),
    path("projects/<int:pk>/webhooks/<int:webhook_id>/test/", views.webhook_test, name="webhook_test"),
    path(
        "projects/<int:pk>/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
        views.webhook_redeliver,
        name="webhook_redeliver",
    ),
]
