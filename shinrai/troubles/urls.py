from django.urls import path

from . import views

app_name = "troubles"

_T = "projects/<int:pk>/troubles/<int:trouble_id>/"

urlpatterns = [
    path("projects/<int:pk>/troubles/", views.register, name="register"),
    path("projects/<int:pk>/troubles/new/", views.edit, name="new"),
    path("projects/<int:pk>/troubles/export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("projects/<int:pk>/troubles/export.csv", views.export_csv, name="export_csv"),
    path(_T, views.detail, name="detail"),
    path(f"{_T}edit/", views.edit, name="edit"),
    path(f"{_T}disclose/", views.disclose, name="disclose"),
    path(f"{_T}analyse/", views.analyse, name="analyse"),
    path(f"{_T}notes/", views.note, name="note"),
    path(f"{_T}options/", views.option, name="option"),
    path(f"{_T}propose/", views.propose, name="propose"),
    path(f"{_T}decide/", views.decide, name="decide"),
    path(f"{_T}follow-ups/", views.follow_up, name="follow_up"),
    path(f"{_T}follow-ups/<int:follow_up_id>/done/", views.follow_up_done, name="follow_up_done"),
    path(f"{_T}close/", views.close, name="close"),
    path(f"{_T}preventions/<int:prevention_id>/done/", views.prevention_done, name="prevention_done"),
    path("portal/projects/<int:pk>/troubles/", views.portal_list, name="portal_list"),
    path("portal/projects/<int:pk>/troubles/<int:trouble_id>/", views.portal_detail, name="portal_detail"),
    path(
        "portal/projects/<int:pk>/troubles/<int:trouble_id>/report.pdf", views.portal_pdf, name="portal_pdf"
    ),
    path(
        "portal/projects/<int:pk>/troubles/<int:trouble_id>/choose/",
        views.portal_choose,
        name="portal_choose",
    ),
]
