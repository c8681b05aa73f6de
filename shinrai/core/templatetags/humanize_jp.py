"""Display helpers for Japanese business text: yen amounts and dates that may be missing."""

from decimal import Decimal

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def yen(value: Decimal | int | None) -> str:
    if value is None or value == "":
        return "—"
    return f"¥{int(value):,}"


@register.filter
def date_or_dash(value) -> str:
    if not value:
        return "—"
    return date_format(value, "SHORT_DATE_FORMAT")
