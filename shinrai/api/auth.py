"""API authentication: the browser session (with CSRF on writes) or a personal bearer token."""

from ninja.security import HttpBearer, django_auth

from shinrai.core import services


class PersonalTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = services.api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


api_auth = [PersonalTokenAuth(), django_auth]
