"""Survey templates, rounds, invitations and the answer pages (namespace "surveys")."""

from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/templates/", views.template_list, name="templates"),
    path("surveys/templates/<int:template_id>/", views.template_detail, name="template_detail"),
    path("surveys/templates/<int:template_id>/copy/", views.template_copy, name="template_copy"),
    path("surveys/templates/<int:template_id>/edit/", views.template_edit, name="template_edit"),
    path("projects/<int:pk>/surveys/", views.survey_list, name="list"),
    path("projects/<int:pk>/surveys/new/", views.survey_new, name="new"),
    path("projects/<int:pk>/surveys/<int:survey_id>/", views.survey_detail, name="detail"),
    path("projects/<int:pk>/surveys/<int:survey_id>/remind/", views.survey_remind, name="remind"),
    path("projects/<int:pk>/surveys/<int:survey_id>/close/", views.survey_close, name="close"),
    path("portal/projects/<int:pk>/surveys/<int:invitation_id>/", views.portal_answer, name="portal_answer"),
    # The link in the e-mail: no account needed, the token is the credential.
    path("s/<str:token>/", views.answer, name="answer"),
]
