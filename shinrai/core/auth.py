"""Glue between Django's authentication and django-axes (login throttling)."""

from django.contrib.auth.backends import ModelBackend as _DjangoModelBackend

from .models import User


def axes_username(request, credentials: dict | None) -> str:
    """The e-mail address a log-in attempt was for, normalised so that case tricks don't reset the count."""
    value = (credentials or {}).get("username") or (request.POST.get("username") if request else "") or ""
    return value.strip().lower()


class ModelBackend(_DjangoModelBackend):
    """Django's backend, loading the user's organization with the user: every page needs it."""

    def get_user(self, user_id):
        user = User.objects.select_related("organization").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
