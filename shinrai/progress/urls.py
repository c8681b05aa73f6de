from django.urls import path

from . import views, wbs_excel_views

app_name = "progress"

urlpatterns = [
    path("projects/<int:pk>/roadmap/", views.roadmap, name="roadmap"),
    path("projects/<int:pk>/roadmap/milestones/new/", views.milestone_edit, name="milestone_new"),
    path(
        "projects/<int:pk>/roadmap/milestones/<int:milestone_id>/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "projects/<int:pk>/roadmap/milestones/<int:milestone_id>/actual/",
        views.milestone_actual,
        name="milestone_actual",
    ),
    path("projects/<int:pk>/wbs/", views.wbs, name="wbs"),
    path("projects/<int:pk>/wbs/export.xlsx", wbs_excel_views.wbs_export, name="wbs_export"),
    path("projects/<int:pk>/wbs/import/", wbs_excel_views.wbs_import, name="wbs_import"),
    path("projects/<int:pk>/wbs/new/", views.task_edit, name="task_new"),
    path("projects/<int:pk>/wbs/<int:task_id>/", views.task_edit, name="task_edit"),
    path("projects/<int:pk>/wbs/<int:task_id>/progress/", views.task_progress, name="task_progress"),
    path("projects/<int:pk>/wbs/<int:task_id>/delete/", views.task_delete, name="task_delete"),
    path("projects/<int:pk>/gantt/", views.gantt, name="gantt"),
    path("projects/<int:pk>/progress-charts/", views.progress_charts, name="progress_charts"),
    path("portal/projects/<int:pk>/roadmap/", views.portal_roadmap, name="portal_roadmap"),
    path("portal/projects/<int:pk>/schedule/", views.portal_schedule, name="portal_schedule"),
]
