"""Glue between Django's authentication and django-axes (login throttling)."""

import unicodedata

from django.contrib.auth.backends import ModelBackend as _DjangoModelBackend

from .models import User


def axes_username(request, credentials: dict | None) -> str:
    """The e-mail address a log-in attempt was for, normalised so that case tricks don't reset the count.

    NFKC first, as the log-in form does before it looks the account up: ｖｅｎｄｏｒ@… signs in as vendor@…,
    so it must count against vendor@…, not start a count of its own.
    """
    value = (credentials or {}).get("username") or (request.POST.get("username") if request else "") or ""
    return unicodedata.normalize("NFKC", value).strip().lower()


class ModelBackend(_DjangoModelBackend):
    """Django's backend, loading the user's organization with the user: every page needs it."""

    def get_user(self, user_id):
        user = User.objects.select_related("organization").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
