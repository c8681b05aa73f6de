"""``{% ledger_link project role portal=... %}``: a link to the ledger showing the chain's state."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from shinrai.core.models import PARTNER_ROLES

from ..selectors import chain_state

register = template.Library()


@register.simple_tag
def ledger_link(project, role=None, portal=False):
    """Nothing for partner vendors (the ledger is between vendor and customer)."""
    if role in PARTNER_ROLES:
        return ""
    state = chain_state(project)
    label = _("Record verified") if state.ok else _("Record broken at #%(n)s") % {"n": state.broken_seq}
    url = reverse("ledger:portal" if portal else "ledger:index", args=[project.pk])
    text = _("Requests and agreements") if portal else _("Ledger")
    return format_html(
        '<a class="button" href="{}">{} <span class="{}" data-chain="{}">({})</span></a>',
        url,
        text,
        "ok" if state.ok else "slip-red",
        "verified" if state.ok else "broken",
        label,
    )
