"""Business flows: BPMN 2.0 files uploaded per project, kept as numbered versions, linked to requirements.

Links and comments belong to the flow and a BPMN element id, not to one version: modelling tools keep
element ids stable, so a step keeps its requirements and its discussion when a new version is uploaded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinrai.core.models import Project, Visibility
from shinrai.requirements.models import Requirement


class BusinessFlow(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="flows")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.CUSTOMER
    )
    # The newest upload, kept here so lists need no subquery; set by services.version_upload.
    current_version = models.ForeignKey(
        "FlowVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["project", "title", "pk"]
        verbose_name = _("business flow")
        verbose_name_plural = _("business flows")

    def __str__(self) -> str:
        return self.title


class FlowVersion(models.Model):
    """One upload of a .bpmn file; never changed after it is stored."""

    flow = models.ForeignKey(BusinessFlow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    filename = models.CharField(_("file name"), max_length=255)
    source = models.BinaryField(_("BPMN file"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["flow", "-number"]
        constraints = [models.UniqueConstraint(fields=["flow", "number"], name="flows_version_number_unique")]
        verbose_name = _("flow version")
        verbose_name_plural = _("flow versions")

    def __str__(self) -> str:
        return f"{self.flow} v{self.number}"


class FlowDiagram(models.Model):
    """One diagram of a version, rendered to SVG once at upload (the file never changes afterwards)."""

    version = models.ForeignKey(FlowVersion, on_delete=models.CASCADE, related_name="diagrams")
    index = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=500, blank=True)
    svg = models.TextField()

    class Meta:
        ordering = ["version", "index"]
        constraints = [
            models.UniqueConstraint(fields=["version", "index"], name="flows_diagram_index_unique")
        ]

    def __str__(self) -> str:
        return self.name or f"#{self.index + 1}"


class FlowStep(models.Model):
    """A flow step (activity, event or gateway) of one version, for step lists, gaps and comparisons."""

    version = models.ForeignKey(FlowVersion, on_delete=models.CASCADE, related_name="steps")
    element_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=40)
    name = models.CharField(max_length=2000, blank=True)
    lane = models.CharField(max_length=2000, blank=True)
    diagram_index = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)  # document order

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "element_id"], name="flows_step_element_unique")
        ]

    def __str__(self) -> str:
        return self.name or self.element_id


class StepRequirementLink(models.Model):
    """A step needs a requirement: made by vendor or customer members of the project."""

    flow = models.ForeignKey(BusinessFlow, on_delete=models.CASCADE, related_name="links")
    element_id = models.CharField(max_length=255)
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="flow_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["flow", "element_id", "requirement__number"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "element_id", "requirement"], name="flows_link_unique")
        ]
        indexes = [models.Index(fields=["flow", "element_id"], name="flows_link_step")]

    def __str__(self) -> str:
        return f"{self.element_id} → {self.requirement_id}"


class StepComment(models.Model):
    flow = models.ForeignKey(BusinessFlow, on_delete=models.CASCADE, related_name="comments")
    element_id = models.CharField(max_length=255)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["flow", "element_id", "created_at", "pk"]
        indexes = [models.Index(fields=["flow", "element_id"], name="flows_comment_step")]

    def __str__(self) -> str:
        return f"{self.element_id}: {self.body[:40]}"
