"""API authentication: the browser session (with CSRF on writes) or a personal bearer token."""

from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from shinrai.core import services
from shinrai.core.models import TokenScope

# Methods that only read. Everything else (POST, PUT, PATCH, DELETE) needs a write token.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class PersonalTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        api_token = services.api_token_lookup(token)
        if api_token is None:
            return None
        user = api_token.user
        request.user = user
        # The language middleware ran before the token was read: answer in the token owner's language.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        if api_token.scope != TokenScope.WRITE and request.method not in READ_METHODS:
            # Checked here, before any endpoint runs, so no write path can forget it. Anything but an explicit
            # write scope counts as read.
            raise HttpError(403, _("This token may only read."))
        return user


api_auth = [PersonalTokenAuth(), django_auth]
