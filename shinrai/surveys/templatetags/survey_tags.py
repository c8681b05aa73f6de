"""Survey links and cards placed on pages of other apps (project home, customer portal)."""

from django import template

register = template.Library()


@register.simple_tag
def survey_link(project, role=None):
    """The vendor project page's button to the project's surveys."""
    return ""


@register.simple_tag(takes_context=True)
def survey_portal_card(context, project):
    """On the customer's project page: the surveys waiting for the signed-in user's answer."""
    return ""
