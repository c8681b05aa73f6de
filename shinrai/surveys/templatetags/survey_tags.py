"""Survey links and cards placed on pages of other apps (project home, customer portal)."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from shinrai.core.models import VENDOR_ROLES

from .. import selectors

register = template.Library()


@register.simple_tag
def survey_link(project, role=None):
    """The vendor project page's button to the project's surveys (vendor roles only)."""
    if role not in VENDOR_ROLES:
        return ""
    return format_html(
        '<a class="button" href="{}">{}</a>',
        reverse("surveys:list", args=[project.pk]),
        _("Satisfaction surveys"),
    )


@register.simple_tag(takes_context=True)
def survey_portal_card(context, project):
    """On the customer's project page: the surveys waiting for the signed-in user's answer (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    invitations = selectors.open_invitations_for(user, project) if user is not None else []
    if not invitations:
        return ""
    return render_to_string(
        "surveys/_portal_card.html", {"project": project, "invitations": invitations}, request=request
    )
