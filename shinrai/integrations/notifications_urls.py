"""Pages: notifications."""

from django.urls import path

from . import notification_views as views

urlpatterns: list = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:notification_id>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notifications_read_all"),
    path("me/notifications/", views.notification_preferences, name="notification_preferences"),
]
