"""The vendor's glossary pages: every vendor user reads it, managers and PMs add, change and delete terms.

Not a project page: the glossary belongs to the user's vendor organization. Customers and partner vendors
get 404 (they never see a vendor's glossary); a vendor user who may read but not change it gets 403 on the
forms.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shinrai.core import locking

from . import glossary
from .models import PlainLanguageTerm
from .views import _add_errors

PAGE_SIZE = 50


class TermForm(locking.LockForm, forms.ModelForm):
    class Meta:
        model = PlainLanguageTerm
        fields = ["term", "plain_ja", "plain_en"]
        widgets = {
            "plain_ja": forms.Textarea(attrs={"rows": 2}),
            "plain_en": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "term": gettext_lazy(
                "A word or abbreviation a customer who is not an IT specialist may not know."
            ),
            "plain_ja": gettext_lazy("Shown in the plain-language check, e.g. お客様ご自身が行う受入テスト."),
            "plain_en": gettext_lazy("Optional: shown to authors who write in English."),
        }

    def _post_clean(self):
        # Uniqueness and the vendor are checked by the service, which knows the user's organization.
        pass


def _reader(request: HttpRequest) -> None:
    if not glossary.can_read(request.user):
        raise Http404


def _editor(request: HttpRequest) -> None:
    _reader(request)
    if not glossary.can_edit(request.user):
        raise PermissionDenied


@login_required
def glossary_list(request: HttpRequest) -> HttpResponse:
    """The glossary with a search box; links to change it for those who may."""
    _reader(request)
    search = request.GET.get("q", "").strip()[:100]
    terms = glossary.terms_for(user=request.user, search=search)
    page = Paginator(terms, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "progress/glossary/list.html",
        {
            "page": page,
            "terms": page.object_list,
            "search": search,
            "can_edit": glossary.can_edit(request.user),
        },
    )


@login_required
def glossary_edit(request: HttpRequest, term_id: int | None = None) -> HttpResponse:
    """Add a term (no ``term_id``) or change one."""
    _reader(request)
    term = glossary.term_for(user=request.user, pk=term_id) if term_id is not None else None
    _editor(request)
    form = TermForm(request.POST or None, instance=term)
    if request.method == "POST" and form.is_valid():
        try:
            with locking.guard(term, form.lock_token):
                saved = glossary.term_save(by=request.user, entry=term, **form.cleaned_data)
        except locking.Stale as stale:
            return locking.conflict(
                request, "progress/glossary/form.html", {"term": term}, form=form, stale=stale
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(term)s was saved in the glossary.") % {"term": saved.term})
            return redirect("reports:glossary")
    return render(request, "progress/glossary/form.html", {"form": form, "term": term})


@login_required
def glossary_delete(request: HttpRequest, term_id: int) -> HttpResponse:
    """Ask first (GET), delete on POST."""
    _reader(request)
    term = glossary.term_for(user=request.user, pk=term_id)  # another vendor's: 404 before 403
    _editor(request)
    if request.method == "POST":
        glossary.term_delete(by=request.user, entry=term)
        messages.success(request, _("%(term)s was removed from the glossary.") % {"term": term.term})
        return redirect("reports:glossary")
    return render(request, "progress/glossary/delete.html", {"term": term})
