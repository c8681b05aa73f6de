"""Links to the trust dashboard placed on pages of other apps (project home)."""

from django import template

register = template.Library()


@register.simple_tag
def trust_link(project, role=None):
    """The vendor project page's button to the project's trust indicators."""
    return ""
