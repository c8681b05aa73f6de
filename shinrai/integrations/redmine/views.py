"""Redmine import pages: for vendor administrators only; everyone else gets 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from . import importer, services
from .forms import ImportForm


def _require_admin(request: HttpRequest) -> None:
    if not services.is_import_admin(request.user):
        raise Http404


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = ImportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        run = services.import_start(
            by=request.user,
            base_url=form.cleaned_data["url"],
            **{
                k: form.cleaned_data[k]
                for k in ("api_key", "projects", "trouble_trackers", "customer", "into", "dry_run")
            },
        )
        return redirect("integrations:redmine_import_run", pk=run.pk)
    runs = services.runs_visible_to(request.user)[:20]
    return render(request, "integrations/redmine_import.html", {"form": form, "runs": runs})


@login_required
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    run = services.run_for(request.user, pk)
    return render(
        request,
        "integrations/redmine_run.html",
        {"run": run, "kinds": importer.KINDS, "total": importer.counts_total(run.summary)},
    )
