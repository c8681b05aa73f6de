"""``{% partnership_section customer %}``: the account page's partnership section, for those who may see it.

The accounts app's page includes it with one line; the section is computed here (through the selectors and
so the access rule) and is empty for anyone who may not see the partnership check (vendor members).
"""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def partnership_section(context, customer) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not selectors.can_see(user, customer):
        return ""
    page = selectors.check_page(user=user, customer=customer, today=timezone.localdate())
    return render_to_string(
        "partnership/_card.html",
        {
            "customer": customer,
            "latest": page.latest,
            "health": page.health,
            "suggestions": page.health.suggestions[:3],
        },
        request=request,
    )
