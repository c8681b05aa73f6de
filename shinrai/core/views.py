"""Pages of the vendor workspace, the customer portal and the personal settings. Views stay thin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import access, calendar_feed, selectors, services
from .forms import ApiTokenForm, LanguageForm


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to where their work is: vendors to the portfolio, everyone else to the portal."""
    if access.is_vendor_user(request.user):
        return redirect("core:portfolio")
    return redirect("core:portal")


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """The vendor's projects, a page at a time; ``?attention=1`` lists only those whose last week's report
    is late or missing."""
    if not access.is_vendor_user(request.user):
        raise Http404
    attention = request.GET.get("attention") == "1"
    portfolio = selectors.portfolio_page(user=request.user, page=request.GET.get("page"), attention=attention)
    return render(
        request,
        "core/portfolio.html",
        {
            "rows": portfolio.rows,
            "page": portfolio.page,
            "page_range": portfolio.page.paginator.get_elided_page_range(portfolio.page.number),
            "total": portfolio.total,
            "overdue": portfolio.overdue,
            "last_week": portfolio.last_week,
            "attention": attention,
        },
    )


@login_required
def project_home(request: HttpRequest, pk: int) -> HttpResponse:
    """The vendor workspace's project page; customers and partners read the portal page instead."""
    project, role = access.project_for(request.user, pk, access.Perm.SEE_INTERNAL)
    return render(
        request,
        "core/project_home.html",
        {
            "project": project,
            "role": role,
            "perms": access.ROLE_PERMS[role],
            "members": selectors.project_members(project=project),
            "audit_events": selectors.project_recent_audit(project=project),
        },
    )


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    projects = selectors.portal_projects(user=request.user)
    return render(request, "core/portal.html", {"projects": projects})


@login_required
def portal_project(request: HttpRequest, pk: int) -> HttpResponse:
    """What the customer sees of a project; vendor users open it as a preview of the customer's view."""
    project, role = access.project_for(request.user, pk)
    members = selectors.project_members(project=project) if role != access.Role.PARTNER_VIEWER else []
    # Imported here, not at the top: core is the base the other apps build on and must not import them
    # at module level (progress imports core, so a top-level import would make the dependency circular).
    from shinrai.progress.portal_summary import portal_glance

    return render(
        request,
        "core/portal_project.html",
        {
            "project": project,
            "role": role,
            "members": members,
            "glance": portal_glance(user=request.user, project=project),
            "is_preview": access.is_vendor_user(request.user),
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: remembered on the user when signed in, in a cookie otherwise."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if not form.is_valid():
        messages.error(request, _("Choose Japanese or English."))
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )
    return response


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """Personal settings: language, API tokens and the calendar feed URL."""
    new_token = request.session.pop("new_api_token", None)
    new_calendar_secret = request.session.pop(calendar_feed.NEW_SECRET_SESSION_KEY, None)
    form = ApiTokenForm()
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            _token, clear = services.api_token_create(
                user=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
            )
            request.session["new_api_token"] = clear
            return redirect("core:me")
    return render(
        request,
        "core/me.html",
        {
            "form": form,
            "tokens": selectors.user_api_tokens(user=request.user),
            "new_token": new_token,
            "calendar_token": calendar_feed.calendar_feed_token_for(user=request.user),
            "calendar_links": calendar_feed.calendar_feed_links(user=request.user, secret=new_calendar_secret)
            if new_calendar_secret
            else None,
            "language_form": LanguageForm(
                initial={"language": request.user.language, "next": reverse("core:me")}
            ),
        },
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.user_api_tokens(user=request.user), pk=pk)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, _("The token was revoked."))
    return redirect("core:me")
