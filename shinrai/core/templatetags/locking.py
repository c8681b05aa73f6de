"""``{{ obj|lock_token }}``: the optimistic-lock token of an object, for hand-written forms.

See shinrai/core/locking.py.
"""

from django import template

from shinrai.core import locking

register = template.Library()


@register.filter
def lock_token(obj) -> str:
    return locking.token(obj) if obj is not None and obj.pk is not None else ""
