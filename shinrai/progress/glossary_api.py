"""API endpoints for the vendor's glossary of plain-language terms (routes of the weekly reports router).

The same rule as the glossary pages (``glossary.can_read`` / ``glossary.can_edit``): every user of a vendor
reads their vendor's glossary; its managers and the PMs of its projects add, change and delete terms (403
for the other vendor users); customers and partner vendors never see a vendor's glossary (404), nor does
anyone see another vendor's terms. Writes go through :mod:`shinrai.progress.glossary`.
"""

from django.http import Http404, HttpResponse
from ninja import Field, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from shinrai.api import sync
from shinrai.api.pagination import Pagination

from . import glossary
from .models import PlainLanguageTerm
from .report_api import router

SEARCH_LENGTH = 100  # as on the glossary page


class _Input(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class TermOut(Schema):
    id: int
    term: str = Field(
        description="A word or abbreviation a customer who is not an IT specialist may not know"
    )
    plain_ja: str = Field(description="Its plain explanation in Japanese, shown by the plain-language check")
    plain_en: str = Field(description="Its plain explanation in English (may be empty)")


class TermIn(_Input):
    term: str = Field(max_length=64)
    plain_ja: str = Field(max_length=300)
    plain_en: str = Field("", max_length=300)


class TermPatch(_Input):
    """Only the fields sent are changed."""

    # Defaults are not validated: an omitted field stays unset while an explicit null is refused.
    term: str = Field(None, max_length=64)
    plain_ja: str = Field(None, max_length=300)
    plain_en: str = Field(None, max_length=300)


def _reader(user) -> None:
    if not glossary.can_read(user):
        raise Http404


def _editor(user) -> None:
    """After the reader check: a vendor user who may read the glossary but not change it gets 403."""
    if not glossary.can_edit(user):
        raise HttpError(403, "Forbidden")


def _term(user, term_id: int) -> PlainLanguageTerm:
    _reader(user)
    return glossary.term_for(user=user, pk=term_id)  # another vendor's term: 404


def _out(term: PlainLanguageTerm) -> dict:
    return {"id": term.pk, "term": term.term, "plain_ja": term.plain_ja, "plain_en": term.plain_en}


@router.get(
    "/glossary",
    response=list[TermOut],
    summary="Your vendor's glossary of plain-language terms, by term (vendor users; 404 for others)",
)
@paginate(Pagination)
def list_glossary_terms(request, q: str = ""):
    """``q`` narrows it to terms whose word or explanations contain it (the first 100 characters count)."""
    _reader(request.auth)
    return [_out(term) for term in glossary.terms_for(user=request.auth, search=q[:SEARCH_LENGTH])]


@router.post(
    "/glossary",
    response={201: TermOut},
    summary="Add a term to your vendor's glossary (vendor managers and PMs; other vendor users get 403)",
)
def create_glossary_term(request, payload: TermIn):
    """A term is unique per vendor, ignoring upper and lower case: a second one answers 422."""
    user = request.auth
    _reader(user)
    _editor(user)
    term = glossary.term_save(by=user, **payload.model_dump())
    return Status(201, _out(term))


@router.get(
    "/glossary/{int:term_id}",
    response=TermOut,
    summary="One term of your vendor's glossary (404 for another vendor's)",
)
def get_glossary_term(request, response: HttpResponse, term_id: int):
    """The ``ETag`` header names this state; send it back as ``If-Match`` when changing the term."""
    term = _term(request.auth, term_id)
    sync.set_etag(response, term)
    return _out(term)


@router.patch(
    "/glossary/{int:term_id}",
    response=TermOut,
    summary="Change a term of your vendor's glossary (vendor managers and PMs)",
)
def update_glossary_term(request, response: HttpResponse, term_id: int, payload: TermPatch):
    """The reports already written are not changed; the next plain-language check uses the new words.
    412 when ``If-Match`` names an older state (someone changed it since it was read); nothing is saved."""
    user = request.auth
    term = _term(user, term_id)
    _editor(user)
    with sync.if_match(request, term):
        glossary.term_save(by=user, entry=term, **payload.model_dump(exclude_unset=True))
    term = _term(user, term_id)
    sync.set_etag(response, term)
    return _out(term)


@router.delete(
    "/glossary/{int:term_id}",
    response={204: None},
    summary="Remove a term from your vendor's glossary (vendor managers and PMs)",
)
def delete_glossary_term(request, term_id: int):
    user = request.auth
    term = _term(user, term_id)
    _editor(user)
    glossary.term_delete(by=user, entry=term)
    return Status(204, None)
