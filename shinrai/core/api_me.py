"""API: your own settings, as the settings page (``core:me``) shows them: who you are and the language you
read Shinrai in. Anyone signed in may read their profile and change their language; there is nobody else's
to reach, so nothing here answers 403 or 404 (a read-only token may read, not change: 403 from the auth).

Personal API tokens (list, create, revoke) and the calendar feed link (issue, revoke) stay on the settings
page BY DESIGN, not by oversight: a bearer token that leaked must not be able to mint or reveal other
credentials (a new token, or the feed's secret, which reads without logging in), nor revoke the owner's own
ones to lock them out. Managing credentials needs the signed-in browser session.
"""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.http import HttpResponse
from ninja import Field, Router, Schema
from pydantic import ConfigDict

from shinrai.api import sync

from . import services

router = Router(tags=["me"])

# The codes the settings page offers (settings.LANGUAGES), as an enum in the OpenAPI document.
LanguageCode = Literal[tuple(code for code, _name in settings.LANGUAGES)]  # type: ignore[valid-type]


class MyOrganizationOut(Schema):
    id: int
    name: str
    kind: str = Field(description="vendor, customer or partner")


class MeOut(Schema):
    id: int
    name: str = Field(alias="display_name")
    email: str
    organization: MyOrganizationOut
    language: str = Field(
        description="The language Shinrai speaks to you in: "
        + ", ".join(code for code, _name in settings.LANGUAGES)
    )
    is_vendor_manager: bool = Field(description="Sees every project of the vendor organization")

    model_config = ConfigDict(populate_by_name=True)


class MePatch(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    language: LanguageCode


@router.get(
    "/me", response=MeOut, summary="Who you are: name, e-mail, organization, language (anyone signed in)"
)
def get_me(request, response: HttpResponse):
    """The ``ETag`` header names this state; send it back as ``If-Match`` when changing it."""
    sync.set_etag(response, request.auth)
    return request.auth


@router.patch(
    "/me",
    response=MeOut,
    summary="Change the language Shinrai speaks to you in (anyone signed in; a read-only token gets 403)",
)
def update_me(request, response: HttpResponse, payload: MePatch):
    """The same change, through the same service, as the settings page's language switch (audited).
    412 when ``If-Match`` names an older state."""
    with sync.if_match(request, request.auth):
        user = services.user_set_language(user=request.auth, language=payload.language)
    sync.set_etag(response, user)
    return user
