from django.urls import path

from . import views

app_name = "requirements"

urlpatterns = [
    path("projects/<int:pk>/requirements/", views.home, name="home"),
    path("projects/<int:pk>/requirements/stakeholders/new/", views.stakeholder_edit, name="stakeholder_new"),
    path(
        "projects/<int:pk>/requirements/stakeholders/<int:stakeholder_id>/",
        views.stakeholder_edit,
        name="stakeholder_edit",
    ),
    path("projects/<int:pk>/requirements/goals/new/", views.goal_edit, name="goal_new"),
    path("projects/<int:pk>/requirements/goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("projects/<int:pk>/requirements/new/", views.requirement_edit, name="requirement_new"),
    path(
        "projects/<int:pk>/requirements/<int:requirement_id>/",
        views.requirement_edit,
        name="requirement_edit",
    ),
    path(
        "projects/<int:pk>/requirements/<int:requirement_id>/withdraw/",
        views.requirement_withdraw,
        name="requirement_withdraw",
    ),
    path("projects/<int:pk>/requirements/catalogue/", views.catalogue, name="catalogue"),
    path("projects/<int:pk>/requirements/review/", views.review_submit, name="review_submit"),
    path("projects/<int:pk>/requirements/review/withdraw/", views.review_withdraw, name="review_withdraw"),
    path("projects/<int:pk>/requirements/export.xlsx", views.export_xlsx, name="export"),
    path("projects/<int:pk>/requirements/import/", views.import_xlsx, name="import"),
    path("portal/projects/<int:pk>/requirements/", views.portal, name="portal"),
    path(
        "portal/projects/<int:pk>/requirements/<int:requirement_id>/comment/",
        views.portal_comment,
        name="portal_comment",
    ),
    path("portal/projects/<int:pk>/requirements/approve/", views.portal_approve, name="portal_approve"),
]
