"""Admin for the vendor's plain-language glossary (the weekly report check reads it)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from .models import PlainLanguageTerm


@admin.register(PlainLanguageTerm)
class PlainLanguageTermAdmin(admin.ModelAdmin):
    list_display = ["term", "plain_ja", "plain_en", "vendor_org"]
    list_filter = ["vendor_org"]
    search_fields = ["term", "plain_ja", "plain_en"]

    def get_queryset(self, request):
        # A vendor's administrators keep their own vendor's glossary; only superusers see every vendor's.
        queryset = super().get_queryset(request).select_related("vendor_org")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(vendor_org=request.user.organization_id)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and obj.vendor_org_id != request.user.organization_id:
            raise PermissionDenied
        super().save_model(request, obj, form, change)
