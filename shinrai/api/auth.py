"""API authentication: the browser session (with CSRF on writes) or a personal bearer token."""

from django.utils import translation
from ninja.security import HttpBearer, django_auth

from shinrai.core import services


class PersonalTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = services.api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        # The language middleware ran before the token was read: answer in the token owner's language.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return user


api_auth = [PersonalTokenAuth(), django_auth]
