"""Partnership check pages (vendor-internal), under the "partnership" namespace (see shinrai/urls.py)."""

from django.urls import path

from . import views

app_name = "partnership"

urlpatterns = [
    path("customers/<int:customer_id>/partnership/", views.check, name="check"),
    path("customers/<int:customer_id>/partnership/new/", views.new, name="new"),
    path("customers/<int:customer_id>/partnership/<int:assessment_id>/", views.edit, name="edit"),
]
