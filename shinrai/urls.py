from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from shinrai.api.urls import api
from shinrai.core.forms import QueuedPasswordResetForm

admin.site.site_header = "Shinrai 管理 / Administration"
admin.site.site_title = "Shinrai"

auth_patterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("accounts/", include(auth_patterns)),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path(
        "favicon.ico", RedirectView.as_view(url="/static/shinrai/favicon.svg", permanent=True), name="favicon"
    ),
    path("", include("shinrai.core.urls")),
    path("", include("shinrai.requirements.urls")),
    path("", include("shinrai.progress.urls")),
    path("", include("shinrai.progress.report_urls")),
    path("", include("shinrai.progress.calendar_urls")),
    path("", include("shinrai.troubles.urls")),
    path("", include("shinrai.ledger.urls")),
    path("", include("shinrai.surveys.urls")),
    path("", include("shinrai.surveys.results_urls")),
    path("", include("shinrai.accounts.urls")),
    path("", include("shinrai.accounts.trust_urls")),
    path("", include("shinrai.flows.urls")),
    path("", include("shinrai.integrations.urls")),
    path("", include("shinrai.grayzone.urls")),
    path("", include("shinrai.grayzone.position_urls")),
    path("", include("shinrai.partnership.urls")),
]
