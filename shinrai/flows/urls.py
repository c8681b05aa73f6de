"""Business flows: BPMN diagrams per project, versions, step links to requirements, gaps, comparisons."""

from django.urls import path

from . import views

app_name = "flows"

_FLOW = "projects/<int:pk>/flows/<int:flow_id>/"

urlpatterns = [
    path("projects/<int:pk>/flows/", views.flow_list, name="list"),
    path("projects/<int:pk>/flows/gaps/", views.gaps, name="gaps"),
    path(_FLOW, views.flow_detail, name="detail"),
    path(_FLOW + "edit/", views.flow_edit, name="edit"),
    path(_FLOW + "versions/new/", views.version_new, name="version_new"),
    path(_FLOW + "versions/<int:number>/file/", views.version_download, name="version_download"),
    path(_FLOW + "compare/", views.flow_compare, name="compare"),
    path(_FLOW + "flow.pdf", views.flow_pdf, name="pdf"),
    path(_FLOW + "steps/<str:element_id>/", views.step_detail, name="step"),
    path(_FLOW + "steps/<str:element_id>/links/", views.link_new, name="link_new"),
    path(_FLOW + "steps/<str:element_id>/comments/", views.comment_new, name="comment_new"),
    path(_FLOW + "links/<int:link_id>/remove/", views.link_delete, name="link_delete"),
]
