"""Template helpers of the flows pages: step kinds in plain words, the steps a requirement serves."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from .. import selectors

register = template.Library()

# BPMN element kinds in the words a customer uses (the file's own names mean little to them).
KIND_LABELS = {
    "task": _("Task"),
    "userTask": _("Task done by a person on screen"),
    "serviceTask": _("Automatic task by a system"),
    "sendTask": _("Send a message"),
    "receiveTask": _("Wait for a message"),
    "manualTask": _("Manual task (without a system)"),
    "businessRuleTask": _("Decision by business rules"),
    "scriptTask": _("Script run by a system"),
    "subProcess": _("Sub-process"),
    "adHocSubProcess": _("Ad-hoc sub-process"),
    "transaction": _("Transaction"),
    "callActivity": _("Call of another process"),
    "startEvent": _("Start"),
    "endEvent": _("End"),
    "intermediateCatchEvent": _("Waiting point"),
    "intermediateThrowEvent": _("Signal or message sent"),
    "boundaryEvent": _("Exception on a task (timer, error …)"),
    "implicitThrowEvent": _("Event"),
    "exclusiveGateway": _("Branch: one path"),
    "inclusiveGateway": _("Branch: one or more paths"),
    "parallelGateway": _("Parallel paths"),
    "eventBasedGateway": _("Branch on what happens first"),
    "complexGateway": _("Complex branch"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@register.filter(name="step_kind")
def step_kind(kind: str) -> str:
    return kind_label(kind)


@register.filter(name="get_item")
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.inclusion_tag("flows/_steps_serving.html", takes_context=True)
def steps_serving(context, requirement):
    """ "Flow steps this requirement serves": only steps of flows the reader may see."""
    user = context["request"].user
    return {
        "rows": selectors.steps_serving(user=user, requirement=requirement),
        "project": requirement.project,
    }
