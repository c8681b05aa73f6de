"""Read-only admin for partnership checks: every change goes through the services (checks, audit log), and
a non-superuser administrator sees their own vendor's checks only."""

from django.contrib import admin

from .models import Assessment


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = [
        "customer_org",
        "fiscal_year",
        "quarter",
        "own_part",
        "decisions",
        "equal_partner",
        "learns",
        "scope",
        "assessed_on",
    ]
    list_filter = ["fiscal_year", "quarter"]
    list_select_related = ["customer_org"]
    search_fields = ["customer_org__name", "notes"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(vendor_org_id=request.user.organization_id)
