"""WBS pages for Excel: download the WBS as .xlsx, and the import page (upload, all-or-nothing, errors)."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from shinrai.core import access, xlsx
from shinrai.core.access import Perm


class WbsImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"))


def _filename(project, what: str) -> str:
    # The code goes into a header: nothing but letters, digits, - and _.
    code = re.sub(r"[^A-Za-z0-9_-]+", "_", project.code) or "project"
    return f"{code}-{what}-{timezone.localdate():%Y%m%d}.xlsx"


@login_required
def wbs_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The WBS as .xlsx, for the roles that see the WBS page (hours are vendor data)."""
    project, _role = access.project_for(request.user, pk, Perm.SEE_INTERNAL)
    from . import wbs_excel  # openpyxl is only needed here

    content = wbs_excel.export_wbs(user=request.user, project=project, language=get_language())
    response = HttpResponse(content, content_type=xlsx.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(project, "wbs")}"'
    return response


@login_required
def wbs_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a WBS workbook: every row is checked; either all of it is saved, or nothing and the errors."""
    project, _role = access.project_for(request.user, pk, Perm.CONTRIBUTE)
    from . import wbs_excel

    form = WbsImportForm(request.POST, request.FILES) if request.method == "POST" else WbsImportForm()
    result = None
    if request.method == "POST" and form.is_valid():
        result = wbs_excel.import_wbs(
            user=request.user, project=project, file=form.cleaned_data["file"], language=get_language()
        )
        if result.ok:
            messages.success(
                request,
                _(
                    "Imported: %(created)d added, %(updated)d changed, %(unchanged)d unchanged. "
                    "Tasks not in the file were left as they were."
                )
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect("progress:wbs", pk=project.pk)
    return render(
        request,
        "progress/wbs_import.html",
        {
            "project": project,
            "form": form,
            "result": result,
            "max_rows": f"{wbs_excel.MAX_ROWS:,}",
            "max_megabytes": xlsx.MAX_FILE_BYTES // (1024 * 1024),
        },
    )
