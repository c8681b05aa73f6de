"""Links to the trust dashboard placed on pages of other apps (project home)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from shinrai.core.access import ROLE_PERMS, Perm

register = template.Library()


@register.simple_tag
def trust_link(project, role=None):
    """The vendor project page's button to the project's trust indicators (vendor roles only)."""
    if role is None or Perm.SEE_INTERNAL not in ROLE_PERMS.get(role, ()):
        return ""
    return format_html(
        '<a class="button" href="{}">{}</a>',
        reverse("trust:project", args=[project.pk]),
        gettext("Trust indicators"),
    )


@register.filter
def trust_status_label(status: str) -> str:
    """Words beside the colour (colour alone is not enough for everyone)."""
    return {
        "green": gettext("Good"),
        "amber": gettext("Watch"),
        "red": gettext("Act"),
    }.get(status, gettext("No data"))


@register.simple_tag
def trust_figure(figure):
    """One indicator's value with its colour, a word for the colour and the trend arrow (built in Python:
    the dashboard shows thousands of these, and a template include each would be slow)."""
    status = figure.status
    label = trust_status_label(status)
    arrow = ""
    if figure.arrow:
        title = gettext("previous %(previous)s, change %(delta)s") % {
            "previous": figure.previous_shown,
            "delta": figure.delta_shown,
        }
        arrow = format_html(
            ' <span class="trend trend-{}" title="{}">{}</span>', figure.trend, title, figure.arrow
        )
    return format_html(
        '<span class="trust-figure trust-{}" title="{}"><span class="trust-dot" aria-hidden="true"></span>{}'
        '<span class="visually-hidden"> ({})</span>{}</span>',
        status,
        label,
        figure.shown,
        label,
        arrow,
    )
